/// Durations as people write them in configuration files: a number and a unit, `500ms`, `120s`,
/// `1.5m`, `1h`, or several in falling order as Go and Docker write them, `2m30s`, `1h30m`.
/// Millisecond precision; units ms, s, m and h.
package enum DurationText {
    /// The units `format` writes, with their length in milliseconds.
    private static let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000)]
    /// The units `parse` reads.
    private static let readUnits = units + [("h", 3_600_000)]

    /// Reads a duration.
    /// - Parameter text: One or more terms, each a decimal number (optionally with a fraction)
    ///   directly followed by `ms`, `s`, `m` or `h`, larger units first and each at most once:
    ///   `500ms`, `120s`, `1.5m`, `0.25s`, `2m30s`, `1h30m`.
    /// - Returns: The duration, or nil when the text is not of that form, is not a whole number
    ///   of milliseconds (`0.5ms`), or is too long to count in milliseconds.
    package static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        var total: Int64 = 0
        var previous = Int64.max
        repeat {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let suffix = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(suffix.count)
            guard let unit = readUnits.first(where: { $0.suffix == suffix }), unit.milliseconds < previous,
                let milliseconds = term(number, unit: unit.milliseconds)
            else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(milliseconds)
            guard !overflow else { return nil }
            total = sum
            previous = unit.milliseconds
        } while !rest.isEmpty
        return .milliseconds(total)
    }

    /// One term's milliseconds: `number` (digits, optionally a fraction) times `unit`.
    private static func term(_ number: Substring, unit: Int64) -> Int64? {
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        let isDigits = { (part: Substring) in part.allSatisfy { $0.isASCII && $0.isNumber } }
        guard !whole.isEmpty, whole.count <= 9, isDigits(whole),
            fraction.count <= 6, isDigits(fraction), parts.count == 1 || !fraction.isEmpty,
            let wholeValue = Int64(whole)
        else {
            return nil
        }
        // Exact decimal arithmetic: scale by 10^digits, then divide back, refusing remainders.
        var scale: Int64 = 1
        for _ in 0..<fraction.count { scale *= 10 }
        let (scaledWhole, overflow) = (wholeValue * scale + (Int64(fraction) ?? 0)).multipliedReportingOverflow(
            by: unit)
        guard !overflow, scaledWhole % scale == 0 else { return nil }
        return scaledWhole / scale
    }

    /// Writes a duration in the largest unit that keeps it whole: `90s`, `2m`, `1500ms`.
    /// - Parameter duration: A duration (sub-millisecond parts are dropped).
    /// - Returns: Text that `parse` reads back as the same duration.
    package static func format(_ duration: Duration) -> String {
        let milliseconds = milliseconds(of: duration)
        for unit in units.reversed() where milliseconds % unit.milliseconds == 0 && milliseconds != 0 {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }

    /// A duration in whole milliseconds, rounded toward zero.
    /// - Parameter duration: A duration.
    /// - Returns: Its length in milliseconds.
    package static func milliseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
