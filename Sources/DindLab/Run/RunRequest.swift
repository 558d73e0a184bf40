import Foundation

/// What a run was asked to do, as values: the scenario files and the options that shape its
/// plan and its trials. The command line builds one; the runner records it in the manifest,
/// so that a resumed run rebuilds the same plan from the recorded values, without reading
/// a command line again.
public struct RunRequest: Sendable, Hashable, Codable {
    /// The scenario files, as given.
    public var scenarioFiles: [String]
    /// Trials per cell, replacing each scenario's `repeat`; nil keeps the scenarios'.
    public var repeatCount: Int?
    /// The seed of the trial order; nil draws one.
    public var seed: UInt64?
    /// Keep only the cells where a matrix key has a value.
    public var only: [CellFilter]
    /// Run only this slice of the plan.
    public var shard: Plan.Shard?
    /// For which trials forensics are collected.
    public var forensics: Scenario.Forensics
    /// Judge expectations by the 95% interval.
    public var strict: Bool
    /// Trials (or cells, with `isolation: cell`) running at once; nil: one.
    public var jobs: Int?
    /// The engines as given (addresses, NAME=ADDRESS or private engines' names); empty: the
    /// default engine.
    public var engines: [String]
    /// The folder that holds run folders.
    public var resultsRoot: String

    /// - Parameters: See the properties.
    public init(
        scenarioFiles: [String], repeatCount: Int? = nil, seed: UInt64? = nil, only: [CellFilter] = [], shard: Plan.Shard? = nil,
        forensics: Scenario.Forensics = .onFailure, strict: Bool = false, jobs: Int? = nil, engines: [String] = [], resultsRoot: String = "results"
    ) {
        self.scenarioFiles = scenarioFiles
        self.repeatCount = repeatCount
        self.seed = seed
        self.only = only
        self.shard = shard
        self.forensics = forensics
        self.strict = strict
        self.jobs = jobs
        self.engines = engines
        self.resultsRoot = resultsRoot
    }

    /// The plan the request describes: its scenario files loaded, its cells filtered, its
    /// trials ordered by the seed and, with a shard, its slice cut.
    ///
    /// - Throws: `YAMLErrors` when a scenario file does not load, `PlanError` when the plan
    ///   cannot be made as asked.
    public func plan() throws -> Plan {
        let scenarios = try ScenarioLoader.load(files: scenarioFiles)
        let plan = try Plan(scenarios: scenarios, repeatOverride: repeatCount, seed: seed, only: only)
        guard let shard else { return plan }
        return try plan.shard(shard.index, of: shard.count)
    }

    /// This request continuing the interrupted run `point`: its recorded request with the seed
    /// the run drew, and with the engines and jobs given now when there are any (`strict`
    /// holds if either asked for it).
    ///
    /// - Returns: Nil when the run's manifest records no request (a run folder written
    ///   before requests were recorded).
    public func resuming(_ point: ResumePoint) -> RunRequest? {
        point.manifest.request.map { overriding($0, seed: point.manifest.seed) }
    }

    /// `recorded` (an earlier run's request) with the seed that run drew, this request's
    /// engines and jobs when it has any, and `strict` if either asked for it.
    public func overriding(_ recorded: RunRequest, seed: UInt64?) -> RunRequest {
        var resumed = recorded
        resumed.seed = seed
        if !engines.isEmpty { resumed.engines = engines }
        if let jobs { resumed.jobs = jobs }
        resumed.strict = resumed.strict || strict
        return resumed
    }
}
