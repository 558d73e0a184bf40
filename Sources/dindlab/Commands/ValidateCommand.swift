import ArgumentParser
import DindLab

/// `dindlab validate FILE...`: checks scenario files without running anything.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files against the schema.",
        discussion: """
            Prints "FILE: ok (N cells, M trials)" for each valid file, and every problem of an \
            invalid one as FILE:LINE:COLUMN: KEY PATH: MESSAGE. Exits 1 if any file is invalid.
            """
    )

    @Argument(help: "Scenario files (YAML, schema version 1).")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one scenario file.") }
    }

    func run() throws {
        let report = ValidationReport(files: files)
        print(report.text)
        if !report.isValid { throw ExitCode.failure }
    }
}
