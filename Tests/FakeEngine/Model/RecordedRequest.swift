package import Foundation

/// A request as the fake engine received it, recorded before it was answered.
package struct RecordedRequest: Sendable, Equatable {
    /// The largest body prefix kept; longer bodies (image imports) are only counted.
    package static let keptBodyLimit = 1 << 20

    package var method: String
    /// The request target: path and query, e.g. "/v1.41/containers/json?all=1".
    package var path: String
    /// Header values by lowercased name; repeated headers are joined with ", ".
    package var headers: [String: String]
    /// The decoded body (chunked framing removed), at most `keptBodyLimit` bytes of it.
    package var body: Data
    /// The full decoded body length.
    package var bodyLength: Int
    /// The connection the request came on, numbered from 1 in accept order.
    package var connectionID: Int

    package init(
        method: String, path: String, headers: [String: String], body: Data, bodyLength: Int, connectionID: Int
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyLength = bodyLength
        self.connectionID = connectionID
    }

    /// The path without its query.
    package var pathWithoutQuery: String {
        path.firstIndex(of: "?").map { String(path[..<$0]) } ?? path
    }

    /// A header value by name, in any case.
    package func header(_ name: String) -> String? { headers[name.lowercased()] }
}
