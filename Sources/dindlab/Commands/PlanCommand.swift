import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner

/// `dindlab plan FILE... [--repeat N] [--seed S] [--only key=value ...]`: shows what a run would
/// do, running nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the cells and trials a run would make, without running anything.",
        discussion: """
            Trials of all cells are interleaved in an order drawn from the seed; the same seed \
            gives the same order. --only filters on the same key are alternatives; on different \
            keys, all must hold. With --engine, also checks that every outer image is on that \
            engine and names each missing one with the command that builds it (exit status 1 then; \
            2 when the engine cannot be asked; 64 for a usage error).
            """
    )

    @Argument(help: "Scenario files (YAML, schema version 1).")
    var files: [String]

    @Option(
        name: .customLong("repeat"), parsing: .unconditional,
        help: "Trials per cell, replacing each scenario's repeat (at least 1).")
    var repeatCount: Int?

    @Option(help: "The seed of the trial order (a 64-bit unsigned integer); drawn at random if not given.")
    var seed: UInt64?

    @Option(
        name: .customLong("only"),
        help: ArgumentHelp("Keep only cells where a matrix key has a value.", valueName: "key=value"))
    var only: [String] = []

    @Option(
        help: ArgumentHelp(
            "Also check that every outer image is on this engine (an address or a private engine's name).",
            valueName: "engine"))
    var engine: String?

    @OptionGroup var configurationOptions: EngineConfigurationOptions

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one scenario file.") }
        try Usage.check(repeatCount, "--repeat", counts: "trials per cell")
    }

    /// The plan's report, its seed line saying how to reproduce the order.
    static func text(of plan: Plan) -> String {
        plan.report() + " (reproduce the order with --seed \(plan.seed))"
    }

    func run() async throws {
        // A bad DOCKER_* value or --api-version ends the command before anything is printed.
        let configuration = try engine.map { _ in try configurationOptions.configuration() }
        let plan: Plan
        do {
            let filters = try only.map { argument throws(PlanError) in try CellFilter(parsing: argument) }
            let scenarios = try ScenarioLoader.load(files: files)
            plan = try Plan(scenarios: scenarios, repeatOverride: repeatCount, seed: seed, only: filters)
            print(Self.text(of: plan))
        } catch {
            throw Usage.failure(error, otherwise: 2)
        }
        if let engine, let configuration {
            // The plan's own cells (after --only), each scenario with just those.
            try await checkOuterImages(
                of: plan.scenarios.map { ($0.scenario.name, $0.cells) }, engine: engine, configuration: configuration)
        }
    }
}
