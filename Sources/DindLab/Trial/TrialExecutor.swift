import DockerEngine
import Foundation

/// Runs trials through the phases outer, setup, daemon, prepare, inner and cleanup, and
/// turns what happened into a `TrialRecord`.
///
/// Every engine call gets the time left until the trial's deadline, so a hung step ends
/// as a timeout at the deadline, and cleanup still runs.
struct TrialExecutor: Sendable {
    let runID: RunID
    let engine: TrialEngine
    let store: ResultStore
    let imageFacts: OuterImageFacts
    /// Labels every outer container of this run carries (run id, owner, start time).
    let ownership: [String: String]
    /// Collect forensics for passing trials too (`--forensics always`).
    let forensicsAlways: Bool
    /// Leave the outer container of a failed trial running (`repro --keep`).
    let keepFailed: Bool
    /// The longest one short engine call may take (see `RunOptions.engineCallTimeout`).
    var callTimeout: Duration = .seconds(60)
    let finder = FirstErrorFinder()

    /// Runs a cell's trials. With `isolation: trial` each gets its own outer container;
    /// with `isolation: cell` one container serves them all, in order.
    ///
    /// A trial cut short by Task cancellation (a second SIGINT) is not recorded: it did not
    /// run to an outcome, and a resumed run runs it again. Its outer container is removed all
    /// the same.
    ///
    /// - Parameters:
    ///   - trials: Trials of one cell, in the order to run them.
    ///   - shouldStop: Asked before each trial; true ends the unit there (a stop condition or
    ///     an interruption), removing the cell's outer container.
    ///   - onRecord: Called with each trial's record as soon as it ends.
    func run(_ trials: [PlannedTrial], shouldStop: @Sendable () async -> Bool = { false }, onRecord: @Sendable (TrialRecord) async -> Void) async {
        guard let first = trials.first else { return }
        let session = OuterSession()
        let sharesSession = first.cell.scenario.isolation == .cell
        for (index, trial) in trials.enumerated() {
            let stop = index > 0 ? await shouldStop() : false
            if Task.isCancelled || stop {
                var attempt = TrialAttempt(trial: trial, deadline: .now)
                await cleanUp(session, failed: false, attempt: &attempt)
                return
            }
            let record = await execute(trial, session: sharesSession ? session : OuterSession(), endsSession: !sharesSession || index == trials.count - 1)
            if Task.isCancelled { continue }
            await onRecord(record)
        }
    }

    /// Runs one trial in `session`.
    func execute(_ trial: PlannedTrial, session: OuterSession, endsSession: Bool) async -> TrialRecord {
        let scenario = trial.cell.scenario
        let startedAt = Date()
        var attempt = TrialAttempt(trial: trial, deadline: .now + scenario.timeout)
        session.trialIDs.append(trial.id)

        var failure: TrialFailure?
        var logOffset = 0
        do {
            if session.containerID != nil, session.daemonReady {
                logOffset = try await daemonLogSize(session, &attempt)
            }
            try await setUp(session, &attempt)
            try await innerRuns(session, &attempt)
        } catch {
            failure = await classify(error, attempt: attempt)
        }
        let masker = SecretMasker(environment: scenario.outer.env)

        var record = TrialRecord(
            runID: runID, trialID: trial.id, sequence: trial.sequence, scenario: trial.scenarioName,
            cellID: trial.cell.id, cellValues: CellValues(trial.cell.values.map { ($0.key, $0.value) }),
            engine: engine.name, outcome: failure?.outcome ?? .pass, startedAt: startedAt, finishedAt: startedAt
        )
        record.innerRuns = attempt.innerResults
        record.notes = attempt.notes

        if let container = session.containerID, !Task.isCancelled, failure != nil || forensicsAlways || scenario.forensics == .always {
            var forensics = await Forensics.collect(from: container, client: engine.client, steps: attempt.steps, logOffset: logOffset)
            if let failure {
                let diagnosis = finder.diagnose(FailureEvidence(phase: failure.phase, daemonLog: forensics.daemonLogLines, stepOutput: failure.stepOutput, daemonDied: failure.daemonDied))
                record.record(diagnosis)
                forensics.firstError = diagnosis.firstError
            }
            if let folder = try? await store.artifactsDirectory(for: trial.id) {
                forensics.write(to: folder, masking: masker.mask)
                record.artifactsPath = try? ResultStore.artifactsPath(for: trial.id)
            }
            if forensics.cgroups?.anyDifference == true {
                record.notes.append("The daemon's or an exec'd process's cgroups differ from PID 1's (see cgroups.txt).")
            }
        } else if let failure {
            record.record(finder.diagnose(FailureEvidence(phase: failure.phase, stepOutput: failure.stepOutput, daemonDied: failure.daemonDied)))
        }

        if endsSession || (failure != nil && scenario.isolation == .trial) {
            await cleanUp(session, failed: failure != nil, attempt: &attempt)
        }
        record.notes += attempt.cleanupNotes
        record.mask(with: masker)
        attempt.clock.finish()
        record.phaseDurations = attempt.clock.durations
        record.finishedAt = Timestamp.rounded(Date())
        record.durationSeconds = record.finishedAt.timeIntervalSince(record.startedAt)
        return record
    }

