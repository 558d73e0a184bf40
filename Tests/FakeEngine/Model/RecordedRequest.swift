public import Foundation

/// A request as the fake engine received it, recorded before it was answered.
public struct RecordedRequest: Sendable, Equatable {
    /// The largest body prefix kept; longer bodies (image imports) are only counted.
    public static let keptBodyLimit = 1 << 20

    public var method: String
    /// The request target: path and query, e.g. "/v1.41/containers/json?all=1".
    public var path: String
    /// Header values by lowercased name; repeated headers are joined with ", ".
    public var headers: [String: String]
    /// The decoded body (chunked framing removed), at most `keptBodyLimit` bytes of it.
    public var body: Data
    /// The full decoded body length.
    public var bodyLength: Int
    /// The connection the request came on, numbered from 1 in accept order.
    public var connectionID: Int

    public init(method: String, path: String, headers: [String: String], body: Data, bodyLength: Int, connectionID: Int) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyLength = bodyLength
        self.connectionID = connectionID
    }

    /// The path without its query.
    public var pathWithoutQuery: String {
        path.firstIndex(of: "?").map { String(path[..<$0]) } ?? path
    }

    /// A header value by name, in any case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
