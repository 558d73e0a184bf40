import Foundation

/// One HTTP request to the engine, ready for the transport.
struct HTTPRequest: Sendable {
    /// Where the request body comes from.
    enum Body: Sendable {
        case none
        case data(Data, contentType: String)
        /// Streamed from a file without loading it into memory (image imports).
        case file(URL, contentType: String)
    }

    var method: String
    /// The path with the version prefix and query, e.g. "/v1.41/containers/json?all=1".
    var path: String
    var body: Body = .none
    var headers: [(String, String)] = []
    /// The whole call, connect to last byte, must finish within this.
    var timeout: Duration
}

/// The head of an HTTP response, and its body when the transport collected it.
struct HTTPResponse: Sendable {
    var status: Int
    /// Looked up by name, in any case.
    var headers: HTTPHeaders
    var body: Data
    /// The request this answers, for error messages.
    var method = ""
    var path = ""

    var contentType: String { headers["content-type"] ?? "" }
}

/// Builds a query string from ordered pairs, leaving out nil values.
func queryString(_ items: [(String, String?)]) -> String {
    let parts = items.compactMap { name, value -> String? in
        guard let value else { return nil }
        return "\(name)=\(percentEncode(value))"
    }
    return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
}

private let unreservedCharacters: CharacterSet = {
    var set = CharacterSet.alphanumerics
    set.insert(charactersIn: "-._~")
    return set
}()

func percentEncode(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: unreservedCharacters) ?? value
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Whole milliseconds, at least 1, for libcurl's timeout options.
    var curlMilliseconds: Int {
        max(1, Int((seconds * 1000).rounded(.up)))
    }
}
