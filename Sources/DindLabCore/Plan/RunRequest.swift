/// What a run was asked to do, as values: the scenario files and the options that shape its
/// plan and its trials. The command line builds one; the runner records it in the manifest,
/// so that a resumed run rebuilds the same plan from the recorded values, without reading
/// a command line again.
package struct RunRequest: Sendable, Hashable, Codable {
    /// The scenario files, as given.
    package var scenarioFiles: [String]
    /// Trials per cell, replacing each scenario's `repeat`; nil keeps the scenarios'.
    package var repeatCount: Int?
    /// The seed of the trial order; nil draws one.
    package var seed: UInt64?
    /// Keep only the cells where a matrix key has a value.
    package var only: [CellFilter]
    /// Run only this slice of the plan.
    package var shard: Plan.Shard?
    /// For which trials forensics are collected.
    package var forensics: Scenario.Forensics
    /// Judge expectations by the 95% interval.
    package var strict: Bool
    /// Trials (or cells, with `isolation: cell`) running at once; nil: one.
    package var jobs: Int?
    /// The engines as given (addresses, NAME=ADDRESS or private engines' names); empty: the
    /// default engine.
    package var engines: [String]
    /// The folder that holds run folders.
    package var resultsRoot: String

    /// - Parameters: See the properties.
    package init(
        scenarioFiles: [String], repeatCount: Int? = nil, seed: UInt64? = nil, only: [CellFilter] = [],
        shard: Plan.Shard? = nil,
        forensics: Scenario.Forensics = .onFailure, strict: Bool = false, jobs: Int? = nil, engines: [String] = [],
        resultsRoot: String = "results"
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
    package func plan() throws -> Plan {
        let scenarios = try ScenarioLoader.load(files: scenarioFiles)
        let plan = try Plan(scenarios: scenarios, repeatOverride: repeatCount, seed: seed, only: only)
        guard let shard else { return plan }
        return try plan.shard(shard.index, of: shard.count)
    }

    /// `recorded` (an earlier run's request) with the seed that run drew, this request's
    /// engines and jobs when it has any, and `strict` if either asked for it.
    package func overriding(_ recorded: RunRequest, seed: UInt64?) -> RunRequest {
        var resumed = recorded
        resumed.seed = seed
        if !engines.isEmpty { resumed.engines = engines }
        if let jobs { resumed.jobs = jobs }
        resumed.strict = resumed.strict || strict
        return resumed
    }
}
