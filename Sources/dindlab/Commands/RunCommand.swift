import ArgumentParser
import DindLab
import Foundation

/// `dindlab run FILE...`: runs the scenarios' trials and tallies them.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios: repeat DinD trials, tally success rates and first-error signatures.",
        discussion: """
            Trials of all cells are interleaved in an order drawn from the seed. Results go to \
            OUT/<run id>/ (manifest.json, trials.jsonl, artifacts/, and the reports summary.json, \
            junit.xml, summary.md, report.html). Exit status: 0 when every expectation holds, 1 \
            when one fails, 2 when harness or engine errors prevented judgement. With --strict a \
            cell fails only when its whole 95% interval lies on the wrong side of the expectation. \
            --shard K/N runs the K-th of N disjoint slices of the plan (same --seed on every \
            shard); `dindlab merge` combines the shards' run folders. The first SIGINT or SIGTERM \
            starts no new trial and lets the running ones finish, then writes the results and \
            reports and exits 130 (SIGINT) or 143 (SIGTERM); a second one cancels the running \
            trials, still removing their containers. `--resume RUN_DIR` continues such a run.
            """
    )

    @Argument(help: "Scenario files (YAML, schema version 1).")
    var files: [String] = []

    @Option(help: ArgumentHelp("Continue an interrupted run in its folder: the same scenario files, options and seed from its manifest, skipping the trials it recorded. --engine and --jobs may be given again.", valueName: "run dir"))
    var resume: String?

    // .unconditional: `--repeat -1` is a value to refuse by name, not a missing one.
    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Trials per cell, replacing each scenario's repeat (at least 1).")
    var repeatCount: Int?

    @Option(parsing: .unconditional, help: "Trials (or cells, with isolation: cell) running at once (default 1).")
    var jobs: Int?

    @Option(help: "The seed of the trial order; drawn at random and printed if not given.")
    var seed: UInt64?

    @Option(name: .customLong("only"), help: ArgumentHelp("Keep only cells where a matrix key has a value (repeatable).", valueName: "key=value"))
    var only: [String] = []

    @OptionGroup var engineOptions: EnginesOptions

    @Option(help: ArgumentHelp("The folder that holds run folders.", valueName: "dir"))
    var out = "results"

    @Option(help: ArgumentHelp("Collect forensics for every trial (always) or for failed ones (on-failure).", valueName: "when"))
    var forensics = "on-failure"

    @Option(help: ArgumentHelp("Run only the K-th of N disjoint slices of the plan (needs --seed).", valueName: "K/N"))
    var shard: String?

    @Flag(help: "Judge expectations by the 95% interval: a cell fails only when all of it misses.")
    var strict = false

    func validate() throws {
        if resume != nil {
            guard files.isEmpty, repeatCount == nil, seed == nil, only.isEmpty, shard == nil else {
                throw ValidationError("--resume takes the scenario files, --repeat, --seed, --only and --shard from the run's manifest; give none of them.")
            }
        } else {
            guard !files.isEmpty else { throw ValidationError("Give at least one scenario file.") }
        }
        try Usage.check(repeatCount, "--repeat", counts: "trials per cell")
        try Usage.check(jobs, "--jobs", counts: "trials running at once")
        guard ["always", "on-failure"].contains(forensics) else { throw ValidationError("--forensics takes always or on-failure.") }
        if shard != nil {
            _ = try shardNumbers()
            guard seed != nil else {
                throw ValidationError("--shard needs --seed: every shard must cut its slice from the same plan, and the plan's order comes from the seed.")
            }
        }
    }

    /// `--shard 2/3` as (2, 3).
    func shardNumbers() throws -> (index: Int, count: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else {
            throw ValidationError("--shard \(shard): expected K/N with 1 <= K <= N, e.g. --shard 2/3.")
        }
        return (index, count)
    }

    func run() async throws {
        let interruption = RunInterruption()
        let result: RunResult
        var invocation = self
        do {
            var resumePoint: ResumePoint?
            if let resume {
                let point = try await ResumePoint.open(URL(fileURLWithPath: resume))
                try point.checkScenarioFiles()
                invocation = try RunCommand.parse(try point.runArguments())
                invocation.seed = point.manifest.seed
                if !engineOptions.engines.isEmpty { invocation.engineOptions.engines = engineOptions.engines }
                if let apiVersion = engineOptions.configurationOptions.apiVersion { invocation.engineOptions.configurationOptions.apiVersion = apiVersion }
                if let jobs { invocation.jobs = jobs }
                invocation.strict = invocation.strict || strict
                resumePoint = point
            }
            let (configuration, selections) = try invocation.engineOptions.resolve()
            let filters = try invocation.only.map { argument throws(PlanError) in try CellFilter(parsing: argument) }
            let scenarios = try ScenarioLoader.load(files: invocation.files)
            var plan = try Plan(scenarios: scenarios, repeatOverride: invocation.repeatCount, seed: invocation.seed, only: filters)
            if let (index, count) = try invocation.shardNumbers() {
                plan = try plan.shard(index, of: count)
                // With the progress lines, on standard error, so it comes before them.
                FileHandle.standardError.write(Data("shard \(index)/\(count): \(plan.trials.count) of the plan's \(plan.wholePlanTrialCount) trials\n".utf8))
            }
            for selection in selections {
                if let warning = SafetyNotices.unencryptedEngine(selection.address) {
                    FileHandle.standardError.write(Data((warning + "\n").utf8))
                }
            }
            let printer = ProgressPrinter()
            let options = RunOptions(
                jobs: invocation.jobs ?? 1, resultsRoot: URL(fileURLWithPath: invocation.out),
                forensicsAlways: invocation.forensics == "always", interruption: interruption, resume: resumePoint,
                keepRecords: false, engineFactsCache: EngineFactsCache(folder: EngineFactsCache.defaultFolder()),
                engineConfiguration: configuration
            )
            let runner = Runner(engines: selections, options: options, observer: printer)
            let files = invocation.files
            let planToRun = plan
            result = try await InterruptSignals.run(interruption: interruption) {
                let result = try await runner.run(plan: planToRun, scenarioFiles: files)
                if result.skippedTrials > 0 { await printer.finish() }
                return result
            }
        } catch {
            if let code = interruption.exitCode {
                FileHandle.standardError.write(Data("dindlab: interrupted before the run could finish: \(error)\n".utf8))
                throw ExitCode(code)
            }
            throw Usage.failure(error, otherwise: 2)
        }
        // The reports are made from the run folder, exactly as `dindlab report` makes them.
        let status: ExitCode
        do {
            let report = try await RunReport.load(runDirectory: result.directory, strict: invocation.strict)
            status = try publish(report, to: ReportFiles(in: result.directory), interruptedBy: result.interruptedBy)
        } catch {
            throw fail(error, code: 2)
        }
        print("Results: \(result.directory.path)")
        if let signal = result.interruptedBy {
            let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
            print("Interrupted by \(name): \(result.recordCount) of \(result.recordCount + result.skippedTrials) trials are recorded. Run the rest with: dindlab run --resume \(result.directory.path)")
        }
        throw status
    }
}
