import Foundation

/// What a route handler answers. Streams write their response themselves and return `.handled`.
enum Reply {
    case json(JSON, status: Int = 200)
    case empty(status: Int)
    case bytes(Data, status: Int = 200, headers: [(String, String)])
    case handled
}

/// One endpoint: method, path pattern, the daemon release that introduced it, and its handler.
/// Patterns are paths whose segments may be `{name}` (one segment) or `{name*}` (one or more
/// segments, for image names such as "library/busybox:latest").
struct Route: Sendable {
    let method: String
    let pattern: String
    let since: DaemonFeature?
    let handler: @Sendable (RequestContext) throws -> Reply

    init(
        _ method: String, _ pattern: String, since: DaemonFeature? = nil,
        _ handler: @escaping @Sendable (RequestContext) throws -> Reply
    ) {
        self.method = method
        self.pattern = pattern
        self.since = since
        self.handler = handler
    }

    /// The path parameters when the path matches.
    func match(method: String, path: String) -> [String: String]? {
        guard method == self.method else { return nil }
        let patternSegments = pattern.split(separator: "/").map(String.init)
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        var parameters: [String: String] = [:]
        return Self.match(patternSegments[...], pathSegments[...], &parameters) ? parameters : nil
    }

    private static func match(
        _ pattern: ArraySlice<String>, _ path: ArraySlice<String>, _ parameters: inout [String: String]
    ) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        guard !path.isEmpty else { return false }
        if head.hasPrefix("{"), head.hasSuffix("*}") {
            let name = String(head.dropFirst().dropLast(2))
            // Greedy: the longest run of segments that still lets the rest match.
            for count in stride(from: path.count - (pattern.count - 1), through: 1, by: -1) {
                var attempt = parameters
                let value = path.prefix(count).joined(separator: "/")
                attempt[name] = value.removingPercentEncoding ?? value
                if match(pattern.dropFirst(), path.dropFirst(count), &attempt) {
                    parameters = attempt
                    return true
                }
            }
            return false
        }
        if head.hasPrefix("{"), head.hasSuffix("}") {
            guard let segment = path.first, !segment.isEmpty else { return false }
            parameters[String(head.dropFirst().dropLast())] = segment.removingPercentEncoding ?? segment
            return match(pattern.dropFirst(), path.dropFirst(), &parameters)
        }
        return head == path.first && match(pattern.dropFirst(), path.dropFirst(), &parameters)
    }
}
