import Foundation

/// An error from talking to a Docker Engine.
///
/// Every error says in full sentences what was attempted (method and path), what
/// happened, and where it can, what to do about it. Callers that need to branch on
/// the kind of failure use the `is...` properties and `status`.
public struct EngineError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Kind: Equatable, Sendable {
        case invalidAddress(address: String, reason: String)
        case invalidSetting(variable: String, value: String, reason: String)
        case namedEngineNotRunning(name: String, socket: String)
        case socketMissing(path: String, variable: String?, value: String?)
        case invalidAPIVersion(text: String, variable: String?)
        case transport(
            method: String, path: String, curlCode: Int, curlMessage: String, detail: String, duringAnswer: Bool)
        case timeout(method: String, path: String, seconds: Double)
        case http(method: String, path: String, status: Int, message: String)
        case apiVersionRefused(requested: String, daemonMessage: String)
        case apiVersionUnsupported(daemonVersion: String, reason: String)
        case decoding(method: String, path: String, detail: String)
        case stream(method: String, path: String, message: String)
        case protocolViolation(method: String, path: String, detail: String)
        case cancelled(method: String, path: String)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// The address given is not one dindlab can talk to.
    public static func invalidAddress(_ address: String, reason: String) -> EngineError {
        EngineError(.invalidAddress(address: address, reason: reason))
    }

    /// The API version given is not a version; `variable` names the environment variable it
    /// came from (DOCKER_API_VERSION), nil when the caller gave it.
    public static func invalidAPIVersion(_ text: String, variable: String? = nil) -> EngineError {
        EngineError(.invalidAPIVersion(text: text, variable: variable))
    }

    /// An environment variable of the configuration (DOCKER_HOST, DOCKER_TLS_VERIFY,
    /// DOCKER_CERT_PATH) holds a value that cannot be used, for `reason`.
    public static func invalidSetting(variable: String, value: String, reason: String) -> EngineError {
        EngineError(.invalidSetting(variable: variable, value: value, reason: reason))
    }

    /// An engine was named (not addressed), and no engine of that name runs: there is no
    /// socket where the name's engine would listen.
    public static func namedEngineNotRunning(_ name: String, socket: String) -> EngineError {
        EngineError(.namedEngineNotRunning(name: name, socket: socket))
    }

    /// The Unix socket of the engine does not exist.
    public static func socketMissing(_ path: String) -> EngineError {
        EngineError(.socketMissing(path: path, variable: nil, value: nil))
    }

    /// The Unix socket of the engine does not exist, and its address came from the environment
    /// variable `variable` (DOCKER_HOST) set to `value`, which the message then names.
    public static func socketMissing(_ path: String, variable: String, value: String) -> EngineError {
        EngineError(.socketMissing(path: path, variable: variable, value: value))
    }

    /// What the caller could change to get past an error, as facts for the program that
    /// words the advice (the client does not know the program's options or commands).
    public enum Remedy: Sendable, Equatable {
        /// Choose an API version the client (or the daemon) accepts, or none to negotiate;
        /// `variable` is the environment variable the refused version came from, when known.
        case chooseAPIVersion(variable: String?)
        /// Start the engine, or select a running one; `variable` is the environment variable
        /// (DOCKER_HOST) that named the missing one, when it came from there.
        case startOrSelectEngine(variable: String?)
        /// Start the engine of this name.
        case startNamedEngine(name: String)
    }

    /// What the caller could change, for errors that have such a remedy.
    public var remedy: Remedy? {
        switch kind {
        case .invalidAPIVersion(_, let variable): return .chooseAPIVersion(variable: variable)
        case .apiVersionRefused: return .chooseAPIVersion(variable: nil)
        case .socketMissing(_, let variable, _): return .startOrSelectEngine(variable: variable)
        case .namedEngineNotRunning(let name, _): return .startNamedEngine(name: name)
        default: return nil
        }
    }

    /// The reason of an `invalidAddress` error, else nil.
    var invalidAddressReason: String? {
        if case .invalidAddress(_, let reason) = kind { return reason }
        return nil
    }

    /// libcurl failed to carry the request (connect, send, receive); `duringAnswer` when the
    /// daemon had begun to answer and the connection broke off before the answer ended.
    static func transport(
        method: String, path: String, curlCode: Int, curlMessage: String, detail: String, duringAnswer: Bool = false
    ) -> EngineError {
        EngineError(
            .transport(
                method: method, path: path, curlCode: curlCode, curlMessage: curlMessage, detail: detail,
                duringAnswer: duringAnswer))
    }

    /// The call did not finish within its deadline.
    public static func timeout(method: String, path: String, seconds: Double) -> EngineError {
        EngineError(.timeout(method: method, path: path, seconds: seconds))
    }

    /// The daemon answered with an error status.
    public static func http(method: String, path: String, status: Int, message: String) -> EngineError {
        EngineError(.http(method: method, path: path, status: status, message: message))
    }

    /// The daemon refused the API version the client asked for.
    public static func apiVersionRefused(requested: String, daemonMessage: String) -> EngineError {
        EngineError(.apiVersionRefused(requested: requested, daemonMessage: daemonMessage))
    }

