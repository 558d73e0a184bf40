/// Line and column arithmetic over a file's raw bytes, for problems found before there is text
/// (invalid UTF-8) or that libyaml reports as byte offsets (bad characters).
enum YAMLText {
    /// Where the first byte that is not part of valid UTF-8 sits, or nil when all bytes are valid.
    static func firstInvalidUTF8(in bytes: [UInt8], file: String) -> YAMLLocation? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = Cursor()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                position.advance(over: Unicode.UTF8.decode(encoded))
            case .emptyInput:
                return nil
            case .error:
                return YAMLLocation(file: file, line: position.line, column: position.column)
            }
        }
    }

    /// The line and column of a byte offset into valid UTF-8, counting columns in Unicode scalars
    /// as libyaml does.
    static func location(ofByteOffset offset: Int, in bytes: [UInt8], file: String) -> YAMLLocation {
        let prefix = bytes.prefix(max(0, min(offset, bytes.count)))
        var position = Cursor()
        for scalar in String(decoding: prefix, as: UTF8.self).unicodeScalars {
            position.advance(over: scalar)
        }
        return YAMLLocation(file: file, line: position.line, column: position.column)
    }

    private struct Cursor {
        var line = 1
        var column = 1
        mutating func advance(over scalar: Unicode.Scalar) {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
    }
}
