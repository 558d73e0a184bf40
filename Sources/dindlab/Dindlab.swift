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
        subcommands: [RunCommand.self, ReportCommand.self, MergeCommand.self, ReproCommand.self, CompareCommand.self, HistoryCommand.self, FingerprintCommand.self, ValidateCommand.self, PlanCommand.self, EngineCommand.self, ImagesCommand.self, GcCommand.self]
    )
}
