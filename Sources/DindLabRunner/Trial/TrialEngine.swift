package import DindLabCore
package import DindLabEngines
package import DockerEngine
import Foundation

/// An engine trials run on, with what the run learned about it once at its start.
package struct TrialEngine: Sendable {
    /// The name trials record ("default", a private engine's name, or one given on the command line).
    package var name: String
    package var client: EngineClient
    package var apiVersion: APIVersion
    package var privilege: PrivilegeSupport
    package var fingerprint: EngineFingerprint
    /// The engine daemon's pid when it runs on this machine (a Unix socket whose server dindlab
    /// can see), so cgroups can be changed from the engine's host (`daemon.cgroup-divergence`,
    /// the cleanup of `outer.cgroup-parent`); nil for remote engines.
    package var localDaemonPID: Int32?

    package init(
        name: String, client: EngineClient, apiVersion: APIVersion, privilege: PrivilegeSupport,
        fingerprint: EngineFingerprint, localDaemonPID: Int32? = nil
    ) {
        self.name = name
        self.client = client
        self.apiVersion = apiVersion
        self.privilege = privilege
        self.fingerprint = fingerprint
        self.localDaemonPID = localDaemonPID
    }
}

/// What an engine's outer images are, inspected once per run and image: whether the image is
/// there (the runner skips cells without it), its id and labels (the manifest), and the daemon
/// command and Docker version its labels name (every trial).
actor OuterImageFacts {
    /// The inspection of each image asked for; nil: the image is not on the engine.
    private var inspections: [String: ImageInspect?] = [:]

    /// The image's inspection, from the engine the first time only; nil when it is not there.
    func inspect(_ image: String, on client: EngineClient) async throws -> ImageInspect? {
        if let known = inspections[image] { return known }
        let inspect = try await client.inspectImage(image)
        inspections[image] = .some(inspect)
        return inspect
    }

    /// The image's labels.
    ///
    /// - Throws: `TrialFailure` (error) when the image is not on the engine, saying how to build it.
    func labels(of image: String, on client: EngineClient) async throws -> [String: String] {
        guard let inspect = try await inspect(image, on: client) else {
            let how = OuterImageCheck.source(of: image)
            throw TrialFailure(
                outcome: .error, phase: .outer,
                stepOutput: "The outer image \(image) is not on the engine \(client.address): \(how).")
        }
        return inspect.labels
    }
}
