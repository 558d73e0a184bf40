import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner

@main
struct Dindlab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dindlab",
        abstract: "A reproducible test harness for docker-in-docker experiments.",
        version: Harness.version,
        subcommands: [
            RunCommand.self, ReportCommand.self, MergeCommand.self, ReproCommand.self, CompareCommand.self,
            HistoryCommand.self, FingerprintCommand.self, ValidateCommand.self, PlanCommand.self, EngineCommand.self,
            ImagesCommand.self, GcCommand.self,
        ]
    )

    /// Parses and runs the command, after `EngineSettingsCheck`; an error it does not catch is
    /// worded by `DiagnosticText` (the libraries' typed remedies become hints naming dindlab's
    /// commands and options).
    static func main() async {
        do {
            var command = try parseAsRoot()
            try EngineSettingsCheck.run(before: command)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: DiagnosticText.worded(error))
        }
    }
}
