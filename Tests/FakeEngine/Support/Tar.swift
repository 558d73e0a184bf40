import Foundation

/// One member of a tar archive.
struct TarEntry: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case file
        case directory
        case symlink(target: String)
        case other
    }

    var name: String
    var kind: Kind
    var mode: Int
    var modified: Date
    var size: Int
    /// The contents, when the reader was asked to keep them.
    var contents: Data?
}

/// Reads a tar archive incrementally, as its bytes arrive, so that large uploads (image tars)
/// never have to be held in memory. Understands ustar, GNU long names and pax paths.
struct TarReader {
    private enum State {
        case header([UInt8])
        case contents(TarEntry, remaining: Int, padding: Int, keep: Bool, metadata: Bool)
        case finished
    }

    private(set) var entries: [TarEntry] = []
    private var state = State.header([])
    private var pendingLongName: String?
    private let keepContents: (String) -> Bool
    private let maximumKeptSize: Int

    /// - Parameters:
    ///   - keepContents: which member names to keep contents for.
    ///   - maximumKeptSize: members larger than this are counted, not kept.
    init(keepContents: @escaping (String) -> Bool = { _ in true }, maximumKeptSize: Int = 64 << 20) {
        self.keepContents = keepContents
        self.maximumKeptSize = maximumKeptSize
    }

    /// Reads a whole archive in memory.
    static func entries(of archive: Data) -> [TarEntry] {
        var reader = TarReader()
        reader.feed(archive)
        return reader.entries
    }

    mutating func feed(_ bytes: Data) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch state {
            case .finished:
                return
            case .header(var header):
                let take = min(512 - header.count, bytes.endIndex - index)
                header += bytes[index..<(index + take)]
                index += take
                if header.count == 512 { startEntry(header) } else { state = .header(header) }
            case .contents(var entry, let remaining, let padding, let keep, let metadata):
                let take = min(remaining + padding, bytes.endIndex - index)
                let dataPart = min(take, remaining)
                if keep, dataPart > 0 { entry.contents?.append(bytes[index..<(index + dataPart)]) }
                index += take
                let left = remaining + padding - take
                if left == 0 {
                    finishEntry(entry, metadata: metadata)
                } else {
                    let newRemaining = max(0, remaining - take)
                    state = .contents(
                        entry, remaining: newRemaining, padding: left - newRemaining, keep: keep, metadata: metadata)
                }
            }
        }
    }

    private mutating func startEntry(_ header: [UInt8]) {
        if header.allSatisfy({ $0 == 0 }) {
            state = .finished
            return
        }
        let size = Self.octal(header[124..<136])
        let type = header[156]
        var name = Self.string(header[0..<100])
        if Self.string(header[257..<262]) == "ustar" {
            let prefix = Self.string(header[345..<500])
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        if let long = pendingLongName {
            name = long
            pendingLongName = nil
        }
        let kind: TarEntry.Kind
        switch type {
        case UInt8(ascii: "0"), 0: kind = .file
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "2"): kind = .symlink(target: Self.string(header[157..<257]))
        default: kind = .other
        }
        let metadata = type == UInt8(ascii: "L") || type == UInt8(ascii: "x")
        let keep = metadata || (size <= maximumKeptSize && keepContents(name))
        let entry = TarEntry(
            name: name, kind: kind, mode: Self.octal(header[100..<108]),
            modified: Date(timeIntervalSince1970: TimeInterval(Self.octal(header[136..<148]))),
            size: size, contents: keep ? Data() : nil)
        let padding = (512 - size % 512) % 512
        if size + padding == 0 {
            finishEntry(entry, metadata: metadata)
        } else {
            state = .contents(entry, remaining: size, padding: padding, keep: keep, metadata: metadata)
        }
    }

    private mutating func finishEntry(_ entry: TarEntry, metadata: Bool) {
        state = .header([])
        guard metadata else {
            entries.append(entry)
            return
        }
        let text = String(decoding: entry.contents ?? Data(), as: UTF8.self)
        if entry.name.hasSuffix("LongLink") || !text.contains("=") {
            pendingLongName = text.trimmingCharacters(in: CharacterSet(charactersIn: "\0"))
        } else {
            // pax records: "LEN key=value\n"; only the path matters here.
            for record in text.split(separator: "\n") {
                if let range = record.range(of: " path=") { pendingLongName = String(record[range.upperBound...]) }
            }
        }
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    private static func octal(_ bytes: ArraySlice<UInt8>) -> Int {
        let digits = string(bytes).trimmingCharacters(in: .whitespaces)
        return Int(digits, radix: 8) ?? 0
    }
}

/// Writes ustar archives (with GNU long names when a path does not fit).
enum TarWriter {
    static func archive(_ entries: [TarEntry]) -> Data {
        var output = Data()
        for entry in entries {
            let contents = entry.kind == .file ? (entry.contents ?? Data()) : Data()
            if entry.name.utf8.count > 100 {
                let longName = Data(entry.name.utf8) + Data([0])
                output += header(
                    name: "././@LongLink", type: UInt8(ascii: "L"), mode: 0, size: longName.count,
                    modified: entry.modified, linkTarget: "")
                output += padded(longName)
            }
            let type: UInt8
            var linkTarget = ""
            switch entry.kind {
            case .file, .other: type = UInt8(ascii: "0")
            case .directory: type = UInt8(ascii: "5")
            case .symlink(let target):
                type = UInt8(ascii: "2")
                linkTarget = target
            }
            output += header(
                name: String(decoding: entry.name.utf8.prefix(100), as: UTF8.self), type: type, mode: entry.mode,
                size: contents.count, modified: entry.modified, linkTarget: linkTarget)
            output += padded(contents)
        }
        output += Data(count: 1024)
        return output
    }

    private static func padded(_ data: Data) -> Data {
        data + Data(count: (512 - data.count % 512) % 512)
    }

    private static func header(name: String, type: UInt8, mode: Int, size: Int, modified: Date, linkTarget: String)
        -> Data
    {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
        }
        func putOctal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        putOctal(mode, at: 100, width: 8)
        putOctal(0, at: 108, width: 8)
        putOctal(0, at: 116, width: 8)
        putOctal(size, at: 124, width: 12)
        putOctal(Int(modified.timeIntervalSince1970), at: 136, width: 12)
        header[156] = type
        put(linkTarget, at: 157, width: 100)
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        put("root", at: 265, width: 32)
        put("root", at: 297, width: 32)
        for index in 148..<156 { header[index] = UInt8(ascii: " ") }
        let checksum = header.reduce(0) { $0 + Int($1) }
        let digits = String(checksum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148, width: 6)
        header[154] = 0
        header[155] = UInt8(ascii: " ")
        return Data(header)
    }
}
