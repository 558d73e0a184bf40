import Foundation

/// One line of an HTTP/1.1 response head, parsed on its bytes.
///
/// Every Engine API call passes its response head through here, line by line, so this works
/// on raw bytes with ASCII rules (header names and the status line are ASCII by the HTTP
/// grammar): going through Foundation's `trimmingCharacters` and `lowercased()` cost more
/// CPU than the rest of a /_ping round trip together.
enum HTTPHeadLine: Equatable {
    /// "HTTP/1.1 200 OK": the status code; 0 when it is not a number.
    case status(Int)
    /// "Api-Version: 1.41": the name lowercased, the value without surrounding blanks.
    case field(name: String, value: String)
    /// The blank line that ends a head, or a line that is neither of the above.
    case other

    /// Parses one line, with or without its trailing CR LF.
    init(_ line: UnsafeRawBufferPointer) {
        let bytes = line.bindMemory(to: UInt8.self)
        var start = 0
        var end = bytes.count
        while start < end, Self.isBlank(bytes[start]) { start += 1 }
        while end > start, Self.isBlank(bytes[end - 1]) { end -= 1 }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if text.starts(with: Self.httpPrefix) {
            // "HTTP/1.1 200 OK": the code is the digits after the first space.
            guard let space = text.firstIndex(of: UInt8(ascii: " ")) else {
                self = .status(0)
                return
            }
            var code = 0
            var index = space + 1
            while index < text.count, text[index] == UInt8(ascii: " ") { index += 1 }
            let digitsStart = index
            while index < text.count, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9"), index - digitsStart < 3 {
                code = code * 10 + Int(text[index] - UInt8(ascii: "0"))
                index += 1
            }
            self = .status(index > digitsStart ? code : 0)
            return
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else {
            self = .other
            return
        }
        var nameEnd = colon
        while nameEnd > 0, Self.isBlank(text[nameEnd - 1]) { nameEnd -= 1 }
        var valueStart = colon + 1
        while valueStart < text.count, Self.isBlank(text[valueStart]) { valueStart += 1 }
        let name = String(unsafeUninitializedCapacity: nameEnd) { buffer in
            for index in 0..<nameEnd {
                let byte = text[index]
                buffer[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            }
            return nameEnd
        }
        let value = String(decoding: UnsafeBufferPointer(rebasing: text[valueStart...]), as: UTF8.self)
        self = .field(name: name, value: value)
    }

    /// Parses one line given as bytes in any contiguous container.
    init(_ bytes: some ContiguousBytes) {
        self = bytes.withUnsafeBytes { HTTPHeadLine($0) }
    }

    private static let httpPrefix: [UInt8] = Array("HTTP/".utf8)

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }
}
