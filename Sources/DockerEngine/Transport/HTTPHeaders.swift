import Foundation

/// The header fields of a response, kept as the bytes that came and looked up by name when
/// asked.
///
/// Every Engine API call passes its response head through here, and is asked for one or two
/// fields (Api-Version, Content-Type) of the ten a daemon sends: turning each line into
/// Strings in a dictionary cost more CPU than the rest of a /_ping round trip outside libcurl.
/// Names compare without regard to case (HTTP field names are ASCII); the last field of a
/// name wins.
struct HTTPHeaders: Sendable, Equatable {
    /// Every field line as it came, without its line break, one after another.
    private var bytes: [UInt8] = []
    /// Where each field line and its colon are in `bytes`, in the order they came.
    private var fields: [Field] = []

    private struct Field: Sendable, Equatable {
        var start: Int
        var colon: Int
        var end: Int
    }

    init() {}

    /// A head's field lines, e.g. ["Content-Type: application/json"].
    init(lines: [String]) {
        for line in lines {
            var line = line
            line.withUTF8 { append(line: UnsafeRawBufferPointer($0)) }
        }
    }

    /// Keeps one header line (with or without its CR LF); lines without a colon are dropped.
    /// The line is copied as it is: names and values are trimmed only when asked for.
    mutating func append(line: UnsafeRawBufferPointer) {
        let text = line.bindMemory(to: UInt8.self)
        var end = text.count
        while end > 0, text[end - 1] == UInt8(ascii: "\n") || text[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard let colon = text[..<end].firstIndex(of: UInt8(ascii: ":")) else { return }
        if fields.isEmpty {
            // A daemon's head has about ten fields of about 30 bytes: one allocation each.
            bytes.reserveCapacity(512)
            fields.reserveCapacity(16)
        }
        let start = bytes.count
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<end]))
        fields.append(Field(start: start, colon: start + colon, end: start + end))
    }

    /// Forgets every field (a new status line starts a new head).
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
    }

    /// The value of the last field called `name`, without surrounding blanks.
    subscript(name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all -> String? in
                for field in fields.reversed() {
                    let fieldName = HTTPHeaders.trimmed(UnsafeBufferPointer(rebasing: all[field.start..<field.colon]))
                    if HTTPHeaders.sameName(fieldName, wanted) {
                        let value = HTTPHeaders.trimmed(
                            UnsafeBufferPointer(rebasing: all[(field.colon + 1)..<field.end]))
                        return String(decoding: value, as: UTF8.self)
                    }
                }
                return nil
            }
        }
    }

    /// The status code of a status line ("HTTP/1.1 200 OK"): 0 when what follows "HTTP/" is
    /// not a code; nil when the line is not a status line.
    static func statusCode(_ line: UnsafeRawBufferPointer) -> Int? {
        let text = trimmed(line.bindMemory(to: UInt8.self))
        guard text.count >= 5, text[0] == UInt8(ascii: "H"), text[1] == UInt8(ascii: "T"), text[2] == UInt8(ascii: "T"),
            text[3] == UInt8(ascii: "P"), text[4] == UInt8(ascii: "/")
        else { return nil }
        guard let space = text.firstIndex(of: UInt8(ascii: " ")) else { return 0 }
        var index = space + 1
        while index < text.count, text[index] == UInt8(ascii: " ") { index += 1 }
        let digits = text[index...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.prefix(3)
        return digits.isEmpty ? 0 : digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// ASCII case-insensitive equality.
    private static func sameName(_ name: UnsafeBufferPointer<UInt8>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count == wanted.count else { return false }
        for index in 0..<name.count where lowercased(name[index]) != lowercased(wanted[index]) {
            return false
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
