/// Writes text the way YAML's double-quoted and flow styles read it back, for error messages
/// and for values shown to users (a list value in a matrix cell's id, for instance).
package enum YAMLQuoting {
    /// The text in double quotes, with `"`, `\` and control characters escaped.
    /// - Parameters:
    ///   - text: Any text.
    ///   - limit: When set, text longer than this many characters is cut and ends in `…`.
    /// - Returns: A double-quoted YAML (and JSON) string.
    package static func quoted(_ text: String, limit: Int? = nil) -> String {
        var body = text
        if let limit, body.count > limit {
            body = String(body.prefix(limit)) + "…"
        }
        var result = "\""
        for scalar in body.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// The text as a flow scalar: bare when YAML reads it back as the same string
    /// (`dindlab/outer:bookworm`, `-c`), quoted otherwise (`"echo ok"`, `""`, `"null"`).
    /// - Parameter text: Any text.
    /// - Returns: Text that a YAML flow context reads back as exactly `text`.
    package static func flowScalar(_ text: String) -> String {
        isSafePlain(text) ? text : quoted(text)
    }

    /// The strings as a YAML flow list: `[sh, -c, "echo ok"]`.
    /// - Parameter items: The list's strings.
    /// - Returns: Text that YAML reads back as the same list of strings.
    package static func flowList(_ items: [String]) -> String {
        "[" + items.map(flowScalar).joined(separator: ", ") + "]"
    }

    /// Conservative: letters, digits and a few punctuation marks that never start or end a YAML
    /// token in flow context; anything else is quoted, which is always correct.
    private static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if ["~", "null", "Null", "NULL"].contains(text) { return false }
        func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
        }
        let inner: Set<Unicode.Scalar> = ["/", ".", ":", "+", "=", "-", "_", "@", "%"]
        let leading: Set<Unicode.Scalar> = ["/", ".", "+", "-", "_"]
        guard isWordCharacter(first) || (leading.contains(first) && text.unicodeScalars.count > 1) else { return false }
        guard last != ":" else { return false }
        if first == "-", let second = text.unicodeScalars.dropFirst().first, !isWordCharacter(second) && second != "-" {
            return false
        }
        return text.unicodeScalars.allSatisfy { isWordCharacter($0) || inner.contains($0) }
    }
}
