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
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
