/// A cell's matrix values, in the order the scenario's matrix declares its keys
/// (`daemon.start=exec, inner.mode=ti`).
///
/// Kept as an ordered list rather than a dictionary because reports show the values in
/// the scenario's own order, and JSON objects do not keep an order. Encoded as
/// `[{"key": "daemon.start", "value": "exec"}, ...]`.
public struct CellValues: Sendable, Hashable, Codable, RandomAccessCollection, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One matrix key and its value in this cell.
    public struct Entry: Sendable, Hashable, Codable {
        public let key: String
        public let value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public let entries: [Entry]

    /// - Parameter pairs: Keys and values in matrix order; keys must be distinct.
    public init(_ pairs: [(key: String, value: String)]) {
        precondition(Set(pairs.map(\.key)).count == pairs.count, "A cell has one value per matrix key, got \(pairs).")
        entries = pairs.map { Entry(key: $0.key, value: $0.value) }
    }

    /// Keeps the literal's order: `["daemon.start": "exec", "inner.mode": "ti"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }

    public init(from decoder: any Decoder) throws {
        let entries = try [Entry](from: decoder)
        guard Set(entries.map(\.key)).count == entries.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "A cell's values name the same matrix key twice."))
        }
        self.entries = entries
    }

    public func encode(to encoder: any Encoder) throws {
        try entries.encode(to: encoder)
    }

    /// The value of a matrix key in this cell.
    public subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Entry { entries[position] }

    /// `daemon.start=exec, inner.mode=ti`.
    public var description: String {
        entries.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
