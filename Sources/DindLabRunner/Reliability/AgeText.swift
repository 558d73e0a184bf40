/// Ages as `gc --older-than` takes them: the scenario durations (`500ms`, `90s`, `30m`, `12h`)
/// plus days (`2d`), which is what ages of leftovers are measured in.
import DindLabCore

package enum AgeText {
    /// Reads an age.
    /// - Parameter text: `30m`, `12h`, `2d`, `1.5h`, or anything `DurationText` reads.
    /// - Returns: The age, or nil when the text is not of that form.
    package static func parse(_ text: String) -> Duration? {
        if text.hasSuffix("d") {
            // Reuse the scenario parser's strict number rules by reading the number as hours.
            return DurationText.parse(text.dropLast().description + "h").map { $0 * 24 }
        }
        return DurationText.parse(text)
    }

    /// Writes an age in the largest whole unit: `2d`, `12h`, `30m`, `90s`.
    package static func format(_ duration: Duration) -> String {
        let milliseconds = DurationText.milliseconds(of: duration)
        for (suffix, unit) in [("d", Int64(86_400_000)), ("h", 3_600_000)]
        where milliseconds != 0 && milliseconds % unit == 0 {
            return "\(milliseconds / unit)\(suffix)"
        }
        return DurationText.format(duration)
    }

    /// A rough age for listings: `45 s`, `12 min`, `3 h`, `2 d`.
    package static func describe(seconds: Double) -> String {
        let seconds = max(0, seconds)
        switch seconds {
        case ..<120: return "\(Int(seconds)) s"
        case ..<7200: return "\(Int(seconds / 60)) min"
        case ..<172_800: return "\(Int(seconds / 3600)) h"
        default: return "\(Int(seconds / 86_400)) d"
        }
    }
}
