/// A cell's matrix values, in the order the scenario's matrix declares its keys
/// (`daemon.start=exec, inner.mode=ti`).
///
/// Kept as an ordered list rather than a dictionary because reports show the values in
/// the scenario's own order, and JSON objects do not keep an order. Encoded as
/// `[{"key": "daemon.start", "value": "exec"}, ...]`.
package struct CellValues: Sendable, Hashable, Codable, RandomAccessCollection, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    /// One matrix key and its value in this cell.
    package struct Entry: Sendable, Hashable, Codable {
        package let key: String
        package let value: String

        package init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    package let entries: [Entry]

    /// - Parameter pairs: Keys and values in matrix order; keys must be distinct.
    package init(_ pairs: [(key: String, value: String)]) {
        precondition(Set(pairs.map(\.key)).count == pairs.count, "A cell has one value per matrix key, got \(pairs).")
        entries = pairs.map { Entry(key: $0.key, value: $0.value) }
    }

    /// Keeps the literal's order: `["daemon.start": "exec", "inner.mode": "ti"]`.
    package init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }

    package init(from decoder: any Decoder) throws {
        let entries = try [Entry](from: decoder)
        guard Set(entries.map(\.key)).count == entries.count else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "A cell's values name the same matrix key twice."))
        }
        self.entries = entries
    }

    package func encode(to encoder: any Encoder) throws {
        try entries.encode(to: encoder)
    }

    /// The value of a matrix key in this cell.
    package subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    package var startIndex: Int { entries.startIndex }
    package var endIndex: Int { entries.endIndex }
    package subscript(position: Int) -> Entry { entries[position] }

    /// `daemon.start=exec, inner.mode=ti`.
    package var description: String {
        entries.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
