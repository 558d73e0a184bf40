/// Durations as people write them in configuration files: a number and a unit, `500ms`, `120s`,
/// `1.5m`. Millisecond precision; units ms, s and m.
package enum DurationText {
    /// The units, with their length in milliseconds.
    private static let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000)]

    /// Reads a duration.
    /// - Parameter text: A decimal number (optionally with a fraction) directly followed by
    ///   `ms`, `s` or `m`: `500ms`, `120s`, `1.5m`, `0.25s`.
    /// - Returns: The duration, or nil when the text is not of that form or is not a whole number
    ///   of milliseconds (`0.5ms`).
    package static func parse(_ text: String) -> Duration? {
        // "ms" is tried first: "500ms" also ends in "s".
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }) else { return nil }
        let number = text.dropLast(unit.suffix.count)
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
        let scaled = (wholeValue * scale + (Int64(fraction) ?? 0)) * unit.milliseconds
        guard scaled % scale == 0 else { return nil }
        return .milliseconds(scaled / scale)
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
