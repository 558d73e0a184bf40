import ArgumentParser
import DindLab

/// `dindlab plan FILE... [--repeat N] [--seed S] [--only key=value ...]`: shows what a run would
/// do, running nothing.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the cells and trials a run would make, without running anything.",
        discussion: """
            Trials of all cells are interleaved in an order drawn from the seed; the same seed \
            gives the same order. --only filters on the same key are alternatives; on different \
            keys, all must hold.
            """
    )

    @Argument(help: "Scenario files (YAML, schema version 1).")
    var files: [String]

    @Option(name: .customLong("repeat"), help: "Trials per cell, replacing each scenario's repeat.")
    var repeatCount: Int?

    @Option(help: "The seed of the trial order (a 64-bit unsigned integer); drawn at random if not given.")
    var seed: UInt64?

    @Option(name: .customLong("only"), help: ArgumentHelp("Keep only cells where a matrix key has a value.", valueName: "key=value"))
    var only: [String] = []

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one scenario file.") }
    }

    func run() throws {
        let filters = try only.map { argument throws(PlanError) in try CellFilter(parsing: argument) }
        let scenarios = try ScenarioLoader.load(files: files)
        let plan = try Plan(scenarios: scenarios, repeatOverride: repeatCount, seed: seed, only: filters)
        print(plan.report())
    }
}
