package import DindLabCore
package import DindLabEngines
package import DockerEngine
package import Foundation

/// How a repro runs, beyond its scenario.
package struct ReproOptions: Sendable {
    /// `--cell key=value,...`; may be nil for a scenario of one cell.
    package var cell: String?
    package var stop: ReproStop
    /// At most this many trials.
    package var maxTrials: Int
    /// Leave the failing outer container running.
    package var keep: Bool
    package var jobs: Int
    package var seed: UInt64?
    /// Collect forensics for passing trials too, so forensics.md can compare.
    package var forensicsAlways: Bool
    /// The folder that holds run folders.
    package var resultsRoot: URL
    package var commandLine: [String]
    /// What earlier runs learnt about the engines' daemons; nil: every engine is probed anew.
    package var engineFactsCache: EngineFactsCache?
    /// DOCKER_HOST, TLS and the API version (see `RunOptions.engineConfiguration`); nil:
    /// resolved from the environment when needed.
    package var engineConfiguration: EngineConfiguration?

    package init(
        cell: String? = nil, stop: ReproStop = .anyFailure, maxTrials: Int = 100, keep: Bool = false, jobs: Int = 1,
        seed: UInt64? = nil, forensicsAlways: Bool = false, resultsRoot: URL, commandLine: [String] = [],
        engineFactsCache: EngineFactsCache? = nil, engineConfiguration: EngineConfiguration? = nil
    ) {
        self.engineConfiguration = engineConfiguration
        self.cell = cell
        self.stop = stop
        self.maxTrials = maxTrials
        self.keep = keep
        self.jobs = jobs
        self.seed = seed
        self.forensicsAlways = forensicsAlways
        self.resultsRoot = resultsRoot
        self.commandLine = commandLine
        self.engineFactsCache = engineFactsCache
    }
}

/// Runs trials of one cell until the failure sought, at most `maxTrials`, as a run that
/// writes its folder like `run` does, and reports which trial failed and how to look at it.
///
/// It is a plan of `maxTrials` trials of the cell with a stop condition: the runner starts no
/// trial after the first one that meets it; with `--jobs` > 1 the trials already running
/// finish and are recorded. With `keep`, the outer containers of the failures sought are left
/// running (see `KeptContainer`).
package struct Repro: Sendable {
    package let scenario: Scenario
    package let cell: Cell
    package let plan: Plan
    package let options: ReproOptions

    /// - Parameters:
    ///   - scenario: The loaded scenario (its source file and digest go into the manifest).
    ///   - options: The cell, stop condition and the rest.
    /// - Throws: `ReproError` when the cell cannot be chosen or `maxTrials` is below 1; `PlanError`.
    package init(scenario: Scenario, options: ReproOptions) throws {
        guard options.maxTrials >= 1 else { throw ReproError.invalidMax(options.maxTrials) }
        let target = try ReproTarget.select(in: scenario, cell: options.cell)
        self.scenario = scenario
        self.cell = target.cell
        self.options = options
        self.plan = try Plan(
            scenarios: [scenario], repeatOverride: options.maxTrials, seed: options.seed, only: target.filters)
    }

    /// Runs the trials.
    /// - Parameters:
    ///   - engines: The engines to run on.
    ///   - observer: Progress reporting, or nil.
    /// - Returns: What happened.
    /// - Throws: What `Runner.run` throws.
    package func run(engines: [EngineSelection], observer: (any RunObserver)? = nil) async throws -> ReproOutcome {
        let stop = options.stop
        let runOptions = RunOptions(
            jobs: options.jobs, resultsRoot: options.resultsRoot, commandLine: options.commandLine,
            forensicsAlways: options.forensicsAlways, keepFailed: options.keep,
            keepWhen: { stop.isSought($0) }, stopWhen: { stop.ends(after: $0) },
            engineFactsCache: options.engineFactsCache,
            engineConfiguration: options.engineConfiguration)
        let result = try await Runner(engines: engines, options: runOptions, observer: observer).run(plan: plan)
        var kept: [KeptContainer] = []
        var problems: [String] = []
        if options.keep {
            // The run's engines: those given, and any the scenario names itself.
            for engine in result.manifest.engines {
                do {
                    let configuration = try options.engineConfiguration ?? EngineConfiguration.resolve()
                    let address = try configuration.address(parsing: engine.endpoint ?? "")
                    kept += try await KeptContainer.find(
                        runID: result.manifest.runID, on: configuration.client(address: address),
                        engineName: engine.name)
                } catch {
                    problems.append("Listing the kept containers on the engine \(engine.name) failed: \(error)")
                }
            }
        }
        return ReproOutcome(
            run: result, cell: cell, stop: options.stop, maxTrials: options.maxTrials, kept: kept, problems: problems)
    }
}
