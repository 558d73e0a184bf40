import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

/// `dindlab fingerprint diff`: the lines of engines' fingerprints that differ.
struct FingerprintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fingerprint",
        abstract: "Compare engines' fingerprints.",
        subcommands: [Diff.self]
    )

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the fingerprint lines that differ between engines.",
            discussion: """
                Engines come from run folders (every engine in each manifest.json) and from --engine \
                (asked now, with a probe of --privileged). Lines: daemon and API versions, kernel, \
                OS, storage driver, cgroup driver and version, privileged support and refused \
                capabilities, the engine daemon's own cgroup lines. Exit status: 0 when the \
                fingerprints are identical, 1 when some line differs, 2 when they could not be read.
                """
        )

        @Argument(help: "Run folders (results/<run id>) whose engines to compare.")
        var runs: [String] = []

        @Option(
            name: .customLong("engine"),
            help: ArgumentHelp("An engine to fingerprint now: \(EngineHelp.forms) (repeatable).", valueName: "engine"))
        var engines: [String] = []

        @OptionGroup var configurationOptions: EngineConfigurationOptions

        func run() async throws {
            let diff: FingerprintDiff
            do {
                let configuration = try configurationOptions.configuration()
                var fingerprints: [(label: String, fingerprint: EngineFingerprint)] = []
                for path in runs {
                    fingerprints += try await FingerprintSources.engines(
                        ofRun: URL(fileURLWithPath: path), labelled: runs.count > 1)
                }
                for argument in engines {
                    let selection = try EngineSelection.resolve(argument, configuration: configuration)
                    let label =
                        argument.contains("=") || !argument.contains("://")
                        ? selection.name : selection.address.description
                    fingerprints.append((label, try await FingerprintSources.probe(selection)))
                }
                guard fingerprints.count >= 2 else { throw CompareError.tooFewEngines(fingerprints.count) }
                diff = FingerprintDiff(fingerprints)
            } catch {
                throw fail(error, code: 2)
            }
            print(diff.rendered, terminator: "")
            throw ExitCode(diff.identical ? 0 : 1)
        }
    }
}
