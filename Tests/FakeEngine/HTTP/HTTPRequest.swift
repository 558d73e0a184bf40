import Foundation

/// A parsed request head.
struct HTTPRequest {
    enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
    }

    let method: String
    /// Path and query as sent (origin form).
    let target: String
    let httpVersion: String
    /// Header lines in order, names lowercased.
    let headerLines: [(name: String, value: String)]

    var path: String { target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target }
    var query: QueryItems {
        QueryItems(target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } ?? "")
    }

    /// A header's values joined with ", ", by lowercased name.
    func header(_ name: String) -> String? {
        let values = headerLines.filter { $0.name == name }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    var headers: [String: String] {
        var map: [String: String] = [:]
        for line in headerLines { map[line.name] = map[line.name].map { $0 + ", " + line.value } ?? line.value }
        return map
    }

    /// Whether a comma-separated header contains the token, ignoring case.
    func header(_ name: String, containsToken token: String) -> Bool {
        guard let value = header(name) else { return false }
        return value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == token }
    }

    var wantsKeepAlive: Bool {
        if header("connection", containsToken: "close") { return false }
        if httpVersion == "HTTP/1.0" { return header("connection", containsToken: "keep-alive") }
        return true
    }

    var expectsContinue: Bool { header("expect")?.lowercased() == "100-continue" }

    /// Parses a request head (the bytes before the blank line).
    /// - Throws: `ConnectionEnd.malformed` naming what is wrong.
    init(head: [UInt8]) throws {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            throw ConnectionEnd.malformed("the request line \"\(text.prefix(200))\" is not METHOD TARGET HTTP/1.x")
        }
        method = String(requestLine[0])
        httpVersion = String(requestLine[2])
        var target = String(requestLine[1])
        // An absolute-form target ("http://docker/v1.41/_ping") is reduced to its path.
        if let schemeEnd = target.range(of: "://") {
            let afterHost = target[schemeEnd.upperBound...].firstIndex(of: "/") ?? target.endIndex
            target = afterHost == target.endIndex ? "/" : String(target[afterHost...])
        }
        self.target = target
        var parsed: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw ConnectionEnd.malformed("the header line \"\(line.prefix(200))\" has no colon")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            parsed.append((name, value))
        }
        headerLines = parsed
    }

    /// How the body is delimited.
    /// - Throws: `ConnectionEnd.malformed` for an unreadable Content-Length.
    func bodyFraming() throws -> BodyFraming {
        if header("transfer-encoding", containsToken: "chunked") { return .chunked }
        guard let length = header("content-length") else { return .none }
        guard let count = Int(length.split(separator: ",").first?.trimmingCharacters(in: .whitespaces) ?? ""),
            count >= 0
        else {
            throw ConnectionEnd.malformed("Content-Length \"\(length)\" is not a number")
        }
        return count == 0 ? .none : .length(count)
    }
}

/// Query parameters, decoded the way Go's url.ParseQuery does ('+' is a space).
struct QueryItems {
    let items: [(name: String, value: String)]

    init(_ query: String) {
        items = query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value of a parameter.
    subscript(name: String) -> String? { items.first { $0.name == name }?.value }

    /// Every value of a repeated parameter.
    func all(_ name: String) -> [String] { items.filter { $0.name == name }.map(\.value) }

    /// A boolean parameter as the daemon reads it: anything but "", "0", "no", "false", "none" is true.
    func flag(_ name: String) -> Bool {
        guard let value = self[name]?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return !["", "0", "no", "false", "none"].contains(value)
    }
}