    // MARK: Phases

    /// outer, setup, daemon, prepare: everything up to a ready daemon with its image loaded.
    private func setUp(_ session: OuterSession, _ attempt: inout TrialAttempt) async throws {
        let scenario = attempt.trial.cell.scenario
        if session.containerID == nil {
            attempt.clock.enter(.outer)
            session.imageLabels = try await imageFacts.labels(of: scenario.outer.image, on: engine.client)
            let daemon = InnerDaemonCommand.make(scenarioCommand: scenario.daemon.command, imageLabels: session.imageLabels)
            let command = scenario.daemon.start == .cmd ? OuterScripts.commandStart(setup: scenario.outer.setup, daemon: daemon) : OuterScripts.idleStart()
            let request = OuterContainerRequest(
                image: scenario.outer.image, command: command, privileged: scenario.outer.privileged,
                bindCgroups: scenario.outer.cgroups == .bind, network: scenario.outer.network.rawValue,
                env: scenario.outer.env, labels: labels(for: attempt.trial)
            )
            let created = try await engine.client.createContainer(request.containerConfig(apiVersion: engine.apiVersion, privilege: engine.privilege), timeout: try attempt.remaining(cappedAt: callTimeout))
            session.containerID = created.id
            try await engine.client.startContainer(created.id, timeout: try attempt.remaining(cappedAt: callTimeout))

            if scenario.daemon.start == .exec {
                attempt.clock.enter(.setup)
                for (number, line) in scenario.outer.setup.enumerated() {
                    let result = try await exec(OuterScripts.setupLine(line), in: created.id, title: "setup line \(number + 1)", &attempt)
                    guard result.exitCode == 0 else {
                        throw TrialFailure.failed(.setup, "setup line \(number + 1) (\(line)) exited with status \(result.exitCode): " + result.output.stderrText + result.output.stdoutText)
                    }
                }
                attempt.clock.enter(.daemon)
                let execID = try await engine.client.createExec(in: created.id, ExecConfig(cmd: OuterScripts.execDaemon(daemon), attach: false), timeout: try attempt.remaining(cappedAt: callTimeout))
                try await engine.client.startExecDetached(execID, timeout: try attempt.remaining(cappedAt: callTimeout))
            } else {
                attempt.clock.enter(.daemon)
            }
            try await waitUntilReady(session, &attempt)
            session.daemonReady = true
        } else {
            // A later trial of the cell: the daemon may have died since.
            attempt.clock.enter(.daemon)
            try await waitUntilReady(session, &attempt)
        }
        if !session.prepared {
            attempt.clock.enter(.prepare)
            let result = try await exec(OuterScripts.loadInnerImage(scenario.inner.image), in: session.containerID!, title: "load inner image \(scenario.inner.image)", &attempt)
            guard result.exitCode == 0 else {
                throw TrialFailure.failed(.prepare, result.output.stderrText + result.output.stdoutText)
            }
            session.prepared = true
        }
    }

