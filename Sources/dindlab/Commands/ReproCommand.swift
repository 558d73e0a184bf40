import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// `dindlab repro FILE`: repeats one cell until it fails, and keeps what explains the failure.
struct ReproCommand: AsyncParsableCommand {
    /// What the report says of a kept container, after its label: gc's rule for it.
    static let keptNote = "dindlab gc leaves it unless --include-kept"

    static let configuration = CommandConfiguration(
        commandName: "repro",
        abstract: "Run trials of one cell until the first failure (or one whose signature matches), at most --max.",
        discussion: """
            Writes a run folder like `run` does, then prints the failing trial's first error, \
            signature, artifacts folder and how many trials it took. With --keep the failing outer \
            container is left running, labelled dindlab.kept=true (every outer container of the \
            repro is created with that label, since labels cannot be added later; dindlab removes \
            those whose trials pass), and the commands to enter it are printed; `dindlab gc` leaves \
            it alone unless given --include-kept. With --jobs > 1, trials already running when the \
            failure is found finish and are recorded. Exit status: 1 when the failure was \
            reproduced, 0 when no trial failed that way, 2 when a harness or engine error ended it.
            """
    )

    @Argument(help: "A scenario file (YAML, schema version 1).")
    var file: String

    @Option(
        help: ArgumentHelp(
            "The cell: its id as `plan` prints it, or enough key=value pairs to leave one cell. Needed when the scenario has several cells.",
            valueName: "key=value,..."))
    var cell: String?

    @Flag(help: "Stop at the first failure (the default).")
    var untilFail = false

    @Option(
        help: ArgumentHelp(
            "Stop at the first failure whose signature or first error matches this regular expression.",
            valueName: "regex"))
    var untilSignature: String?

    @Option(parsing: .unconditional, help: "At most this many trials (at least 1).")
    var max = 100

    @Flag(help: "Leave the failing outer container running and print how to enter it.")
    var keep = false

    @Option(parsing: .unconditional, help: "Trials running at once (at least 1).")
    var jobs = 1

    @Option(help: "The seed of the run, recorded in the manifest.")
    var seed: UInt64?

    @OptionGroup var engineOptions: EnginesOptions

    @Option(help: ArgumentHelp("The folder that holds run folders.", valueName: "dir"))
    var out = "results"

    @Option(
        help: ArgumentHelp(
            "Collect forensics for every trial (always), so forensics.md compares the failure with a passing trial, or for failed ones (on-failure).",
            valueName: "when"), transform: Scenario.Forensics.option)
    var forensics: Scenario.Forensics = .onFailure

    func validate() throws {
        guard !(untilFail && untilSignature != nil) else {
            throw ValidationError("Give --until-fail or --until-signature, not both.")
        }
        try Usage.check(max, "--max", counts: "trials")
        try Usage.check(jobs, "--jobs", counts: "trials running at once")
    }

    func run() async throws {
        let outcome: ReproOutcome
        do {
            // None given: the runner takes the engine a cell names (`engine: v17`), else the default.
            let (configuration, selections) = try engineOptions.resolve()
            let scenario = try ScenarioLoader.load(file: file)
            let stop =
                try untilSignature.map { pattern throws(ReproError) in try ReproStop(signatureMatching: pattern) }
                ?? .anyFailure
            let options = ReproOptions(
                cell: cell, stop: stop, maxTrials: max, keep: keep, jobs: jobs, seed: seed,
                forensicsAlways: forensics == .always, resultsRoot: URL(fileURLWithPath: out),
                commandLine: CommandLine.arguments,
                engineFactsCache: EngineFactsCache(folder: EngineFactsCache.defaultFolder()),
                engineConfiguration: configuration)
            let repro = try Repro(scenario: scenario, options: options)
            outcome = try await repro.run(engines: selections, observer: ProgressPrinter())
        } catch {
            throw Usage.failure(error, otherwise: 2)
        }
        print(outcome.rendered(keptNote: Self.keptNote), terminator: "")
        throw ExitCode(outcome.exitCode)
    }
}
