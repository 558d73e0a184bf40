import CCurl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A connection the daemon has taken over for a raw stream (exec start, attach).
///
/// Docker answers such requests with `101 UPGRADED` (or `200 OK` on old daemons) and then
/// writes the stream until the process ends and it closes the connection. libcurl has no
/// notion of that, so dindlab connects with CURLOPT_CONNECT_ONLY and speaks the HTTP/1.1
/// request and response head itself over curl_easy_send / curl_easy_recv, which keeps TLS
/// and Unix sockets in libcurl's hands.
///
/// `@unchecked Sendable`: it owns a libcurl easy handle and its socket (C handles with state
/// libcurl keeps). It is made, used and dropped inside one `BlockingExecutor` job, on one
/// thread at a time; only the `CancellationFlag` (an atomic) is touched from elsewhere.
final class HijackedConnection: @unchecked Sendable {
    private let handle: CurlHandle
    private let socket: Int32
    private let method: String
    private let path: String
    private let timeout: Duration
    private let deadline: ContinuousClock.Instant
    /// Set when the task that owns the stream is cancelled; waits check it between slices.
    private let cancellation: CancellationFlag?
    /// Bytes received past the response head, not yet handed out.
    private var pending = Data()
    private var sawEnd = false

    /// The status and headers the daemon answered the upgrade with.
    private(set) var status = 0
    private(set) var headers = HTTPHeaders()

    /// Connects, sends the request, and reads the response head.
    ///
    /// - Parameter cancellation: When set, waits end with `EngineError.cancelled` within
    ///   about `pollSlice`.
    /// - Throws: `EngineError` for transport failures and timeouts; a non-upgrade error
    ///   answer is not thrown here: check `status` and read `readAll()` for its body.
    init(transport: CurlTransport, request: HTTPRequest, cancellation: CancellationFlag? = nil) throws {
        method = request.method
        path = request.path
        timeout = request.timeout
        deadline = .now + request.timeout
        self.cancellation = cancellation
        handle = CurlHandle()
        transport.configure(handle, for: HTTPRequest(method: "GET", path: request.path, timeout: request.timeout))
        handle.set(CURLOPT_CONNECT_ONLY, 1)
        let code = curl_easy_perform(handle.raw)
        guard code == CURLE_OK, let socket = handle.activeSocket() else {
            throw transport.transportError(
                code == CURLE_OK ? CURLE_COULDNT_CONNECT : code, handle: handle, request: request, exchange: nil)
        }
        self.socket = socket
        try send(Self.head(for: request, address: transport.address))
        try readHead()
    }

