import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

extension EngineCommand {
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the engine's fingerprint, with a probe of --privileged.",
            discussion: """
                Daemon version, API version and minimum, kernel, OS, storage driver, cgroup driver and \
                version, the daemon's own cgroup lines (for a private engine), and whether the engine \
                grants --privileged: dindlab starts a short-lived container to find out, and where it \
                cannot, which capabilities it refuses (those an emulated privileged container lacks).
                """
        )

        @OptionGroup var engine: EngineOptions

        @Flag(help: "Print the fingerprint as JSON.")
        var json = false

        func run() async throws {
            do {
                let selection = try engine.selection()
                let client = try engine.client()
                let fingerprint = try await FingerprintCollector(client: client).probeAndCollect(
                    daemonPID: selection.localDaemonPID,
                    factsCache: EngineFactsCache(folder: EngineFactsCache.defaultFolder()))
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(fingerprint), as: UTF8.self))
                } else {
                    print("engine: \(selection.name) (\(client.address))")
                    let width = fingerprint.lines.map { $0.name.count }.max() ?? 0
                    for line in fingerprint.lines {
                        print(line.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + line.value)
                    }
                    if fingerprint.privilegedEmulated {
                        print(
                            "\n--privileged fails on this engine: \(fingerprint.privilegedError ?? "")\nOuter containers that ask for privileged mode get every other capability, seccomp and AppArmor unconfined, all devices and writable cgroups."
                        )
                    }
                }
            } catch {
                throw Usage.failure(error, otherwise: 2)
            }
        }
    }
}