    private func waitUntilReady(_ session: OuterSession, _ attempt: inout TrialAttempt) async throws {
        let scenario = attempt.trial.cell.scenario
        let container = session.containerID!
        let readySeconds = Int(scenario.daemon.readyTimeout.inSeconds.rounded(.up))
        let result = try await exec(OuterScripts.waitReady(timeoutSeconds: readySeconds), in: container, title: "wait for the inner daemon", &attempt)
        switch OuterScripts.ReadyStatus(rawValue: Int32(result.exitCode)) {
        case .ready:
            return
        case .setupFailed:
            let failed = try await exec(OuterScripts.failedSetup, in: container, title: "read the failed setup line", &attempt)
            let lines = failed.output.stdoutText.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let number = Int(lines.first ?? "") ?? 0
            let line = number > 0 && number <= scenario.outer.setup.count ? scenario.outer.setup[number - 1] : "?"
            attempt.clock.attribute(attempt.clock.durations[.daemon] ?? 0, to: .setup, from: .daemon)
            throw TrialFailure.failed(.setup, "setup line \(number) (\(line)) failed: " + (lines.count > 1 ? String(lines[1]) : "") + failed.output.stderrText)
        case .daemonDied:
            throw TrialFailure.failed(.daemon, "the inner daemon exited before it answered", daemonDied: true)
        case .timedOut:
            throw TrialFailure.failed(.daemon, "the inner daemon did not answer within the ready-timeout of \(readySeconds) s")
        case nil:
            throw TrialFailure.harness(.daemon, "waiting for the inner daemon failed with status \(result.exitCode): \(result.output.stderrText)")
        }
    }

    /// The inner runs of one trial; the first one that fails ends the trial.
    private func innerRuns(_ session: OuterSession, _ attempt: inout TrialAttempt) async throws {
        let inner = attempt.trial.cell.scenario.inner
        let container = session.containerID!
        let pattern = try inner.expectOutput.map { try NSRegularExpression(pattern: $0, options: [.anchorsMatchLines]) }
        attempt.clock.enter(.inner)
        for index in 0..<inner.runs {
            let began = ContinuousClock.now
            let tty = inner.mode == .ti
            let command = tty ? OuterScripts.innerInteractive(image: inner.image, command: inner.command) : OuterScripts.innerDetached(image: inner.image, command: inner.command)
            let result = try await exec(command, in: container, tty: tty, title: "inner run \(index + 1) (\(tty ? "run -ti" : "run -d"))", &attempt)
            // A TTY turns "\n" into "\r\n".
            let output = (result.output.stdoutText + result.output.stderrText).replacingOccurrences(of: "\r\n", with: "\n")
            let matched = pattern.map { $0.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil }
            attempt.innerResults.append(InnerRunResult(index: index, exitCode: result.exitCode, outputMatched: matched, durationSeconds: (ContinuousClock.now - began).inSeconds))
            if result.exitCode != 0 {
                let stderr = result.output.stderrText
                throw TrialFailure.failed(.inner, (stderr.isEmpty ? "" : stderr + "\n") + "inner run \(index + 1) exited with status \(result.exitCode): " + result.output.stdoutText)
            }
            if matched == false {
                throw TrialFailure.failed(.inner, "inner run \(index + 1): the output does not match expect-output /\(inner.expectOutput ?? "")/: \(output.prefix(500))")
            }
        }
    }

    private func cleanUp(_ session: OuterSession, failed: Bool, attempt: inout TrialAttempt) async {
        attempt.clock.enter(.cleanup)
        guard let container = session.containerID else { return }
        if failed && keepFailed {
            attempt.cleanupNotes.append("The outer container \(container) was kept for inspection.")
            return
        }
        // Removal must happen even when the trial was cancelled (a second SIGINT): an
        // unstructured task does not inherit the cancellation.
        let client = engine.client
        let removal = Task.detached {
            try await client.removeContainer(container, force: true, volumes: true, timeout: .seconds(60))
        }
        do {
            try await removal.value
            session.containerID = nil
        } catch let error as EngineError where error.isNotFound {
            session.containerID = nil
        } catch {
            attempt.cleanupNotes.append("Removing the outer container \(container) failed: \(error). `dindlab gc` removes it.")
        }
    }

    // MARK: Helpers

    /// Bytes of output kept per stream of each command run in the outer container; the rest
    /// is counted and dropped, and the trial's notes say so.
    static let outputLimit = 1 << 20

