import Foundation
import Glibc

/// Time formats the daemon uses: RFC 3339 with nanoseconds in JSON, RFC 1123 in HTTP heads.
enum DockerTime {
    /// Go's zero time, which the daemon reports for "never" (e.g. FinishedAt of a running container).
    static let zero = "0001-01-01T00:00:00Z"

    /// e.g. "2024-05-01T10:20:30.123456789Z".
    static func rfc3339Nano(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let nanos = Int(((date.timeIntervalSince1970 - seconds) * 1e9).rounded(.down))
        let parts = utcParts(seconds)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ",
            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, nanos)
    }

    /// e.g. "Mon, 02 Jan 2006 15:04:05 GMT".
    static func httpDate(_ date: Date) -> String {
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = utcParts(date.timeIntervalSince1970.rounded(.down))
        return String(
            format: "%@, %02d %@ %04d %02d:%02d:%02d GMT",
            days[Int(parts.tm_wday)], parts.tm_mday, months[Int(parts.tm_mon)],
            parts.tm_year + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// Whole seconds since the epoch, as lists and events report them.
    static func unixSeconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970.rounded(.down)) }

    /// Nanoseconds since the epoch (events' timeNano).
    static func unixNanos(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1e9).rounded(.down)) }

    /// Parses a `since`/`until` query value: seconds since the epoch, possibly with a fraction.
    static func parseTimestamp(_ text: String) -> Date? {
        guard let seconds = Double(text) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func utcParts(_ seconds: TimeInterval) -> tm {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return parts
    }
}
