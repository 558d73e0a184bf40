/// Writes a `Duration` into JSON as people read it (`"120s"`) rather than as Swift's pair of
/// integers, so manifests show timeouts the way scenario files spell them.
@propertyWrapper
package struct DurationCoding: Sendable, Hashable, Codable {
    /// The duration.
    package var wrappedValue: Duration

    /// Wraps a duration.
    /// - Parameter wrappedValue: The duration.
    package init(wrappedValue: Duration) {
        self.wrappedValue = wrappedValue
    }

    /// Reads text such as `"120s"`.
    /// - Throws: `DecodingError.dataCorrupted` when the text is not a duration.
    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let duration = DurationText.parse(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected a duration such as 120s, got \"\(text)\""))
        }
        wrappedValue = duration
    }

    /// Writes text such as `"120s"`.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(DurationText.format(wrappedValue))
    }
}
