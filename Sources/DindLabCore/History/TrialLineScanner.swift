import Foundation

/// Reads the few fields `dindlab history` needs from one line of trials.jsonl, without
/// decoding the rest: a year of nightly runs is 400,000 records or more, and Foundation's
/// JSONDecoder spends about 10 µs on each (it builds every value of the record), while this
/// scanner walks over what it skips, byte by byte, and makes strings only of what it keeps.
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
        /// Made into a string only for a cell's or a signature's first trial (`text(in:)`).
        var trialID = LazyText.raw(0..<0)
        var signature: String?
        var artifactsPath: LazyText?
        /// Where the `cellValues` array is in the line, decoded only for cells not seen before.
        var cellValues: Range<Int>?
    }

    /// A string value kept as its place in the line until it is needed (one with escapes is
    /// decoded, and so checked, right away).
    enum LazyText {
        case raw(Range<Int>)
        case decoded(String)

        /// The text, from the line it was scanned in.
        func text(in line: UnsafeRawBufferPointer) -> String {
            switch self {
            case .raw(let range): String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self)
            case .decoded(let text): text
            }
        }
    }

    /// Why a line is not a record history can read.
    struct Failure: Error {
        let reason: String
    }

    private enum Key {
        case scenario, cellID, engine, outcome, trialID, signature, artifactsPath, cellValues, other

        init(_ cursor: Cursor, _ range: Range<Int>) {
            // Compared by length first: most keys are skipped after one integer comparison.
            switch range.count {
            case 6 where cursor.equal(range, "engine"): self = .engine
            case 6 where cursor.equal(range, "cellID"): self = .cellID
            case 7 where cursor.equal(range, "outcome"): self = .outcome
            case 7 where cursor.equal(range, "trialID"): self = .trialID
            case 8 where cursor.equal(range, "scenario"): self = .scenario
            case 9 where cursor.equal(range, "signature"): self = .signature
            case 10 where cursor.equal(range, "cellValues"): self = .cellValues
            case 13 where cursor.equal(range, "artifactsPath"): self = .artifactsPath
            default: self = .other
            }
        }
    }

    /// Scans one line.
    /// - Parameter line: The line's bytes, without its line break.
    /// - Returns: The fields.
    /// - Throws: `Failure` with a reason when the line is not a JSON object or lacks a field.
    static func scan(_ line: UnsafeRawBufferPointer) throws(Failure) -> Fields {
        guard let base = line.baseAddress, !line.isEmpty else { throw Failure(reason: "the line is not a JSON object") }
        var cursor = Cursor(bytes: base.assumingMemoryBound(to: UInt8.self), count: line.count)
        var fields = Fields()
        var seen: (scenario: Bool, cellID: Bool, engine: Bool, outcome: Bool, trialID: Bool) = (
            false, false, false, false, false
        )
        cursor.skipWhitespace()
        guard cursor.take(UInt8(ascii: "{")) else { throw Failure(reason: "the line is not a JSON object") }
        cursor.skipWhitespace()
        if !cursor.take(UInt8(ascii: "}")) {
            while true {
                cursor.skipWhitespace()
                guard cursor.take(UInt8(ascii: "\"")) else { throw cursor.failure("expected a key in quotes") }
                // A key with escapes matches no field history reads, and is skipped like any other.
                let key = Key(cursor, try cursor.stringRange().range)
                cursor.skipWhitespace()
                guard cursor.take(UInt8(ascii: ":")) else { throw cursor.failure("expected ':' after a key") }
                cursor.skipWhitespace()
                switch key {
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
                    fields.trialID = try cursor.lazyString(for: "trialID")
                    seen.trialID = true
                case .outcome:
                    guard cursor.take(UInt8(ascii: "\"")) else { throw cursor.failure("outcome is not a string") }
                    let (range, escaped) = try cursor.stringRange()
                    let text = escaped ? try Cursor.unescape(cursor.buffer(range)) : nil
                    guard let outcome = text.map({ TrialOutcome(rawValue: $0) }) ?? cursor.outcome(range) else {
                        throw Failure(
                            reason:
                                "\"\(text ?? String(decoding: cursor.buffer(range), as: UTF8.self))\" is not an outcome (pass, fail, timeout, error) at outcome"
                        )
                    }
                    fields.outcome = outcome
                    seen.outcome = true
                case .signature:
                    fields.signature = cursor.atNull ? try cursor.skipNull() : try cursor.string(for: "signature")
                case .artifactsPath:
                    fields.artifactsPath =
                        cursor.atNull ? try cursor.skipNull() : try cursor.lazyString(for: "artifactsPath")
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
        let missing = [
            ("scenario", seen.scenario), ("cellID", seen.cellID), ("engine", seen.engine),
            ("outcome", seen.outcome), ("trialID", seen.trialID),
        ].filter { !$0.1 }.map(\.0)
        guard missing.isEmpty else {
            throw Failure(
                reason: "the record has no \(missing.joined(separator: ", ")) field\(missing.count == 1 ? "" : "s")")
        }
        return fields
    }

    /// A position in the line's bytes.
    private struct Cursor {
        let bytes: UnsafePointer<UInt8>
        let count: Int
        var position = 0

        static let quote = UInt8(ascii: "\"")
        static let backslash = UInt8(ascii: "\\")

        var atEnd: Bool { position >= count }
        /// The byte at the position; 0 at the end (never a byte JSON structure uses).
        var peek: UInt8 { position < count ? bytes[position] : 0 }
        var atNull: Bool { peek == UInt8(ascii: "n") }

        func failure(_ what: String) -> Failure {
            Failure(reason: "\(what) (byte \(position + 1))")
        }

        func buffer(_ range: Range<Int>) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: bytes + range.lowerBound, count: range.count)
        }

        func equal(_ range: Range<Int>, _ name: StaticString) -> Bool {
            memcmp(bytes + range.lowerBound, name.utf8Start, range.count) == 0
        }

        /// pass, fail, timeout or error, compared as bytes.
        func outcome(_ range: Range<Int>) -> TrialOutcome? {
            switch range.count {
            case 4 where equal(range, "pass"): .pass
            case 4 where equal(range, "fail"): .fail
            case 7 where equal(range, "timeout"): .timeout
            case 5 where equal(range, "error"): .error
            default: nil
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        mutating func skipWhitespace() {
            while position < count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        /// After the opening quote: moves past the closing one; returns the string's bytes
        /// and whether it has escapes.
        mutating func stringRange() throws(Failure) -> (range: Range<Int>, escaped: Bool) {
            let start = position
            var escaped = false
            while position < count {
                let byte = bytes[position]
                position += 1
                if byte == Self.quote { return (start..<position - 1, escaped) }
                if byte == Self.backslash {
                    escaped = true
                    position += 1
                }
            }
            position = count
            throw failure("a string does not end")
        }

        /// A string value, or a failure that names the field.
        mutating func string(for field: String) throws(Failure) -> String {
            guard take(Self.quote) else { throw failure("\(field) is not a string") }
            let (range, escaped) = try stringRange()
            return escaped ? try Self.unescape(buffer(range)) : String(decoding: buffer(range), as: UTF8.self)
        }

        /// A string value kept as its place in the line (decoded now when it has escapes).
        mutating func lazyString(for field: String) throws(Failure) -> LazyText {
            guard take(Self.quote) else { throw failure("\(field) is not a string") }
            let (range, escaped) = try stringRange()
            return escaped ? .decoded(try Self.unescape(buffer(range))) : .raw(range)
        }

        /// Moves past `null`.
        mutating func skipNull<T>() throws(Failure) -> T? {
            guard position + 4 <= count, equal(position..<position + 4, "null") else {
                throw failure("expected a string or null")
            }
            position += 4
            return nil
        }

        /// Moves past one value of any kind.
        mutating func skipValue() throws(Failure) {
            switch peek {
            case Self.quote:
                position += 1
                _ = try stringRange()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while position < count {
                    let byte = bytes[position]
                    position += 1
                    switch byte {
                    case Self.quote: _ = try stringRange()
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { return }
                    default: break
                    }
                }
                throw failure("an object or list does not end")
            default:
                // A number, true, false or null.
                let start = position
                while position < count {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
                        || byte <= 0x20
                    {
                        break
                    }
                    guard byte.isLiteralCharacter else {
                        throw failure("unexpected character '\(Character(Unicode.Scalar(byte)))'")
                    }
                    position += 1
                }
                if position == start { throw failure("a value is missing") }
            }
        }

        /// Decodes JSON escapes (`\n`, `\"`, `\u00e9`, surrogate pairs).
        static func unescape(_ raw: UnsafeRawBufferPointer) throws(Failure) -> String {
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
                    guard let digit = byte.hexDigitValue else {
                        throw Failure(reason: "a \\u escape has a character that is not a hex digit")
                    }
                    value = value << 4 | UInt32(digit)
                }
                return value
            }
            while index < raw.count {
                let byte = raw[index]
                guard byte == backslash, index + 1 < raw.count else {
                    bytes.append(byte)
                    index += 1
                    continue
                }
                let code = raw[index + 1]
                index += 2
                switch code {
                case quote, backslash, UInt8(ascii: "/"): bytes.append(code)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var value = try hex4(at: index)
                    index += 4
                    if (0xD800..<0xDC00).contains(value), index + 6 <= raw.count, raw[index] == backslash,
                        raw[index + 1] == UInt8(ascii: "u")
                    {
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

extension UInt8 {
    /// Characters of numbers and of true, false, null.
    fileprivate var isLiteralCharacter: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || self == UInt8(ascii: "-") || self == UInt8(ascii: "+")
            || self == UInt8(ascii: ".") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }

    fileprivate var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
