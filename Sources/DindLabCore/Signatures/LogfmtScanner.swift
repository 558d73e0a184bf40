/// Splits logrus' `key=value key="quoted value"` text into ordered fields.
///
/// Tolerant of what real daemons wrote: containerd of the Docker 17.x-18.x era did not
/// escape quotes inside values (`msg="loading plugin "io.containerd.grpc.v1.tasks"..."`),
/// so a quote only closes a value when a space or the end of the line follows it.
enum LogfmtScanner {
    /// The fields of `text`, or nil when `strict` and some token is not `key=value`.
    /// - Parameters:
    ///   - text: The text after any prefix, starting at the first key.
    ///   - strict: Reject text with bare words (used to tell trailing fields from message words).
    static func fields(in text: Substring, strict: Bool) -> [LogField]? {
        var fields: [LogField] = []
        var index = text.startIndex
        func skipSpaces() {
            while index < text.endIndex, text[index].isWhitespace { index = text.index(after: index) }
        }
        skipSpaces()
        while index < text.endIndex {
            let keyStart = index
            while index < text.endIndex, text[index] != "=", !text[index].isWhitespace, text[index] != "\"" {
                index = text.index(after: index)
            }
            let key = text[keyStart..<index]
            guard index < text.endIndex, text[index] == "=", !key.isEmpty else {
                if strict { return nil }
                // A bare word: skip it, as logfmt readers do.
                while index < text.endIndex, !text[index].isWhitespace { index = text.index(after: index) }
                skipSpaces()
                continue
            }
            index = text.index(after: index)  // past "="
            let value: String
            if index < text.endIndex, text[index] == "\"" {
                (value, index) = quotedValue(in: text, openingQuote: index)
            } else {
                let valueStart = index
                while index < text.endIndex, !text[index].isWhitespace { index = text.index(after: index) }
                value = String(text[valueStart..<index])
            }
            fields.append(LogField(key: String(key), value: value))
            skipSpaces()
        }
        return fields
    }

    /// Reads a quoted value, unescaping Go's escapes; returns it and the index after it.
    private static func quotedValue(in text: Substring, openingQuote: Substring.Index) -> (String, Substring.Index) {
        var value = ""
        var index = text.index(after: openingQuote)
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "\\", next < text.endIndex {
                switch text[next] {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "\"": value.append("\"")
                case "\\": value.append("\\")
                default:
                    value.append("\\")
                    value.append(text[next])
                }
                index = text.index(after: next)
                continue
            }
            if character == "\"", next == text.endIndex || text[next].isWhitespace {
                return (value, next)
            }
            value.append(character)
            index = next
        }
        return (value, index)  // unterminated: the rest of the line is the value
    }
}
