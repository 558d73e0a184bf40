import Foundation

/// One `key=value` field of a structured log line, in the order the line gave it.
package struct LogField: Sendable, Hashable, Codable {
    package let key: String
    package let value: String

    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One line of an inner daemon's log, parsed whatever Docker version wrote it.
///
/// Formats recognised:
/// - `logfmt`: logrus' text format when not on a terminal, every version since 1.7:
///   `time="2024-01-02T03:04:05.123456789Z" level=error msg="..." key=value`.
///   A syslog or journald prefix (`Feb 23 11:33:50 host dockerd[896]: `) is skipped.
/// - `json`: `dockerd --log-format=json` (Docker 25 and later):
///   `{"level":"fatal","msg":"...","time":"..."}`.
/// - `bracketed`: logrus' terminal format, `ERRO[0000] message   key=value` in the
///   1.7-1.9 era (seconds since start) and `ERRO[2024-01-02T03:04:05.123Z] ...` later,
///   with or without colour codes.
/// - `plain`: anything else (panic traces, plain stderr). Its level is inferred only for
///   the lines that end a daemon: `failed to start daemon: ...` (dockerd 17.06 and later
///   print this without logrus), `Error starting daemon: ...`, Go's `panic: ...` and
///   `fatal error: ...`; other plain lines have no level.
package struct DaemonLogLine: Sendable, Hashable {
    /// The log format a line was written in.
    package enum Format: String, Sendable, Hashable, Codable {
        case logfmt, json, bracketed, plain
    }

    /// The line as read, without its line break.
    package let raw: String
    package let format: Format
    /// The level, or nil for plain lines that say nothing of it.
    package let level: DaemonLogLevel?
    /// The time as written (RFC 3339, or `0000` seconds since start in the 1.x terminal format).
    package let time: String?
    /// The `msg` of a structured line, or the text of a plain one (colour codes removed).
    package let message: String
    /// Every other field, in order.
    package let fields: [LogField]

    /// Parses one line; never fails (an unrecognised line is `plain`).
    /// - Parameter line: One line of the daemon's log or a step's output.
    package init(parsing line: some StringProtocol) {
        raw = String(line.trimmingSuffix(while: \.isNewline))
        let text = Self.ansiEscape.replacingMatches(in: raw, with: "").trimmingCharacters(in: .whitespaces)
        if let parsed = Self.parseJSON(text) ?? Self.parseBracketed(text) ?? Self.parseLogfmt(text) {
            (format, level, time, message, fields) = parsed
        } else {
            let body = Self.syslogPrefix.replacingMatches(in: text, with: "")
            (format, level, time, message, fields) = (.plain, Self.plainLevel(of: body), nil, body, [])
        }
    }

    /// The value of the first field named `key`.
    package func field(_ key: String) -> String? {
        fields.first { $0.key == key }?.value
    }

    /// The message with the error the logger attached to it, e.g. containerd's
    /// `msg="failed to load plugin" error="devmapper not configured"` reads
    /// `failed to load plugin: devmapper not configured`. 1.7-1.9's `msg="HTTP Error"
    /// err="Cannot start container ..."` likewise.
    package var explanation: String {
        guard let error = field("error") ?? field("err"), !error.isEmpty, error != "<nil>",
            !message.contains(error)
        else { return message }
        return message.isEmpty ? error : "\(message): \(error)"
    }

    /// Whether the line is at error, fatal or panic level.
    package var isError: Bool { level?.isError ?? false }

    // MARK: - Formats

    private typealias Parsed = (Format, DaemonLogLevel?, String?, String, [LogField])

    private static let ansiEscape = TextPattern(#"\x1B\[[0-9;]*[A-Za-z]"#)
    private static let syslogPrefix = TextPattern(#"^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \S+ [^\s:]+: "#)
    private static let bracketed = TextPattern(#"^(TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI)\[([^\]]*)\] ?(.*)$"#)
    private static let logfmtStart = TextPattern(#"(?:^|\s)(time|level)=\S"#)

    private static func parseJSON(_ text: String) -> Parsed? {
        guard text.hasPrefix("{"), text.hasSuffix("}"),
            let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let levelName = object["level"] as? String, let level = DaemonLogLevel(logName: levelName)
        else { return nil }
        let fields = object.sorted { $0.key < $1.key }
            .filter { !["level", "msg", "time"].contains($0.key) }
            .map { LogField(key: $0.key, value: jsonText($0.value)) }
        return (.json, level, object["time"] as? String, object["msg"].map(jsonText) ?? "", fields)
    }

    private static func jsonText(_ value: Any) -> String {
        switch value {
        case let string as String: string
        case is NSNull: ""
        default:
            (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        }
    }

    private static func parseBracketed(_ text: String) -> Parsed? {
        guard let groups = bracketed.firstMatch(in: text), let name = groups[1],
            let level = DaemonLogLevel(logName: name)
        else { return nil }
        let (message, fields) = splitTrailingFields(groups[3] ?? "")
        return (.bracketed, level, groups[2].map(String.init), message, fields)
    }

    /// logrus' terminal format pads the message to 44 columns and then appends
    /// ` key=value` fields, so fields begin at column 44 or later, and every token
    /// after the first field is a field too.
    private static func splitTrailingFields(_ rest: Substring) -> (String, [LogField]) {
        let paddedWidth = 44
        var index = rest.startIndex
        var column = 0
        while index < rest.endIndex {
            if column >= paddedWidth - 1, rest[index] == " " {
                let candidate = rest[rest.index(after: index)...]
                let message = rest[..<index].trimmingCharacters(in: .whitespaces)
                if !message.isEmpty, candidate.contains("="),
                    let fields = LogfmtScanner.fields(in: candidate, strict: true), !fields.isEmpty
                {
                    return (message, fields)
                }
            }
            index = rest.index(after: index)
            column += 1
        }
        return (rest.trimmingCharacters(in: .whitespaces), [])
    }

    private static func parseLogfmt(_ text: String) -> Parsed? {
        guard let groups = logfmtStart.firstMatch(in: text), let key = groups[1] else { return nil }
        let start = key.startIndex
        guard let all = LogfmtScanner.fields(in: text[start...], strict: false),
            let levelName = all.first(where: { $0.key == "level" })?.value,
            let level = DaemonLogLevel(logName: levelName)
        else { return nil }
        let fields = all.filter { !["time", "level", "msg"].contains($0.key) }
        return (
            .logfmt, level, all.first { $0.key == "time" }?.value,
            all.first { $0.key == "msg" }?.value ?? "", fields
        )
    }

    private static func plainLevel(of text: String) -> DaemonLogLevel? {
        if text.hasPrefix("panic: ") { return .panic }
        if text.hasPrefix("fatal error: ") { return .fatal }
        if text.hasPrefix("failed to start daemon") || text.hasPrefix("Error starting daemon") { return .fatal }
        return nil
    }
}

extension StringProtocol {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> SubSequence {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
