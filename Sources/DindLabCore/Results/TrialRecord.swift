package import Foundation

/// One finished trial: a line of `trials.jsonl`.
package struct TrialRecord: Sendable, Hashable, Codable {
    package var runID: RunID
    /// Unique within the run; names the trial's artifacts folder.
    package var trialID: String
    /// The trial's position in the run's plan, from 1.
    package var sequence: Int
    /// The scenario's name.
    package var scenario: String
    /// The cell's id within its scenario.
    package var cellID: String
    /// The cell's matrix values, in matrix order.
    package var cellValues: CellValues
    /// The name of the engine the trial ran on.
    package var engine: String
    package var outcome: TrialOutcome
    /// The phase the trial failed, timed out or errored in; nil for a pass.
    package var failingPhase: TrialPhase?
    /// `"<phase>: <normalised first error>"`; nil for a pass.
    package var signature: String?
    package var firstError: String?
    package var lastError: String?
    /// How many error lines the trial produced (all of them are in its artifacts).
    package var errorLineCount: Int
    package var startedAt: Date
    package var finishedAt: Date
    package var durationSeconds: Double
    /// Seconds spent in each phase that ran.
    package var phaseDurations: PhaseDurations
    /// Each inner run, in order.
    package var innerRuns: [InnerRunResult]
    /// The trial's artifacts folder relative to the run directory (`artifacts/<trial id>`),
    /// or nil when none was kept.
    package var artifactsPath: String?
    /// Free remarks from the harness (e.g. "privileged emulated").
    package var notes: [String]

    /// Creates a record; failure fields can be filled later with `record(_:)`.
    /// - Parameters:
    ///   - durationSeconds: By default the time from `startedAt` to `finishedAt`.
    ///   - startedAt: Kept to the millisecond, like every time in results files.
    ///   - finishedAt: Kept to the millisecond.
    package init(
        runID: RunID, trialID: String, sequence: Int, scenario: String, cellID: String,
        cellValues: CellValues, engine: String, outcome: TrialOutcome, failingPhase: TrialPhase? = nil,
        signature: String? = nil, firstError: String? = nil, lastError: String? = nil, errorLineCount: Int = 0,
        startedAt: Date, finishedAt: Date, durationSeconds: Double? = nil,
        phaseDurations: PhaseDurations = [:], innerRuns: [InnerRunResult] = [],
        artifactsPath: String? = nil, notes: [String] = []
    ) {
        self.runID = runID
        self.trialID = trialID
        self.sequence = sequence
        self.scenario = scenario
        self.cellID = cellID
        self.cellValues = cellValues
        self.engine = engine
        self.outcome = outcome
        self.failingPhase = failingPhase
        self.signature = signature
        self.firstError = firstError
        self.lastError = lastError
        self.errorLineCount = errorLineCount
        // Times are kept to the millisecond, as results files store them.
        self.startedAt = Timestamp.rounded(startedAt)
        self.finishedAt = Timestamp.rounded(finishedAt)
        self.durationSeconds = durationSeconds ?? finishedAt.timeIntervalSince(startedAt)
        self.phaseDurations = phaseDurations
        self.innerRuns = innerRuns
        self.artifactsPath = artifactsPath
        self.notes = notes
    }

    /// Records what `FirstErrorFinder` read in the trial: failing phase, signature,
    /// first and last error, and the number of error lines.
    package mutating func record(_ diagnosis: FailureDiagnosis) {
        failingPhase = diagnosis.phase
        signature = diagnosis.signature
        firstError = diagnosis.firstError
        lastError = diagnosis.lastError
        errorLineCount = diagnosis.errorLines.count
    }
}

/// One inner run of a trial.
package struct InnerRunResult: Sendable, Hashable, Codable {
    /// 1 for the first inner run of the trial.
    package var index: Int
    /// The inner container's exit code; nil when it never exited (it did not start, or
    /// the trial timed out).
    package var exitCode: Int?
    /// Whether the output matched the scenario's `expect-output`; nil when there is none.
    package var outputMatched: Bool?
    package var durationSeconds: Double?

    /// - Parameters:
    ///   - index: 1 for the first inner run.
    ///   - exitCode: The inner container's exit code, nil when it never exited.
    ///   - outputMatched: Whether the output matched `expect-output`, nil without one.
    ///   - durationSeconds: How long the run took.
    package init(index: Int, exitCode: Int?, outputMatched: Bool? = nil, durationSeconds: Double? = nil) {
        self.index = index
        self.exitCode = exitCode
        self.outputMatched = outputMatched
        self.durationSeconds = durationSeconds
    }
}

/// Seconds spent per phase, encoded as `{"outer": 1.2, "daemon": 3.4}`.
package struct PhaseDurations: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral {
    package private(set) var seconds: [TrialPhase: Double]

    package init(_ seconds: [TrialPhase: Double]) {
        self.seconds = seconds
    }

    package init(dictionaryLiteral elements: (TrialPhase, Double)...) {
        self.init(Dictionary(elements) { _, last in last })
    }

    package subscript(phase: TrialPhase) -> Double? {
        get { seconds[phase] }
        set { seconds[phase] = newValue }
    }

    /// The phases that ran, in lifecycle order, with their seconds.
    package var inOrder: [(phase: TrialPhase, seconds: Double)] {
        TrialPhase.allCases.compactMap { phase in seconds[phase].map { (phase, $0) } }
    }

    private struct PhaseKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: PhaseKey.self)
        var seconds: [TrialPhase: Double] = [:]
        for key in container.allKeys {
            guard let phase = TrialPhase(rawValue: key.stringValue) else {
                let phases = TrialPhase.allCases.map(\.rawValue).joined(separator: ", ")
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container,
                    debugDescription: "\"\(key.stringValue)\" is not a phase (\(phases)).")
            }
            seconds[phase] = try container.decode(Double.self, forKey: key)
        }
        self.seconds = seconds
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: PhaseKey.self)
        for (phase, value) in inOrder {
            try container.encode(value, forKey: PhaseKey(stringValue: phase.rawValue))
        }
    }
}
