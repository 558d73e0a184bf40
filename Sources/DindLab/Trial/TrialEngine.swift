import DockerEngine
import Foundation

/// An engine trials run on, with what the run learned about it once at its start.
public struct TrialEngine: Sendable {
    /// The name trials record ("default", a private engine's name, or one given on the command line).
    public var name: String
    public var client: EngineClient
    public var apiVersion: APIVersion
    public var privilege: PrivilegeSupport
    public var fingerprint: EngineFingerprint
    /// The engine daemon's pid when it runs on this machine (a Unix socket whose server dindlab
    /// can see), so cgroups can be changed from the engine's host (`daemon.cgroup-divergence`,
    /// the cleanup of `outer.cgroup-parent`); nil for remote engines.
    public var localDaemonPID: Int32?

    public init(name: String, client: EngineClient, apiVersion: APIVersion, privilege: PrivilegeSupport, fingerprint: EngineFingerprint, localDaemonPID: Int32? = nil) {
        self.name = name
        self.client = client
        self.apiVersion = apiVersion
        self.privilege = privilege
        self.fingerprint = fingerprint
        self.localDaemonPID = localDaemonPID
    }
}

/// Labels of outer images, read once per run: the daemon command and Docker version the
/// image was built with.
actor OuterImageFacts {
    private var labels: [String: [String: String]] = [:]

    /// The image's labels.
    ///
    /// - Throws: `TrialFailure` (error) when the image is not on the engine, saying how to build it.
    func labels(of image: String, on client: EngineClient) async throws -> [String: String] {
        if let known = labels[image] { return known }
        guard let inspect = try await client.inspectImage(image) else {
            let how = OuterImageCheck.source(of: image)
            throw TrialFailure(outcome: .error, phase: .outer, stepOutput: "The outer image \(image) is not on the engine \(client.address): \(how).")
        }
        labels[image] = inspect.labels
        return inspect.labels
    }
}
