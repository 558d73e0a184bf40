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
            OUT/<run id>/ (manifest.json, trials.jsonl, artifacts/, summary.json). Exit status: 0 \
            when every expectation holds, 1 when one fails, 2 when harness or engine errors \
            prevented judgement.
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

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one scenario file.") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1.") }
        guard ["always", "on-failure"].contains(forensics) else { throw ValidationError("--forensics takes always or on-failure.") }
    }

    func run() async throws {
        let result: RunResult
        do {
            let filters = try only.map { argument throws(PlanError) in try CellFilter(parsing: argument) }
            let scenarios = try ScenarioLoader.load(files: files)
            let plan = try Plan(scenarios: scenarios, repeatOverride: repeatCount, seed: seed, only: filters)
            let selections = try engines.map { try EngineSelection.resolve($0) }
            let printer = ProgressPrinter()
            let options = RunOptions(jobs: jobs, resultsRoot: URL(fileURLWithPath: out), forensicsAlways: forensics == "always")
            result = try await Runner(engines: selections, options: options, observer: printer).run(plan: plan, scenarioFiles: files)
        } catch {
            throw fail(error, code: 2)
        }
        print(SummaryTable.render(result.summary), terminator: "")
        print("\nResults: \(result.directory.path)")
        throw ExitCode(RunVerdict(result.summary).exitCode)
    }
}