    private static func head(for request: HTTPRequest, address: EngineAddress) -> Data {
        var body = Data()
        var lines = ["\(request.method) \(request.path) HTTP/1.1"]
        switch address.endpoint {
        case .unix: lines.append("Host: localhost")
        case .tcp(let host, let port): lines.append("Host: \(host):\(port)")
        }
        lines.append("User-Agent: dindlab")
        if case .data(let data, let contentType) = request.body {
            body = data
            lines.append("Content-Type: \(contentType)")
        }
        lines.append("Content-Length: \(body.count)")
        lines += request.headers.map { "\($0.0): \($0.1)" }
        var data = Data((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        data.append(body)
        return data
    }

    /// Sends bytes on the hijacked connection (stdin of the process).
    func send(_ data: Data) throws {
        var offset = 0
        while offset < data.count {
            var sent = 0
            let code = data.withUnsafeBytes { bytes in
                // Not empty: offset < data.count.
                guard let start = bytes.baseAddress else { return CURLE_OK }
                return curl_easy_send(handle.raw, start + offset, data.count - offset, &sent)
            }
            if code == CURLE_AGAIN {
                try wait(for: Int16(POLLOUT))
                continue
            }
            guard code == CURLE_OK else { throw failure(code) }
            offset += sent
        }
    }

    /// Closes the sending half, so the process sees the end of its stdin.
    func closeWrite() {
        shutdown(socket, Int32(SHUT_WR))
    }

    /// The next bytes of the stream, or nil once the daemon closed it.
    ///
    /// - Throws: `EngineError.timeout` when the deadline passes first.
    func receive() throws -> Data? {
        if !pending.isEmpty {
            defer { pending = Data() }
            return pending
        }
        return try receiveFromSocket()
    }

    /// Reads until the daemon closes the connection.
    func readAll() throws -> Data {
        var all = Data()
        while let chunk = try receive() { all.append(chunk) }
        return all
    }

    private func receiveFromSocket() throws -> Data? {
        if sawEnd { return nil }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var received = 0
            let code = buffer.withUnsafeMutableBytes { bytes in
                // 64 KiB: never empty.
                guard let start = bytes.baseAddress else { return CURLE_RECV_ERROR }
                return curl_easy_recv(handle.raw, start, bytes.count, &received)
            }
            if code == CURLE_AGAIN {
                try wait(for: Int16(POLLIN))
                continue
            }
            guard code == CURLE_OK else { throw failure(code) }
            if received == 0 {
                sawEnd = true
                return nil
            }
            return Data(buffer[0..<received])
        }
    }

    private func readHead() throws {
        var data = Data()
        let separator = Data("\r\n\r\n".utf8)
        while true {
            if let range = data.range(of: separator) {
                pending = Data(data[range.upperBound...])
                try parseHead(data[..<range.lowerBound])
                return
            }
            guard data.count < 64 * 1024, let chunk = try receiveFromSocket() else {
                throw EngineError.protocolViolation(
                    method: method, path: path,
                    detail: "the daemon closed the connection before it finished the response head")
            }
            data.append(chunk)
        }
    }

    private func parseHead(_ head: Data) throws {
        // The parser drops the CR of each CR LF.
        let lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard let statusLine = lines.first, let status = statusLine.withUnsafeBytes(HTTPHeaders.statusCode), status > 0
        else {
            let text = String(decoding: lines.first ?? Data(), as: UTF8.self)
            throw EngineError.protocolViolation(
                method: method, path: path, detail: "the status line \"\(text)\" is not HTTP")
        }
        self.status = status
        for line in lines.dropFirst() {
            line.withUnsafeBytes { headers.append(line: $0) }
        }
    }

    /// The body of a plain (non-upgrade) answer, honouring Content-Length.
    func readPlainBody() throws -> Data {
        if let length = headers["content-length"].flatMap(Int.init) {
            var body = Data()
            while body.count < length, let chunk = try receive() { body.append(chunk) }
            return body.prefix(length)
        }
        let raw = try readAll()
        return headers["transfer-encoding"]?.lowercased() == "chunked" ? decodeChunked(raw) : raw
    }

    /// How long one poll waits before the deadline and the cancellation flag are checked again.
    static let pollSlice = Duration.milliseconds(100)

    /// Waits until the socket is ready for `events`, in slices of `pollSlice`, so that a
    /// cancelled task does not wait for the deadline (which may be the trial's whole timeout).
    private func wait(for events: Int16) throws {
        while true {
            if cancellation?.isCancelled == true {
                throw EngineError.cancelled(method: method, path: path)
            }
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw EngineError.timeout(method: method, path: path, seconds: timeout.seconds)
            }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let milliseconds = Int32(min(remaining, Self.pollSlice).curlMilliseconds)
            let ready = poll(&descriptor, 1, max(1, milliseconds))
            if ready != 0 { return }  // ready, or an error that the next send/recv reports
        }
    }

    private func failure(_ code: CURLcode) -> EngineError {
        .transport(
            method: method, path: path, curlCode: Int(code.rawValue), curlMessage: curlMessage(code),
            detail: handle.lastErrorDetail, duringAnswer: status != 0)
    }
}

/// Decodes an HTTP/1.1 chunked body that has been read completely.
func decodeChunked(_ data: Data) -> Data {
    var output = Data()
    var index = data.startIndex
    let crlf = Data("\r\n".utf8)
    while index < data.endIndex, let lineEnd = data.range(of: crlf, in: index..<data.endIndex) {
        let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
        guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
        let start = lineEnd.upperBound
        let end = min(data.endIndex, start + size)
        output.append(data[start..<end])
        index = min(data.endIndex, end + 2)
    }
    return output
}
