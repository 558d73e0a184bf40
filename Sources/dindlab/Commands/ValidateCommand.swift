import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

/// `dindlab validate FILE... [--engine E]`: checks scenario files without running anything.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files against the schema.",
        discussion: """
            Prints "FILE: ok (N cells, M trials)" for each valid file, and every problem of an \
            invalid one as FILE:LINE:COLUMN: KEY PATH: MESSAGE. With --engine, also checks that \
            every outer image the cells use is on that engine, and names each missing one with the \
            command that builds it, and each inner image an outer image's labels say it does not \
            ship (a run would skip those cells). Exit status: 0 when all is well, 1 when a file is \
            invalid or an image is missing, 2 when the engine cannot be asked, 64 for a usage error.
            """
    )

    @Argument(help: "Scenario files (YAML, schema version 1).")
    var files: [String]

    @Option(
        help: ArgumentHelp(
            "Also check that every outer image is on this engine (an address or a private engine's name).",
            valueName: "engine"))
    var engine: String?

    @OptionGroup var configurationOptions: EngineConfigurationOptions

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one scenario file.") }
    }

    func run() async throws {
        // A bad DOCKER_* value or --api-version ends the command before anything is printed.
        let configuration = try engine.map { _ in try configurationOptions.configuration() }
        let report = ValidationReport(files: files)
        print(report.text)
        if !report.isValid { throw ExitCode.failure }
        if let engine, let configuration {
            try await checkOuterImages(
                of: report.results.compactMap(\.scenario).map { ($0.name, $0.cells()) }, engine: engine,
                configuration: configuration)
        }
    }
}

/// `--engine E` of validate and plan: prints each outer image missing on the engine with the
/// command that builds it, and exits 1 when one is missing (2 when the engine cannot be asked,
/// 64 when the argument is no engine).
func checkOuterImages(
    of scenarios: [(name: String, cells: [Cell])], engine argument: String, configuration: EngineConfiguration
) async throws {
    let report: OuterImageCheck.Report
    let selection: EngineSelection
    do {
        selection = try EngineSelection.resolve(argument, configuration: configuration)
        report = try await OuterImageCheck.check(scenarios, on: selection)
    } catch {
        throw Usage.failure(error, otherwise: 2)
    }
    let (missing, unshipped) = (report.missing, report.unshipped)
    guard !missing.isEmpty || !unshipped.isEmpty else {
        print("every outer image is on the engine \(selection.name) (\(selection.address))")
        return
    }
    for image in missing {
        print(
            "the outer image \(image.image) (used by \(image.scenarios.joined(separator: ", "))) is not on the engine \(selection.address): \(OptionErrorText.howToGet(image.source, engine: selection.address.description))"
        )
    }
    if !missing.isEmpty {
        print(
            "\(missing.count) outer image\(missing.count == 1 ? " is" : "s are") missing: a run on this engine would skip the cells that use \(missing.count == 1 ? "it" : "them")"
        )
    }
    for pair in unshipped {
        print("\(pair.scenarios.joined(separator: ", ")): \(pair.sentence)")
    }
    if !unshipped.isEmpty {
        print(
            "\(unshipped.count) inner image\(unshipped.count == 1 ? " is" : "s are") not shipped by \(unshipped.count == 1 ? "its" : "their") outer image: a run on this engine would skip the cells that ask for \(unshipped.count == 1 ? "it" : "them")"
        )
    }
    throw ExitCode.failure
}
