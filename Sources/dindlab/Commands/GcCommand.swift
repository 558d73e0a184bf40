import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// `dindlab gc`: removes the containers that dead dindlab runs left on an engine.
struct GcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove containers that dead or finished dindlab runs left on an engine.",
        discussion: """
            Only containers labelled dindlab.run and dindlab.owner are considered; nothing \
            else is ever touched. A container is removed when its run is over: its owner \
            process (dindlab.owner host:pid, with its recorded start time against pid reuse) \
            is gone. Runs of live dindlab processes are left alone. Owners on other hosts \
            cannot be checked: their containers are removed only with --older-than, once they \
            are that old. Containers labelled dindlab.kept=true (repro --keep) are kept unless \
            --include-kept.
            """
    )

    @OptionGroup var engine: EngineOptions

    @Option(help: ArgumentHelp("Only containers of this run.", valueName: "run id"))
    var run: String?

    @Option(
        help: ArgumentHelp(
            "Only containers at least this old (30m, 12h, 2d); also removes containers of owners on other hosts once they are this old.",
            valueName: "age"))
    var olderThan: String?

    @Flag(help: "Say what would be removed; remove nothing.")
    var dryRun = false

    @Flag(help: "Remove containers labelled dindlab.kept=true too.")
    var includeKept = false

    func validate() throws {
        if let olderThan, AgeText.parse(olderThan) == nil {
            throw ValidationError("--older-than takes an age such as 90s, 30m, 12h or 2d, not \"\(olderThan)\".")
        }
    }

    func run() async throws {
        let report: GarbageCollector.Report
        do {
            let options = GarbageCollector.Options(
                runID: run, olderThan: olderThan.flatMap(AgeText.parse), includeKept: includeKept, dryRun: dryRun)
            // With the engine daemon's pid when it runs here: gc then removes inner containers' cgroups too.
            let collector = GarbageCollector(
                client: try engine.client(), enginePID: try engine.selection().engineHostPID)
            report = try await collector.collect(options)
        } catch {
            throw fail(error, code: 2)
        }
        print(GcReportText.text(report), terminator: "")
        if !report.failures.isEmpty { throw ExitCode(1) }
    }
}
