import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// `dindlab merge RUN_DIR... --out DIR`: combines the shards of one plan into one run folder.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the run folders of `run --shard K/N` into one run and rebuild its reports.",
        discussion: """
            The runs must be shards of one plan: the same scenario files (by sha256), the same \
            --seed, --repeat and --only, each shard once. A missing shard is allowed (a CI job may \
            have died) but its trials count as missing: exit status 2 unless an expectation fails \
            (1). Engines of every shard are listed in the merged manifest.
            """
    )

    @Argument(help: ArgumentHelp("The shards' run folders (results/<run id>/).", valueName: "run-dir"))
    var runDirectories: [String]

    @Option(help: ArgumentHelp("The merged run folder to create; its name becomes the run id.", valueName: "dir"))
    var out: String

    @Flag(help: "Judge expectations by the 95% interval: a cell fails only when all of it misses.")
    var strict = false

    func validate() throws {
        guard !runDirectories.isEmpty else { throw ValidationError("Give at least one run folder to merge.") }
    }

    func run() async throws {
        let status: ExitCode
        do {
            let merged = try await RunMerger.merge(
                runDirectories.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: out),
                commandLine: CommandLine.arguments)
            for warning in merged.warnings {
                FileHandle.standardError.write(Data("dindlab: warning: \(warning).\n".utf8))
            }
            print(
                "Merged \(merged.trialCount) trials from \(runDirectories.count) run\(runDirectories.count == 1 ? "" : "s") into \(merged.directory.path)."
            )
            let report = try await RunReport.load(runDirectory: merged.directory, strict: strict)
            status = try publish(report, to: ReportFiles(in: merged.directory))
        } catch {
            throw fail(error, code: 2)
        }
        throw status
    }
}