    private func exec(_ command: [String], in container: String, tty: Bool = false, title: String, _ attempt: inout TrialAttempt) async throws -> ExecResult {
        let began = ContinuousClock.now
        let phase = attempt.clock.current
        do {
            let result = try await engine.client.exec(in: container, command, tty: tty, limit: Self.outputLimit, timeout: try attempt.remaining(), callTimeout: callTimeout)
            attempt.steps.append(.init(phase: phase, title: title, command: command, exitCode: result.exitCode, output: result.output, seconds: (ContinuousClock.now - began).inSeconds))
            if let note = result.output.truncationNote {
                attempt.notes.append("\(title): \(note)")
            }
            return result
        } catch {
            attempt.steps.append(.init(phase: phase, title: title, command: command, error: "\(error)", seconds: (ContinuousClock.now - began).inSeconds))
            throw error
        }
    }

    private func daemonLogSize(_ session: OuterSession, _ attempt: inout TrialAttempt) async throws -> Int {
        let result = try await engine.client.exec(in: session.containerID!, ["sh", "-c", "wc -c < \(OuterScripts.daemonLog)"], timeout: try attempt.remaining(), callTimeout: callTimeout)
        return Int(result.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    private func labels(for trial: PlannedTrial) -> [String: String] {
        var labels = ownership
        labels["dindlab.trial"] = trial.id
        labels["dindlab.scenario"] = trial.scenarioName
        labels["dindlab.cell"] = trial.cell.id
        return labels
    }

    /// What an error thrown by a phase means for the trial.
    ///
    /// The trial's deadline passing is a timeout. An engine call that times out before it, or
    /// a broken connection, is the engine's failure (`error`), named with the call. A failure
    /// of the system under test while the engine no longer answers is the engine's too: a
    /// stopping engine kills the outer container, which looks like the inner daemon dying.
    private func classify(_ error: Error, attempt: TrialAttempt) async -> TrialFailure {
        let phase = attempt.clock.current
        let timeoutText = "the trial did not finish within its timeout of \(Int(attempt.trial.cell.scenario.timeout.inSeconds)) s"
        switch error {
        case let failure as TrialFailure where failure.outcome == .fail:
            if let lost = await engineLoss() { return .harness(phase, lost + " (the trial had failed: \(failure.stepOutput.prefix(300)))") }
            return failure
        case let failure as TrialFailure:
            return failure
        case let error as EngineError where error.isTimeout && attempt.isNearDeadline:
            return .timedOut(phase, "\(timeoutText) (\(error))")
        case let error as EngineError where error.isTimeout:
            if let lost = await engineLoss() { return .harness(phase, lost) }
            return .harness(phase, "the engine did not answer in time: \(error)")
        case let error as EngineError where error.isTransport:
            return .harness(phase, "the engine \(engine.name) stopped answering: \(error)")
        default:
            return .harness(phase, error)
        }
    }

    /// Why the engine is lost, when a quick ping fails; nil when it answers.
    private func engineLoss() async -> String? {
        guard !Task.isCancelled else { return nil }
        do {
            _ = try await engine.client.ping(timeout: .seconds(5))
            return nil
        } catch {
            return "the engine \(engine.name) stopped answering: \(error)"
        }
    }
}

/// The mutable state of one trial while it runs.
struct TrialAttempt: Sendable {
    let trial: PlannedTrial
    let deadline: ContinuousClock.Instant
    var clock = PhaseClock()
    var steps = StepLog()
    var innerResults: [InnerRunResult] = []
    var notes: [String] = []
    var cleanupNotes: [String] = []

    init(trial: PlannedTrial, deadline: ContinuousClock.Instant) {
        self.trial = trial
        self.deadline = deadline
    }

    var isPastDeadline: Bool { ContinuousClock.now >= deadline }

    /// True from shortly before the deadline: an engine call given the time left ends a
    /// little early, and that is the trial's timeout, not the engine's failure.
    var isNearDeadline: Bool { deadline - .now < .milliseconds(250) }

    /// The time left for the next engine call, at most `cap`.
    ///
    /// - Throws: A timeout failure once the deadline has passed.
    func remaining(cappedAt cap: Duration? = nil) throws -> Duration {
        let left = deadline - .now
        guard left > .milliseconds(50) else {
            throw TrialFailure.timedOut(clock.current, "the trial did not finish within its timeout of \(Int(trial.cell.scenario.timeout.inSeconds)) s")
        }
        return cap.map { min($0, left) } ?? left
    }
}

extension TrialFailure {
    static func harness(_ phase: TrialPhase, _ message: String) -> TrialFailure {
        TrialFailure(outcome: .error, phase: phase, stepOutput: message)
    }
}
