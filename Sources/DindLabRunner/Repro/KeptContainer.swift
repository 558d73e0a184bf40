package import DindLabCore
import DindLabEngines
package import DockerEngine
import Foundation

/// An outer container `repro --keep` left running after its trial failed, and the commands
/// to look inside it.
///
/// Kept containers carry the label `dindlab.kept=true`. Labels cannot be added to a
/// container after it is created, so a run with `--keep` creates every outer container with
/// it; dindlab itself removes those whose trials pass. `dindlab gc` leaves containers with
/// this label alone unless it is given `--include-kept`: that label is the contract.
package struct KeptContainer: Sendable, Hashable {
    /// The label that marks kept containers.
    package static let label = Ownership.keptLabel

    package var id: String
    package var trialID: String?
    package var engineName: String
    /// The engine's address as the docker CLI takes it with -H.
    package var engineAddress: String
    /// The docker CLI's TLS options for the engine (none for a Unix socket).
    package var tlsArguments: [String]

    package init(id: String, trialID: String?, engineName: String, engineAddress: String, tlsArguments: [String] = []) {
        self.id = id
        self.trialID = trialID
        self.engineName = engineName
        self.engineAddress = engineAddress
        self.tlsArguments = tlsArguments
    }

    /// `docker -H <engine>` and its TLS options.
    private var docker: [String] { ["docker", "-H", engineAddress] + tlsArguments }

    /// The docker CLI's options for an engine's TLS settings.
    static func tlsArguments(_ tls: TLSConfiguration?) -> [String] {
        guard let tls else { return [] }
        return [
            tls.verifyPeer ? "--tlsverify" : "--tls", "--tlscacert", tls.caCertificatePath, "--tlscert",
            tls.certificatePath, "--tlskey", tls.keyPath,
        ]
    }

    /// A shell in the outer container.
    package var enterCommand: [String] { docker + ["exec", "-it", id, "sh"] }
    /// The inner daemon's view of itself.
    package var innerInfoCommand: [String] { docker + ["exec", id, "docker", "info"] }
    /// The inner daemon's log.
    package var innerLogCommand: [String] { docker + ["exec", id, "cat", OuterScripts.daemonLog] }
    /// Removes it when done.
    package var removeCommand: [String] { docker + ["rm", "-f", "-v", id] }

    /// The commands, one per line, quoted for a POSIX shell, with what each does.
    package var rendered: String {
        let rows = [
            ("enter it", enterCommand),
            ("inner daemon", innerInfoCommand),
            ("its log", innerLogCommand),
            ("remove it", removeCommand),
        ]
        return rows.map {
            "  \($0.0.padding(toLength: 13, withPad: " ", startingAt: 0)) \(OuterScripts.quoteIfNeeded($0.1))"
        }.joined(separator: "\n") + "\n"
    }

    /// Finds the kept containers of a run on an engine.
    /// - Parameters:
    ///   - runID: The run.
    ///   - client: The engine's client.
    ///   - engineName: The engine's name in the run.
    /// - Returns: The running containers with the run's id and the kept label, oldest first.
    package static func find(runID: RunID, on client: EngineClient, engineName: String) async throws -> [KeptContainer]
    {
        let containers = try await client.listContainers(all: true, labels: ["dindlab.run=\(runID)", "\(label)=true"])
        return containers.sorted { ($0.created ?? 0) < ($1.created ?? 0) }.map { summary in
            KeptContainer(
                id: summary.id, trialID: summary.labels?["dindlab.trial"], engineName: engineName,
                engineAddress: client.address.description, tlsArguments: tlsArguments(client.address.tls))
        }
    }
}

extension OuterScripts {
    /// Words joined for a shell, quoting only those that need it, so printed commands stay readable.
    static func quoteIfNeeded(_ words: [String]) -> String {
        words.map { word in
            word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0) } && !word.isEmpty
                ? word : quote(word)
        }.joined(separator: " ")
    }
}
