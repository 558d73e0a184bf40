import Foundation

/// Writes one response on a connection, in one of three shapes: a complete body with
/// Content-Length, a chunked stream, or a hijacked raw stream after which the connection closes.
/// Everything after the head goes through the request's wire fault (split or cut writes).
final class ResponseWriter {
    private let connection: SocketConnection
    private let requestBody: RequestBody
    private let isHeadRequest: Bool
    private let commonHeaders: [(String, String)]
    private var wire: FaultyWire
    private var streamingChunks = false
    /// Whether the client asked for the connection to close (a fault closes it unannounced).
    private let announcesClose: Bool
    /// Whether the connection must close after this response.
    private(set) var closesConnection: Bool
    private(set) var headSent = false

    init(
        connection: SocketConnection, requestBody: RequestBody, isHeadRequest: Bool, keepAlive: Bool,
        commonHeaders: [(String, String)], fault: Fault?, pause: @escaping (TimeInterval) -> Void
    ) {
        self.connection = connection
        self.requestBody = requestBody
        self.isHeadRequest = isHeadRequest
        self.commonHeaders = commonHeaders
        self.wire = FaultyWire(fault: fault, connection: connection, pause: pause)
        self.announcesClose = !keepAlive
        self.closesConnection = !keepAlive || wire.closesAfterResponse
    }

    /// Sends a complete response with Content-Length.
    func respond(status: Int, headers: [(String, String)] = [], body: Data = Data()) throws {
        var all = headers
        if status != 204, status != 304 { all.append(("Content-Length", String(body.count))) }
        try sendHead(statusLine: Self.statusLine(status), headers: all + commonHeaders + [("Date", Self.now())])
        if !isHeadRequest, !body.isEmpty { try wire.write(body) }
    }

    /// Starts a chunked response whose body follows through `writeChunk`.
    func beginStream(status: Int = 200, headers: [(String, String)]) throws {
        try sendHead(
            statusLine: Self.statusLine(status),
            headers: headers + commonHeaders + [("Date", Self.now()), ("Transfer-Encoding", "chunked")])
        streamingChunks = true
    }

    func writeChunk(_ data: Data) throws {
        precondition(streamingChunks, "writeChunk before beginStream")
        guard !data.isEmpty else { return }
        try wire.write(Data((String(data.count, radix: 16) + "\r\n").utf8) + data + Data("\r\n".utf8))
    }

    func endStream() throws {
        precondition(streamingChunks, "endStream before beginStream")
        streamingChunks = false
        try wire.write(Data("0\r\n\r\n".utf8))
    }

    /// Takes the connection over, as the daemon does for exec and attach: writes a head of its
    /// own making, then raw bytes through `writeRaw`; the connection closes afterwards.
    func beginHijack(statusLine: String, headers: [(String, String)]) throws {
        closesConnection = true
        try sendHead(statusLine: statusLine, headers: headers)
    }

    func writeRaw(_ data: Data) throws {
        guard !data.isEmpty else { return }
        try wire.write(data)
    }

    private func sendHead(statusLine: String, headers: [(String, String)]) throws {
        precondition(!headSent, "a response head was already sent")
        // The request is recorded once its body is read; read it before answering so that a
        // client never sees an answer before its request shows up in `requests`.
        try requestBody.drain()
        headSent = true
        var head = statusLine + "\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if announcesClose, !statusLine.contains(" 101 ") { head += "Connection: close\r\n" }
        head += "\r\n"
        try connection.send(head)
    }

    static func statusLine(_ status: Int) -> String { "HTTP/1.1 \(status) \(reasonPhrase(status))" }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }

    private static func now() -> String { DockerTime.httpDate(Date()) }
}

/// The bytes after a response head, sent as the request's fault says: whole, in small pieces
/// with pauses between them, or cut off after a number of bytes.
private struct FaultyWire {
    private enum Mode {
        case whole
        case pieces(sizes: [Int], next: Int)
        case cutAfter(remaining: Int)
    }

    private var mode: Mode
    private let connection: SocketConnection
    private let pause: (TimeInterval) -> Void

    init(fault: Fault?, connection: SocketConnection, pause: @escaping (TimeInterval) -> Void) {
        self.connection = connection
        self.pause = pause
        switch fault {
        case .splitWrites(let sizes) where !sizes.isEmpty: mode = .pieces(sizes: sizes.map { max(1, $0) }, next: 0)
        case .dropAfter(let bytes): mode = .cutAfter(remaining: max(0, bytes))
        default: mode = .whole
        }
    }

    var closesAfterResponse: Bool { if case .cutAfter = mode { true } else { false } }

    mutating func write(_ data: Data) throws {
        switch mode {
        case .whole:
            try connection.send(data)
        case .pieces(let sizes, var next):
            var offset = data.startIndex
            while offset < data.endIndex {
                let size = sizes[next % sizes.count]
                next += 1
                pause(0.002)
                let end = min(data.endIndex, offset + size)
                try connection.send(data[offset..<end])
                offset = end
            }
            mode = .pieces(sizes: sizes, next: next)
        case .cutAfter(let remaining):
            if data.count <= remaining {
                mode = .cutAfter(remaining: remaining - data.count)
                try connection.send(data)
            } else {
                try connection.send(data.prefix(remaining))
                mode = .cutAfter(remaining: 0)
                throw ConnectionEnd.dropped
            }
        }
    }
}
