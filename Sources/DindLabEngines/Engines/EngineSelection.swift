package import DockerEngine
import Foundation

/// Which engine a command talks to, the name trials record for it, and the API version its
/// clients pin.
package struct EngineSelection: Sendable, Hashable {
    package var name: String
    package var address: EngineAddress
    /// The API version clients of this engine pin (`EngineConfiguration.apiVersion`); nil to
    /// negotiate.
    package var apiVersion: APIVersion?

    package init(name: String, address: EngineAddress, apiVersion: APIVersion? = nil) {
        self.name = name
        self.address = address
        self.apiVersion = apiVersion
    }

    /// A client of this engine, pinned to `apiVersion` when there is one.
    package func client(timeout: Duration = .seconds(60)) -> EngineClient {
        EngineClient(address: address, apiVersion: apiVersion, timeout: timeout)
    }

    /// Resolves `--engine` with the configuration read from `environment` (see
    /// `resolve(_:configuration:environment:)`).
    ///
    /// - Throws: The errors of `EngineConfiguration` for a bad DOCKER_* variable, and those of
    ///   `resolve(_:configuration:environment:)`.
    package static func resolve(
        _ argument: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> EngineSelection {
        try resolve(
            argument, configuration: try EngineConfiguration.resolve(environment: environment), environment: environment
        )
    }

    /// Resolves `--engine`: an address (unix://, tcp://), `NAME=ADDRESS`, or the name of a
    /// private engine; without it the configuration's host (DOCKER_HOST), else the private
    /// engine "default" when it runs, else /var/run/docker.sock.
    ///
    /// - Parameters:
    ///   - argument: The `--engine` value, if any.
    ///   - configuration: TLS, DOCKER_HOST and the API version, resolved once.
    ///   - environment: The process environment, for where private engines are registered
    ///     (XDG_STATE_HOME); DOCKER_* variables are not read from it.
    /// - Returns: The engine's name and address.
    /// - Throws: `EngineError.invalidAddress` for malformed addresses and names of private
    ///   engines that do not exist; `EngineError.socketMissing` naming DOCKER_HOST when its
    ///   socket does not exist.
    package static func resolve(
        _ argument: String?, configuration: EngineConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> EngineSelection {
        var selection = try resolveAddress(argument, configuration: configuration, environment: environment)
        selection.apiVersion = configuration.apiVersion
        return selection
    }

    private static func resolveAddress(
        _ argument: String?, configuration: EngineConfiguration, environment: [String: String]
    ) throws -> EngineSelection {
        if let argument, !argument.isEmpty {
            // NAME=ADDRESS when an "=" comes before any "://" (the address may be a URL).
            let scheme = argument.range(of: "://")?.lowerBound
            if let equals = argument.firstIndex(of: "="), scheme.map({ equals < $0 }) ?? true {
                let name = String(argument[..<equals])
                let rest = String(argument[argument.index(after: equals)...])
                var selection = try resolveAddress(rest, configuration: configuration, environment: environment)
                selection.name = name
                return selection
            }
            if scheme != nil {
                return EngineSelection(name: "default", address: try configuration.address(parsing: argument))
            }
            return try privateEngine(named: argument, environment: environment)
        }
        if let address = configuration.host {
            // Said here, where it is known that the address came from DOCKER_HOST.
            if case .unix(let socket) = address.endpoint, !FileManager.default.fileExists(atPath: socket) {
                throw EngineError.socketMissing(
                    socket, variable: EngineConfiguration.hostVariable, value: address.description)
            }
            return EngineSelection(name: "default", address: address)
        }
        if let running = try runningPrivateEngine(named: PrivateEngine.defaultName, environment: environment) {
            return running
        }
        return EngineSelection(
            name: "default", address: EngineAddress(endpoint: .unix(path: EngineAddress.defaultSocketPath)))
    }

    /// The private engine `name`, which must be running.
    private static func privateEngine(named name: String, environment: [String: String]) throws -> EngineSelection {
        let socket = try privateEngineSocket(named: name, environment: environment)
        guard FileManager.default.fileExists(atPath: socket) else {
            throw EngineError.namedEngineNotRunning(name, socket: socket)
        }
        return EngineSelection(name: name, address: EngineAddress(endpoint: .unix(path: socket)))
    }

    /// The private engine `name` when it is running, else nil.
    private static func runningPrivateEngine(named name: String, environment: [String: String]) throws
        -> EngineSelection?
    {
        let socket = try privateEngineSocket(named: name, environment: environment)
        guard FileManager.default.fileExists(atPath: socket) else { return nil }
        return EngineSelection(name: name, address: EngineAddress(endpoint: .unix(path: socket)))
    }

    /// Where the private engine `name`'s socket is (or would be).
    private static func privateEngineSocket(named name: String, environment: [String: String]) throws -> String {
        do {
            // Follows the name to its directory, wherever `engine up --name N --dir D` put it.
            return try PrivateEngine(environment: environment).layout(name: name).socket
        } catch {
            throw EngineError.invalidAddress(
                name, reason: "it is neither an address (unix://, tcp://) nor a private engine name: \(error)")
        }
    }

    /// The pid of the daemon when the selection is a private engine on this machine (its
    /// folder has engine.json), so its own cgroup lines can be read.
    package var localDaemonPID: Int32? {
        guard case .unix(let socket) = address.endpoint else { return nil }
        let record = URL(fileURLWithPath: socket).deletingLastPathComponent().appendingPathComponent("engine.json")
        guard let data = FileManager.default.contents(atPath: record.path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let pid = object["pid"] as? Int
        else { return nil }
        return Int32(pid)
    }
}
