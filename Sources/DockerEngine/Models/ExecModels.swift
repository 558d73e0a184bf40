import Foundation

/// The body of POST /containers/{id}/exec.
public struct ExecConfig: Encodable, Sendable {
    public var cmd: [String]
    public var tty: Bool
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    public var env: [String]?
    public var user: String?
    public var privileged: Bool?

    /// - Parameters:
    ///   - cmd: The command and its arguments.
    ///   - tty: Give the process a terminal (stdout and stderr then arrive as one raw stream).
    ///   - attach: Attach stdout and stderr (false for detached execs such as a daemon).
    ///   - attachStdin: Attach stdin too (needed for a TTY that a `docker run -ti` reads).
    public init(cmd: [String], tty: Bool = false, attach: Bool = true, attachStdin: Bool = false, env: [String]? = nil)
    {
        self.cmd = cmd
        self.tty = tty
        self.attachStdin = attachStdin
        self.attachStdout = attach
        self.attachStderr = attach
        self.env = env
    }

    enum CodingKeys: String, CodingKey {
        case cmd = "Cmd"
        case tty = "Tty"
        case attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
        case env = "Env"
        case user = "User"
        case privileged = "Privileged"
    }
}

/// GET /exec/{id}/json.
public struct ExecInspect: Decodable, Sendable {
    public var id: String?
    public var running: Bool
    /// Before API 1.22 this is 0 while the process runs; from 1.22 it is null. Read it only
    /// once `running` is false.
    public var exitCode: Int?
    public var pid: Int?
    public var containerID: String?

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case running = "Running"
        case exitCode = "ExitCode"
        case pid = "Pid"
        case containerID = "ContainerID"
    }
}

/// What an attached exec produced.
public struct ExecResult: Sendable {
    public var exitCode: Int
    public var output: CollectedOutput
    /// The exec instance, for inspecting it later.
    public var execID: String

    /// A result put together by the caller (a step whose status and output come from more than
    /// the exec itself).
    public init(exitCode: Int, output: CollectedOutput, execID: String) {
        self.exitCode = exitCode
        self.output = output
        self.execID = execID
    }
}
