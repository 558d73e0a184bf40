package import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ISO 8601 times in UTC with milliseconds, `2026-11-29T11:22:33.123Z`, converted
/// through whole milliseconds so that a time written and read back is the same `Date`
/// (Foundation's formatters go through floating point and can be off by a fraction of
/// a nanosecond, which breaks equality).
package enum Timestamp {
    /// The date rounded to the nearest millisecond, the precision results keep.
    package static func rounded(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    package static func format(_ date: Date) -> String {
        let total = milliseconds(date)
        var seconds = time_t(total.floorDivided(by: 1000))
        let millis = Int(total - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    /// Reads `YYYY-MM-DDThh:mm:ss[.fff...](Z|±hh:mm)`; nil for anything else.
    package static func parse(_ text: String) -> Date? {
        if let date = parseCanonical(text) { return date }
        guard let groups = pattern.firstMatch(in: text) else { return nil }
        func number(_ group: Int) -> Int32 { Int32(groups[group].flatMap { Int($0) } ?? 0) }
        var parts = tm()
        parts.tm_year = number(1) - 1900
        parts.tm_mon = number(2) - 1
        parts.tm_mday = number(3)
        parts.tm_hour = number(4)
        parts.tm_min = number(5)
        parts.tm_sec = number(6)
        var seconds = Int64(timegm(&parts))
        if let zone = groups[9], zone != "Z" {
            let sign: Int64 = zone.hasPrefix("-") ? -1 : 1
            seconds -= sign * (Int64(number(10)) * 3600 + Int64(number(11)) * 60)
        }
        let fraction = groups[8].map { String($0.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0) } ?? "000"
        guard let millis = Int64(fraction) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds * 1000 + millis) / 1000)
    }

    /// The form results files are written in, `2026-11-29T11:22:33.123Z`, read by digit
    /// position: every trial record has two times, and the regular expression cost as much as
    /// the rest of decoding a record. Anything else goes to the general pattern.
    private static func parseCanonical(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ range: Range<Int>) -> Int32? {
                var value: Int32 = 0
                for index in range {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int32(digit)
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
                let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
                let millis = number(20..<23)
            else { return nil }
            var parts = tm()
            parts.tm_year = year - 1900
            parts.tm_mon = month - 1
            parts.tm_mday = day
            parts.tm_hour = hour
            parts.tm_min = minute
            parts.tm_sec = second
            return Date(timeIntervalSince1970: Double(Int64(timegm(&parts)) * 1000 + Int64(millis)) / 1000)
        }
    }

    private static let pattern = TextPattern(
        #"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.(\d+))?(Z|z|[+-](\d{2}):(\d{2}))$"#)

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
