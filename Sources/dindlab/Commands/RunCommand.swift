import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
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

    @Option(
        help: ArgumentHelp(
            "Continue an interrupted run in its folder: the same scenario files, options and seed from its manifest, skipping the trials it recorded. --engine and --jobs may be given again.",
            valueName: "run dir"))
    var resume: String?

    // .unconditional: `--repeat -1` is a value to refuse by name, not a missing one.
    @Option(
        name: .customLong("repeat"), parsing: .unconditional,
        help: "Trials per cell, replacing each scenario's repeat (at least 1).")
    var repeatCount: Int?

    @Option(parsing: .unconditional, help: "Trials (or cells, with isolation: cell) running at once (default 1).")
    var jobs: Int?

    @Option(help: "The seed of the trial order; drawn at random and printed if not given.")
    var seed: UInt64?

    @Option(
        name: .customLong("only"),
        help: ArgumentHelp("Keep only cells where a matrix key has a value (repeatable).", valueName: "key=value"))
    var only: [String] = []

    @OptionGroup var engineOptions: EnginesOptions

    @Option(help: ArgumentHelp("The folder that holds run folders.", valueName: "dir"))
    var out = "results"

    @Option(
        help: ArgumentHelp(
            "Collect forensics for every trial (always) or for failed ones (on-failure).", valueName: "when"),
        transform: Scenario.Forensics.option)
    var forensics: Scenario.Forensics = .onFailure

    @Option(help: ArgumentHelp("Run only the K-th of N disjoint slices of the plan (needs --seed).", valueName: "K/N"))
    var shard: String?

    @Flag(help: "Judge expectations by the 95% interval: a cell fails only when all of it misses.")
    var strict = false

    func validate() throws {
        if resume != nil {
            guard files.isEmpty, repeatCount == nil, seed == nil, only.isEmpty, shard == nil else {
                throw ValidationError(
                    "--resume takes the scenario files, --repeat, --seed, --only and --shard from the run's manifest; give none of them."
                )
            }
        } else {
            guard !files.isEmpty else { throw ValidationError("Give at least one scenario file.") }
        }
        try Usage.check(repeatCount, "--repeat", counts: "trials per cell")
        try Usage.check(jobs, "--jobs", counts: "trials running at once")
        if shard != nil {
            _ = try shardNumbers()
            guard seed != nil else {
                throw ValidationError(
                    "--shard needs --seed: every shard must cut its slice from the same plan, and the plan's order comes from the seed."
                )
            }
        }
    }

    /// `--shard 2/3` as (2, 3).
    func shardNumbers() throws -> (index: Int, count: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
            (1...count).contains(index)
        else {
            throw ValidationError("--shard \(shard): expected K/N with 1 <= K <= N, e.g. --shard 2/3.")
        }
        return (index, count)
    }

    /// The options as a request (scenario files and all; `validate` has checked them).
    func request() throws -> RunRequest {
        RunRequest(
            scenarioFiles: files, repeatCount: repeatCount, seed: seed,
            only: try only.map { argument throws(PlanError) in try CellFilter(parsing: argument) },
            shard: try shardNumbers().map { Plan.Shard(index: $0.index, count: $0.count) },
            forensics: forensics, strict: strict, jobs: jobs, engines: engineOptions.engines, resultsRoot: out)
    }

    func run() async throws {
        let configuration = try engineOptions.configurationOptions.configuration()
        let frontend = RunFrontend(commandLine: CommandLine.arguments, configuration: configuration)
        if let resume {
            try await frontend.run(
                .resume(
                    URL(fileURLWithPath: resume),
                    overrides: RunRequest(scenarioFiles: [], strict: strict, jobs: jobs, engines: engineOptions.engines)
                ))
        } else {
            let request: RunRequest
            do {
                request = try self.request()
            } catch {
                throw Usage.failure(error, otherwise: 2)
            }
            try await frontend.run(.new(request))
        }
    }
}
