package import Foundation

/// The id of a run, which names its directory: `results/<run id>/`.
///
/// Generated ids are the UTC start time and a short random suffix,
/// `20261129T112233Z-ab12`, so they sort by time and two runs started in the same
/// second still differ. Ids given by users are accepted when they can safely name a
/// directory.
package struct RunID: Sendable, Hashable, Codable, Comparable, LosslessStringConvertible {
    package let rawValue: String

    /// Accepts an id made of letters, digits, '.', '_' and '-', not starting with '.',
    /// at most 100 characters; nil otherwise.
    package init?(_ description: String) {
        guard SafeName.isValid(description) else { return nil }
        rawValue = description
    }

    /// An id built by `generate`, whose characters are safe by construction.
    private init(generated rawValue: String) {
        self.rawValue = rawValue
    }

    /// A new id for a run starting at `date`.
    /// - Parameters:
    ///   - date: The run's start.
    ///   - generator: The source of the random suffix (a seeded one in tests).
    package static func generate(at date: Date = Date(), using generator: inout some RandomNumberGenerator) -> RunID {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        let stamp =
            String(format: "%04d", c.year ?? 0) + two(c.month) + two(c.day)
            + "T" + two(c.hour) + two(c.minute) + two(c.second) + "Z"
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        let suffix = String((0..<4).map { _ in alphabet[Int.random(in: alphabet.indices, using: &generator)] })
        return RunID(generated: "\(stamp)-\(suffix)")
    }

    /// A new id for a run starting at `date`, with a system-random suffix.
    package static func generate(at date: Date = Date()) -> RunID {
        var generator = SystemRandomNumberGenerator()
        return generate(at: date, using: &generator)
    }

    package var description: String { rawValue }

    package static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = RunID(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: ResultsError.invalidName("run id", text).description))
        }
        self = id
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Names that can become one directory: run ids and trial ids.
enum SafeName {
    static func isValid(_ name: String) -> Bool {
        (1...100).contains(name.count) && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            }
    }
}
