public import Foundation

/// How to reach engines, resolved once from the caller's settings and the environment.
///
/// This is the only place that reads DOCKER_HOST, DOCKER_API_VERSION, DOCKER_TLS_VERIFY and
/// DOCKER_CERT_PATH. A value that cannot be used is refused here, at once, with an
/// `EngineError` that names the variable and its value, so every caller fails the same way
/// instead of each one guessing (or silently ignoring the value).
///
///     let configuration = try EngineConfiguration.resolve(apiVersion: flag, environment: environment)
///     let client = configuration.client(address: try configuration.address(parsing: "tcp://h:2376"))
public struct EngineConfiguration: Sendable, Hashable {
    /// The variable that names the engine, for messages about an address that came from it.
    public static let hostVariable = "DOCKER_HOST"
    /// The environment variables read here.
    public static let environmentVariables = [
        hostVariable, "DOCKER_API_VERSION", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
    ]

    /// The engine DOCKER_HOST names, TLS applied; nil when DOCKER_HOST is unset or empty.
    public var host: EngineAddress?
    /// TLS client settings for tcp:// addresses (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH).
    public var tls: TLSConfiguration?
    /// The API version every client pins (given, else DOCKER_API_VERSION); nil to negotiate.
    public var apiVersion: APIVersion?

    /// Creates a configuration from values already resolved (tests, library callers that
    /// read nothing from the environment).
    public init(host: EngineAddress? = nil, tls: TLSConfiguration? = nil, apiVersion: APIVersion? = nil) {
        self.host = host
        self.tls = tls
        self.apiVersion = apiVersion
    }

    /// Resolves the configuration the way the docker CLI does.
    ///
    /// - Parameters:
    ///   - apiVersion: An API version given by the caller (a command-line option); it wins
    ///     over DOCKER_API_VERSION. Empty counts as not given.
    ///   - environment: The process environment.
    ///   - fileExists: Tells whether a certificate file exists (injected by tests).
    /// - Throws: `EngineError.invalidAPIVersion` for an API version that is not one (naming
    ///   DOCKER_API_VERSION when it came from there); `EngineError.invalidSetting` for a
    ///   DOCKER_HOST that is no address and for TLS asked for without its certificate files.
    public static func resolve(
        apiVersion given: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws -> EngineConfiguration {
        let tls = try Self.tls(environment: environment, fileExists: fileExists)
        var host: EngineAddress?
        if let text = environment[hostVariable], !text.isEmpty {
            do {
                host = try EngineAddress(parsing: text, tls: tls)
            } catch let error as EngineError {
                throw EngineError.invalidSetting(
                    variable: hostVariable, value: text,
                    reason: (error.invalidAddressReason ?? error.description)
                        + "; an engine address looks like unix:///path/to/docker.sock or tcp://host:port")
            }
        }
        var pinned: APIVersion?
        if let given, !given.isEmpty {
            guard let version = APIVersion(given) else { throw EngineError.invalidAPIVersion(given) }
            pinned = version
        } else if let text = environment["DOCKER_API_VERSION"], !text.isEmpty {
            guard let version = APIVersion(text) else {
                throw EngineError.invalidAPIVersion(text, variable: "DOCKER_API_VERSION")
            }
            pinned = version
        }
        return EngineConfiguration(host: host, tls: tls, apiVersion: pinned)
    }

    /// TLS settings from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (default ~/.docker), or nil
    /// when neither asks for TLS. Any non-empty DOCKER_TLS_VERIFY turns verification on, as
    /// in the docker CLI; asking for TLS needs ca.pem, cert.pem and key.pem in the folder.
    private static func tls(environment: [String: String], fileExists: (String) -> Bool) throws -> TLSConfiguration? {
        let verifyText = environment["DOCKER_TLS_VERIFY"] ?? ""
        let certPath = environment["DOCKER_CERT_PATH"] ?? ""
        guard !verifyText.isEmpty || !certPath.isEmpty else { return nil }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let folder = certPath.isEmpty ? home + "/.docker" : certPath
        let tls = TLSConfiguration(
            caCertificatePath: folder + "/ca.pem", certificatePath: folder + "/cert.pem", keyPath: folder + "/key.pem",
            verifyPeer: !verifyText.isEmpty)
        let missing = [tls.caCertificatePath, tls.certificatePath, tls.keyPath].filter { !fileExists($0) }
        if !missing.isEmpty {
            let (variable, value) =
                certPath.isEmpty ? ("DOCKER_TLS_VERIFY", verifyText) : ("DOCKER_CERT_PATH", certPath)
            let files = missing.joined(separator: ", ")
            let reason =
                certPath.isEmpty
                ? "it asks for TLS, and DOCKER_CERT_PATH is unset, so the certificates are looked for in \(folder), where \(files) \(missing.count == 1 ? "does" : "do") not exist"
                : "it names the TLS certificate folder, and \(files) \(missing.count == 1 ? "does" : "do") not exist"
            throw EngineError.invalidSetting(variable: variable, value: value, reason: reason)
        }
        return tls
    }

    /// Parses an address given by the caller, with this configuration's TLS settings.
    ///
    /// - Throws: `EngineError.invalidAddress` when it is no unix:// or tcp:// address.
    public func address(parsing text: String) throws -> EngineAddress {
        try EngineAddress(parsing: text, tls: tls)
    }

    /// A client of `address` that pins this configuration's API version (if any).
    public func client(address: EngineAddress, timeout: Duration = .seconds(60)) -> EngineClient {
        EngineClient(address: address, apiVersion: apiVersion, timeout: timeout)
    }
}
