package import DockerEngine
import Foundation

/// Which engine a command talks to, and the name trials record for it.
package struct EngineSelection: Sendable, Hashable {
    package var name: String
    package var address: EngineAddress

    package init(name: String, address: EngineAddress) {
        self.name = name
        self.address = address
    }

    /// Resolves `--engine`: an address (unix://, tcp://), `NAME=ADDRESS`, or the name of a
    /// private engine; without it DOCKER_HOST, else the private engine "default" when it
    /// runs, else /var/run/docker.sock.
    ///
    /// - Parameters:
    ///   - argument: The `--engine` value, if any.
    ///   - environment: The process environment.
    /// - Returns: The engine's name and address.
    /// - Throws: `EngineError.invalidAddress` for malformed addresses and names of private
    ///   engines that do not exist.
    package static func resolve(_ argument: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EngineSelection {
        let tls = TLSConfiguration(environment: environment)
        if let argument, !argument.isEmpty {
            // NAME=ADDRESS when an "=" comes before any "://" (the address may be a URL).
            let scheme = argument.range(of: "://")?.lowerBound
            if let equals = argument.firstIndex(of: "="), scheme.map({ equals < $0 }) ?? true {
                let name = String(argument[..<equals])
                let rest = String(argument[argument.index(after: equals)...])
                var selection = try resolve(rest, environment: environment)
                selection.name = name
                return selection
            }
            if scheme != nil {
                return EngineSelection(name: "default", address: try EngineAddress(parsing: argument, tls: tls))
            }
            return try privateEngine(named: argument, environment: environment, required: true)!
        }
        if let host = environment["DOCKER_HOST"], !host.isEmpty {
            let address = try EngineAddress(parsing: host, tls: tls)
            // Said here, where it is known that the address came from DOCKER_HOST.
            if case .unix(let socket) = address.endpoint, !FileManager.default.fileExists(atPath: socket) {
                throw EngineError.socketMissing(socket, from: "DOCKER_HOST (\(host))")
            }
            return EngineSelection(name: "default", address: address)
        }
        if let running = try privateEngine(named: PrivateEngine.defaultName, environment: environment, required: false) {
            return running
        }
        return EngineSelection(name: "default", address: EngineAddress(endpoint: .unix(path: EngineAddress.defaultSocketPath)))
    }

    private static func privateEngine(named name: String, environment: [String: String], required: Bool) throws -> EngineSelection? {
        let layout: EngineLayout
        do {
            // Follows the name to its directory, wherever `engine up --name N --dir D` put it.
            layout = try PrivateEngine(environment: environment).layout(name: name)
        } catch {
            throw EngineError.invalidAddress(name, reason: "it is neither an address (unix://, tcp://) nor a private engine name: \(error)")
        }
        guard FileManager.default.fileExists(atPath: layout.socket) else {
            if required {
                throw EngineError.invalidAddress(name, reason: "no private engine of that name is running (no socket at \(layout.socket)); start it with `dindlab engine up --name \(name)`")
            }
            return nil
        }
        return EngineSelection(name: name, address: EngineAddress(endpoint: .unix(path: layout.socket)))
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
