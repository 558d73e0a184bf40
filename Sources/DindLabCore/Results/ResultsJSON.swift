package import Foundation

/// The JSON conventions of every file under `results/`: ISO 8601 times in UTC with
/// milliseconds (`2026-11-29T11:22:33.123Z`), sorted keys so files diff cleanly,
/// unescaped slashes so paths stay readable.
package enum ResultsJSON {
    /// An encoder for results files.
    /// - Parameter pretty: Indent (for manifest.json and summary.json); trials.jsonl needs one line per record.
    package static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// A decoder for results files; reads times with any number of fractional digits
    /// (milliseconds are kept) and any UTC offset.
    package static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "\"\(text)\" is not an ISO 8601 time such as 2026-11-29T11:22:33.123Z.")
            }
            return date
        }
        return decoder
    }

    /// A one-line account of why decoding failed, with the key path where it did.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : " at \(keys.joined(separator: "."))"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "the key \"\(key.stringValue)\" is missing\(path(context))"
        case .typeMismatch(let type, let context):
            return "expected \(type)\(path(context)): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "expected \(type) but found null\(path(context))"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "\(underlying ?? context.debugDescription)\(path(context))"
        @unknown default:
            return "\(error)"
        }
    }
}
