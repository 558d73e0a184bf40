import Foundation

/// Reads the few fields `dindlab history` needs from one line of trials.jsonl, without
/// decoding the rest: a year of nightly runs is 400,000 records or more, and Foundation's
/// JSONDecoder spends about 10 µs on each (it builds every value of the record), while this
/// scanner only walks over what it skips.
///
/// It is a strict JSON reader for one object per line: strings with every escape, nested
/// objects and arrays skipped with their strings, numbers and literals skipped by their
/// characters. A line that is not a JSON object, or that lacks a field history needs, is
/// reported as a corrupt line with the reason, as `dindlab report` does.
struct TrialLineScanner {
    /// What history reads of a trial record.
    struct Fields {
        var scenario = ""
        var cellID = ""
        var engine = ""
        var outcome: TrialOutcome = .pass
        var trialID = ""
        var signature: String?
        var artifactsPath: String?
        /// Where the `cellValues` array is in the line, decoded only for cells not seen before.
        var cellValues: Range<Int>?
    }

    /// Why a line is not a record history can read.
    struct Failure: Error {
        let reason: String
    }

    private enum Key {
        case scenario, cellID, engine, outcome, trialID, signature, artifactsPath, cellValues, other

        init(_ bytes: UnsafeRawBufferPointer) {
            // Compared by length first: most keys are skipped after one integer comparison.
            switch bytes.count {
            case 6 where Self.equal(bytes, "engine"): self = .engine
            case 6 where Self.equal(bytes, "cellID"): self = .cellID
            case 7 where Self.equal(bytes, "outcome"): self = .outcome
            case 7 where Self.equal(bytes, "trialID"): self = .trialID
            case 8 where Self.equal(bytes, "scenario"): self = .scenario
            case 9 where Self.equal(bytes, "signature"): self = .signature
            case 10 where Self.equal(bytes, "cellValues"): self = .cellValues
            case 13 where Self.equal(bytes, "artifactsPath"): self = .artifactsPath
            default: self = .other
            }
        }

        private static func equal(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
            memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0
        }
    }

    /// Scans one line.
    /// - Parameter line: The line's bytes, without its line break.
    /// - Returns: The fields.
    /// - Throws: `Failure` with a reason when the line is not a JSON object or lacks a field.
    static func scan(_ line: UnsafeRawBufferPointer) throws(Failure) -> Fields {
        var cursor = Cursor(bytes: line)
        var fields = Fields()
        var seen: (scenario: Bool, cellID: Bool, engine: Bool, outcome: Bool, trialID: Bool) = (false, false, false, false, false)
        cursor.skipWhitespace()
        guard cursor.take(UInt8(ascii: "{")) else { throw Failure(reason: "the line is not a JSON object") }
        cursor.skipWhitespace()
        if !cursor.take(UInt8(ascii: "}")) {
            while true {
                cursor.skipWhitespace()
                let key = try cursor.keyBytes()
                cursor.skipWhitespace()
                guard cursor.take(UInt8(ascii: ":")) else { throw cursor.failure("expected ':' after a key") }
                cursor.skipWhitespace()
                switch Key(key) {
                case .scenario:
                    fields.scenario = try cursor.string(for: "scenario")
                    seen.scenario = true
                case .cellID:
                    fields.cellID = try cursor.string(for: "cellID")
                    seen.cellID = true
                case .engine:
                    fields.engine = try cursor.string(for: "engine")
                    seen.engine = true
                case .trialID:
                    fields.trialID = try cursor.string(for: "trialID")
                    seen.trialID = true
                case .outcome:
                    let text = try cursor.string(for: "outcome")
                    guard let outcome = TrialOutcome(rawValue: text) else {
                        throw Failure(reason: "\"\(text)\" is not an outcome (pass, fail, timeout, error) at outcome")
                    }
                    fields.outcome = outcome
                    seen.outcome = true
                case .signature:
                    fields.signature = try cursor.optionalString(for: "signature")
                case .artifactsPath:
                    fields.artifactsPath = try cursor.optionalString(for: "artifactsPath")
                case .cellValues:
                    let start = cursor.position
                    guard cursor.peek == UInt8(ascii: "[") else { throw cursor.failure("cellValues is not a list") }
                    try cursor.skipValue()
                    fields.cellValues = start..<cursor.position
                case .other:
                    try cursor.skipValue()
                }
                cursor.skipWhitespace()
                if cursor.take(UInt8(ascii: ",")) { continue }
                if cursor.take(UInt8(ascii: "}")) { break }
                throw cursor.failure("expected ',' or '}' after a value")
            }
        }
        cursor.skipWhitespace()
        guard cursor.atEnd else { throw cursor.failure("unexpected text after the record") }
        let missing = [("scenario", seen.scenario), ("cellID", seen.cellID), ("engine", seen.engine),
                       ("outcome", seen.outcome), ("trialID", seen.trialID)].filter { !$0.1 }.map(\.0)
        guard missing.isEmpty else {
            throw Failure(reason: "the record has no \(missing.joined(separator: ", ")) field\(missing.count == 1 ? "" : "s")")
        }
        return fields
    }

