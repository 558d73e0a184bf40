import Foundation

/// An error the fake daemon answers with: a status and the daemon's message.
struct APIError: Error, Equatable {
    var status: Int
    var message: String

    static func badRequest(_ message: String) -> APIError { APIError(status: 400, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: 404, message: message) }
    static func conflict(_ message: String) -> APIError { APIError(status: 409, message: message) }
    static func noSuchContainer(_ reference: String) -> APIError { .notFound("No such container: \(reference)") }
    static func noSuchImage(_ reference: String) -> APIError { .notFound("No such image: \(reference)") }
}

/// An image the daemon knows.
struct ImageRecord: Sendable {
    /// "sha256:<hex>" for daemons with content-addressed images, bare hex before.
    var id: String
    var repoTags: [String]
    var created: Date
    var size: Int
    var labels: [String: String]
    var cmd: [String]?
    var entrypoint: [String]?
    var env: [String]
    /// The raw `changes` an import applied (Dockerfile instructions).
    var changes: [String]

    var hexID: String { id.hasPrefix("sha256:") ? String(id.dropFirst(7)) : id }
}

/// One run of a container's process, from start to exit.
struct ContainerRun: Sendable {
    var startedAt: Date
    /// When the scripted process ends by itself.
    var plannedExit: Date
    var exitCode: Int
    var pid: Int
    var finishedAt: Date?

    var isRunning: Bool { finishedAt == nil }
}

/// Output a container wrote, in order, for its logs.
struct LogRecord: Sendable {
    var stream: StreamKind
    var data: Data
}

/// A container the daemon knows.
struct ContainerRecord: Sendable {
    let id: String
    /// Without the leading slash.
    var name: String
    let created: Date
    /// The image as the client named it in the create request.
    let imageReference: String
    let imageID: String
    /// `Config` as inspect reports it (the create body, completed from the image).
    var config: JSON
    /// `HostConfig` as the client sent it.
    var hostConfig: JSON
    /// Entrypoint followed by command: what the program is asked to run.
    var argv: [String]
    var tty: Bool
    var labels: [String: String]
    var lastRun: ContainerRun?
    /// How many runs have ended; `wait?condition=next-exit` watches it.
    var exitCount = 0
    var logs: [LogRecord] = []
    /// The container's files as the archive endpoint sees them, by absolute path.
    var files: [String: TarEntry] = [:]

    var isRunning: Bool { lastRun?.isRunning ?? false }

    var status: String {
        guard let run = lastRun else { return "created" }
        return run.isRunning ? "running" : "exited"
    }
}

/// An exec instance and, once started, its process.
struct ExecRecord: Sendable {
    let id: String
    let containerID: String
    let argv: [String]
    let tty: Bool
    let user: String
    let privileged: Bool
    let attachStdin: Bool
    let attachStdout: Bool
    let attachStderr: Bool
    var run: ContainerRun?

    func isRunning(at now: Date) -> Bool {
        guard let run else { return false }
        return run.plannedExit > now && run.finishedAt == nil
    }
}

/// Something that happened to a container, for `GET /events`.
struct EngineEvent: Sendable {
    var sequence: Int
    var time: Date
    var action: String
    var containerID: String
    var image: String
    /// name, image, labels, exitCode, signal: the Actor's attributes.
    var attributes: [String: String]
}