    /// The daemon speaks an API this client does not know.
    public static func apiVersionUnsupported(daemonVersion: String, reason: String) -> EngineError {
        EngineError(.apiVersionUnsupported(daemonVersion: daemonVersion, reason: reason))
    }

    /// The daemon's answer could not be decoded.
    public static func decoding(method: String, path: String, detail: String) -> EngineError {
        EngineError(.decoding(method: method, path: path, detail: detail))
    }

    /// A stream reported an error in-band (a type-3 frame, an `{"error": ...}` progress line).
    public static func stream(method: String, path: String, message: String) -> EngineError {
        EngineError(.stream(method: method, path: path, message: message))
    }

    /// The daemon's answer broke the HTTP or stream protocol.
    public static func protocolViolation(method: String, path: String, detail: String) -> EngineError {
        EngineError(.protocolViolation(method: method, path: path, detail: detail))
    }

    /// The caller cancelled the call.
    public static func cancelled(method: String, path: String) -> EngineError {
        EngineError(.cancelled(method: method, path: path))
    }

    /// The HTTP status the daemon answered with, when it answered.
    public var status: Int? {
        if case .http(_, _, let status, _) = kind { return status }
        return nil
    }

    /// The daemon's own message (for HTTP errors and in-band stream errors), else nil.
    public var daemonMessage: String? {
        switch kind {
        case .http(_, _, _, let message): return message
        case .stream(_, _, let message): return message
        case .apiVersionRefused(_, let message): return message
        default: return nil
        }
    }

    /// True when the daemon said the object does not exist (HTTP 404).
    public var isNotFound: Bool { status == 404 }
    /// True when the call ran out of time.
    public var isTimeout: Bool { if case .timeout = kind { return true } else { return false } }
    /// True when the engine could not be reached or the connection broke.
    public var isTransport: Bool {
        switch kind {
        case .transport, .socketMissing: return true
        default: return false
        }
    }
    /// True when the address, API version or environment setting given cannot be used at
    /// all (a mistyped address or DOCKER_API_VERSION): the caller's fault, not the engine's.
    public var isInvalidInput: Bool {
        switch kind {
        case .invalidAddress, .invalidAPIVersion, .invalidSetting, .namedEngineNotRunning: return true
        default: return false
        }
    }
    /// True when the caller cancelled the call.
    public var isCancelled: Bool { if case .cancelled = kind { return true } else { return false } }

    public var description: String {
        switch kind {
        case .invalidAddress(let address, let reason):
            return
                "The engine address \"\(address)\" is not valid: \(reason). Use unix:///path/to/docker.sock or tcp://host:port."
        case .invalidAPIVersion(let text, let variable?):
            return
                "The API version \"\(text)\" in the environment variable \(variable) is not valid: it must look like 1.41 (this client speaks \(APIVersion.oldestSupported) to \(APIVersion.newestSupported))."
        case .invalidAPIVersion(let text, nil):
            return
                "The API version \"\(text)\" is not valid: it must look like 1.41 (this client speaks \(APIVersion.oldestSupported) to \(APIVersion.newestSupported))."
        case .namedEngineNotRunning(let name, let socket):
            return
                "The engine \"\(name)\" is neither an address (unix://, tcp://) nor a running engine: no private engine of that name is running (no socket at \(socket))."
        case .invalidSetting(let variable, let value, let reason):
            return
                "The environment variable \(variable) is set to \"\(value)\", which cannot be used: \(reason). Correct it or unset it."
        case .socketMissing(let path, let variable?, let value?):
            return
                "The engine socket \(path) does not exist; the address came from \(variable) (\(value)). Is the daemon running?"
        case .socketMissing(let path, _, _):
            return "The engine socket \(path) does not exist. Is the daemon running?"
        case .transport(let method, let path, let code, let curlMessage, let detail, let duringAnswer):
            let extra = detail.isEmpty || detail == curlMessage ? "" : " (\(detail))"
            let when = duringAnswer ? "broke off while the daemon was answering" : "failed before the daemon answered"
            return "\(method) \(path) \(when): \(curlMessage)\(extra) [curl error \(code)]."
        case .timeout(let method, let path, let seconds):
            return "\(method) \(path) timed out: the daemon did not finish answering within \(formatSeconds(seconds))."
        case .http(let method, let path, let status, let message):
            let said = message.isEmpty ? "no message" : "\"\(message)\""
            return "\(method) \(path) failed with HTTP \(status): the daemon said \(said)."
        case .apiVersionRefused(let requested, let message):
            return "The daemon refused API version \(requested): \"\(message)\"."
        case .apiVersionUnsupported(let daemonVersion, let reason):
            return "The daemon's API version \(daemonVersion) is not supported: \(reason)."
        case .decoding(let method, let path, let detail):
            return "The answer to \(method) \(path) could not be decoded: \(detail)."
        case .stream(let method, let path, let message):
            return "The stream of \(method) \(path) reported an error: \(message)."
        case .protocolViolation(let method, let path, let detail):
            return "The answer to \(method) \(path) broke the protocol: \(detail)."
        case .cancelled(let method, let path):
            return "\(method) \(path) was cancelled."
        }
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%.1f s", seconds)
}