    /// A position in the line's bytes.
    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        func failure(_ what: String) -> Failure {
            Failure(reason: "\(what) (byte \(position + 1))")
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            position += 1
            return true
        }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        /// A key's raw bytes (keys of records have no escapes; one that has them matches no
        /// field history reads, and is skipped like any other).
        mutating func keyBytes() throws(Failure) -> UnsafeRawBufferPointer {
            guard take(UInt8(ascii: "\"")) else { throw failure("expected a key in quotes") }
            let start = position
            try skipStringBody()
            return UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1])
        }

        /// A string value, or a failure that names the field.
        mutating func string(for field: String) throws(Failure) -> String {
            guard take(UInt8(ascii: "\"")) else { throw failure("\(field) is not a string") }
            return try stringBody()
        }

        /// A string value or null.
        mutating func optionalString(for field: String) throws(Failure) -> String? {
            if peek == UInt8(ascii: "n") {
                try skipLiteral()
                return nil
            }
            return try string(for: field)
        }

        /// After the opening quote: the string's text, escapes decoded.
        private mutating func stringBody() throws(Failure) -> String {
            let start = position
            try skipStringBody()
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1])
            let escaped = raw.count > 0 && memchr(raw.baseAddress!, Int32(UInt8(ascii: "\\")), raw.count) != nil
            return escaped ? try Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
        }

        /// After the opening quote: moves past the closing one (found with memchr; a quote after
        /// an odd number of backslashes is part of the string).
        private mutating func skipStringBody() throws(Failure) {
            guard let base = bytes.baseAddress else { throw failure("a string does not end") }
            while position < bytes.count {
                guard let found = memchr(base + position, Int32(UInt8(ascii: "\"")), bytes.count - position) else { break }
                let quote = base.distance(to: UnsafeRawPointer(found))
                var backslashes = 0
                while quote - backslashes - 1 >= position, bytes[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
                position = quote + 1
                if backslashes % 2 == 0 { return }
            }
            position = bytes.count
            throw failure("a string does not end")
        }

        /// Moves past one value of any kind.
        mutating func skipValue() throws(Failure) {
            guard let first = peek else { throw failure("a value is missing") }
            switch first {
            case UInt8(ascii: "\""):
                position += 1
                try skipStringBody()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while let byte = peek {
                    position += 1
                    switch byte {
                    case UInt8(ascii: "\""): try skipStringBody()
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { return }
                    default: break
                    }
                }
                throw failure("an object or list does not end")
            default:
                try skipLiteral()
            }
        }

        /// A number, true, false or null.
        private mutating func skipLiteral() throws(Failure) {
            let start = position
            while let byte = peek, byte != UInt8(ascii: ","), byte != UInt8(ascii: "}"), byte != UInt8(ascii: "]"),
                  byte != 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D {
                guard byte.isLiteralCharacter else { throw failure("unexpected character '\(Character(Unicode.Scalar(byte)))'") }
                position += 1
            }
            if position == start { throw failure("a value is missing") }
        }

        /// Decodes JSON escapes (`\n`, `\"`, `\u00e9`, surrogate pairs).
        private static func unescape(_ raw: UnsafeRawBufferPointer) throws(Failure) -> String {
            var scalars = String.UnicodeScalarView()
            var bytes: [UInt8] = []
            var index = 0
            func flush() {
                scalars.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
                bytes.removeAll(keepingCapacity: true)
            }
            func hex4(at offset: Int) throws(Failure) -> UInt32 {
                guard offset + 4 <= raw.count else { throw Failure(reason: "a \\u escape is cut short") }
                var value: UInt32 = 0
                for byte in raw[offset..<offset + 4] {
                    guard let digit = byte.hexDigitValue else { throw Failure(reason: "a \\u escape has a character that is not a hex digit") }
                    value = value << 4 | UInt32(digit)
                }
                return value
            }
            while index < raw.count {
                let byte = raw[index]
                guard byte == UInt8(ascii: "\\"), index + 1 < raw.count else {
                    bytes.append(byte)
                    index += 1
                    continue
                }
                let code = raw[index + 1]
                index += 2
                switch code {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(code)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var value = try hex4(at: index)
                    index += 4
                    if (0xD800..<0xDC00).contains(value), index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") {
                        let low = try hex4(at: index + 2)
                        if (0xDC00..<0xE000).contains(low) {
                            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        }
                    }
                    flush()
                    scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                default:
                    throw Failure(reason: "\\\(Character(Unicode.Scalar(code))) is not a JSON escape")
                }
            }
            flush()
            return String(scalars)
        }
    }
}

private extension UInt8 {
    /// Characters of numbers and of true, false, null.
    var isLiteralCharacter: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || self == UInt8(ascii: "-") || self == UInt8(ascii: "+")
            || self == UInt8(ascii: ".") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }

    var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
