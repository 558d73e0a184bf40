import Foundation

/// Making untrusted text (signatures carry daemon log lines and command output) safe to put into
/// XML, HTML and Markdown: markup characters become entities, and characters XML 1.0 forbids
/// (terminal escapes, NUL, other control characters) become visible `\u{1B}`-style text, since
/// one of them would make a whole junit.xml unreadable.
enum ReportEscaping {
    /// Text for XML or HTML element content and attribute values (double- or single-quoted).
    static func markup(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default:
                if isAllowedInXML(scalar) {
                    escaped.unicodeScalars.append(scalar)
                } else {
                    escaped += visible(scalar)
                }
            }
        }
        return escaped
    }

    /// Text for one cell of a Markdown table: one line, no `|` that would end the cell, no HTML
    /// or emphasis that would change what it shows.
    static func markdownCell(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r", "\t": escaped += " "
            case "|", "\\", "`", "*", "_", "[", "]", "#", "~": escaped += "\\" + String(scalar)
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            default:
                if isAllowedInXML(scalar) && scalar.value >= 0x20 {
                    escaped.unicodeScalars.append(scalar)
                } else {
                    escaped += visible(scalar)
                }
            }
        }
        return escaped
    }

    /// XML 1.0's Char production: tab, line feed, carriage return and everything from U+0020
    /// except the surrogates (which Swift scalars never are) and U+FFFE, U+FFFF.
    static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    private static func visible(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    }
}

/// Where one file is relative to another folder, for links that keep working when a run folder
/// is copied elsewhere.
enum RelativePath {
    /// The path from `folder` to `target`, e.g. `../20261129T112233Z-ab12/` when a report is
    /// written beside the run folder; `""` when they are the same folder.
    static func from(_ folder: URL, to target: URL) -> String {
        let base = folder.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        let goal = target.standardizedFileURL.resolvingSymlinksInPath().pathComponents
        var common = 0
        while common < base.count, common < goal.count, base[common] == goal[common] { common += 1 }
        let parts = Array(repeating: "..", count: base.count - common) + goal[common...]
        return parts.isEmpty ? "" : parts.joined(separator: "/") + "/"
    }
}
