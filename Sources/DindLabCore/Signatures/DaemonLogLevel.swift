/// The level of a Docker daemon log line, from logrus (every Docker version dindlab knows).
package enum DaemonLogLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case trace, debug, info, warning, error, fatal, panic

    /// Reads a level as the daemon writes it: `error` (logfmt, JSON), `ERRO` (text on a
    /// terminal), `warn`/`WARN` as well as `warning`. Case-insensitive.
    /// - Parameter name: The level's spelling in the log.
    package init?(logName name: some StringProtocol) {
        switch name.lowercased() {
        case "trace", "trac": self = .trace
        case "debug", "debu": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error", "erro", "err": self = .error
        case "fatal", "fata": self = .fatal
        case "panic", "pani": self = .panic
        default: return nil
        }
    }

    /// Error, fatal and panic: the levels a signature may come from.
    package var isError: Bool { self >= .error }

    package static func < (lhs: DaemonLogLevel, rhs: DaemonLogLevel) -> Bool {
        lhs.severity < rhs.severity
    }

    /// The level's place from least to most severe, for `<`.
    private var severity: Int {
        switch self {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .warning: 3
        case .error: 4
        case .fatal: 5
        case .panic: 6
        }
    }
}
