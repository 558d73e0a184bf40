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
            shard); `dindlab merge` combines the shards' run folders.
            """
    )

    @Argument(help: "Scenario files (YAML, schema version 1).")
    var files: [String]

    @Option(name: .customLong("repeat"), help: "Trials per cell, replacing each scenario's repeat.")
    var repeatCount: Int?

    @Option(help: "Trials (or cells, with isolation: cell) running at once.")
    var jobs = 1

    @Option(help: "The seed of the trial order; drawn at random and printed if not given.")
    var seed: UInt64?

    @Option(name: .customLong("only"), help: ArgumentHelp("Keep only cells where a matrix key has a value (repeatable).", valueName: "key=value"))
    var only: [String] = []

    @Option(name: .customLong("engine"), help: ArgumentHelp(
        "An engine: unix:///path, tcp://host:port, NAME=ADDRESS or a private engine's name. Repeat to spread trials over several engines. Default: DOCKER_HOST, else the private engine \"default\", else /var/run/docker.sock.",
        valueName: "engine"))
    var engines: [String] = []

    @Option(help: ArgumentHelp("The folder that holds run folders.", valueName: "dir"))
    var out = "results"

    @Option(help: ArgumentHelp("Collect forensics for every trial (always) or for failed ones (on-failure).", valueName: "when"))
    var forensics = "on-failure"

    @Option(help: ArgumentHelp("Run only the K-th of N disjoint slices of the plan (needs --seed).", valueName: "K/N"))
    var shard: String?

    @Flag(help: "Judge expectations by the 95% interval: a cell fails only when all of it misses.")
    var strict = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one scenario file.") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1.") }
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
        let result: RunResult
        do {
            let filters = try only.map { argument throws(PlanError) in try CellFilter(parsing: argument) }
            let scenarios = try ScenarioLoader.load(files: files)
            var plan = try Plan(scenarios: scenarios, repeatOverride: repeatCount, seed: seed, only: filters)
            if let (index, count) = try shardNumbers() {
                plan = try plan.shard(index, of: count)
                // With the progress lines, on standard error, so it comes before them.
                FileHandle.standardError.write(Data("shard \(index)/\(count): \(plan.trials.count) of the plan's \(plan.wholePlanTrialCount) trials\n".utf8))
            }
            let selections = try engines.map { try EngineSelection.resolve($0) }
            let printer = ProgressPrinter()
            let options = RunOptions(jobs: jobs, resultsRoot: URL(fileURLWithPath: out), forensicsAlways: forensics == "always")
            result = try await Runner(engines: selections, options: options, observer: printer).run(plan: plan, scenarioFiles: files)
        } catch {
            throw fail(error, code: 2)
        }
        // The reports are made from the run folder, exactly as `dindlab report` makes them.
        let status: ExitCode
        do {
            let report = try await RunReport.load(runDirectory: result.directory, strict: strict)
            status = try publish(report, to: ReportFiles(in: result.directory))
        } catch {
            throw fail(error, code: 2)
        }
        print("Results: \(result.directory.path)")
        throw status
    }
}
