package import DindLabCore
import DockerEngine
package import Foundation

/// Where fingerprints to compare come from: the manifests of runs, or engines asked now.
package enum FingerprintSources {
    /// Every engine of a run, from its manifest.json.
    /// - Parameters:
    ///   - directory: The run folder.
    ///   - labelled: Prefix each engine's name with the run id (when several runs are compared).
    /// - Returns: (label, fingerprint) per engine, in manifest order.
    /// - Throws: `ResultsError` when it is not a run folder, `CompareError` when its manifest cannot be read.
    package static func engines(ofRun directory: URL, labelled: Bool) async throws -> [(
        label: String, fingerprint: EngineFingerprint
    )] {
        let store = try ResultStore(opening: directory)
        let manifest: RunManifest
        do {
            manifest = try await store.readManifest()
        } catch {
            throw CompareError.noManifest(directory.path, reason: error.description)
        }
        return manifest.engines.map { engine in
            (labelled ? "\(store.runID)/\(engine.name)" : engine.name, engine.fingerprint)
        }
    }

    /// Fingerprints an engine now, with a probe of `--privileged` (a short-lived container of
    /// the probe image), as `run` does at its start.
    /// - Parameter selection: The engine.
    /// - Returns: Its fingerprint.
    /// - Throws: `EngineError` when the engine cannot be reached or the probe fails.
    package static func probe(_ selection: EngineSelection) async throws -> EngineFingerprint {
        let client = selection.client()
        return try await FingerprintCollector(client: client).probeAndCollect(daemonPID: selection.localDaemonPID)
    }
}
