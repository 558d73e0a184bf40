import Foundation

/// The body of one request, read on demand from the connection: Content-Length or chunked,
/// with `Expect: 100-continue` answered before the first read. When the body has been read
/// to its end, `onFinished` receives its first bytes and its length (to record the request).
final class RequestBody {
    private let connection: SocketConnection
    private let framing: HTTPRequest.BodyFraming
    private var expectsContinue: Bool
    private let onFinished: (_ kept: Data, _ length: Int) -> Void
    private var remainingInChunk = 0
    private var remainingLength: Int
    private var finished = false
    private var kept = Data()
    private(set) var length = 0

    init(
        connection: SocketConnection, framing: HTTPRequest.BodyFraming, expectsContinue: Bool,
        onFinished: @escaping (_ kept: Data, _ length: Int) -> Void
    ) {
        self.connection = connection
        self.framing = framing
        self.expectsContinue = expectsContinue
        self.onFinished = onFinished
        if case .length(let count) = framing { remainingLength = count } else { remainingLength = 0 }
        if framing == .none { finish() }
    }

    var isFinished: Bool { finished }

    /// The next piece of the body, or nil at its end.
    /// - Parameter sendContinue: whether to answer `Expect: 100-continue` first (a hung
    ///   request reads without answering anything).
    func nextChunk(maximum: Int = 256 * 1024, sendContinue: Bool = true) throws -> Data? {
        guard !finished else { return nil }
        if expectsContinue, sendContinue {
            expectsContinue = false
            try connection.send("HTTP/1.1 100 Continue\r\n\r\n")
        }
        let data: Data
        switch framing {
        case .none:
            return nil
        case .length:
            data = try connection.read(upTo: min(maximum, remainingLength))
            remainingLength -= data.count
            if remainingLength == 0 {
                let last = keep(data)
                finish()
                return last
            }
        case .chunked:
            if remainingInChunk == 0 {
                let sizeLine = try connection.readLine()
                let sizeText =
                    sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard let size = Int(sizeText, radix: 16), size >= 0 else {
                    throw ConnectionEnd.malformed("the chunk size line \"\(sizeLine.prefix(100))\" is not hexadecimal")
                }
                if size == 0 {
                    while try !connection.readLine().isEmpty {}  // trailers
                    finish()
                    return nil
                }
                remainingInChunk = size
            }
            data = try connection.read(upTo: min(maximum, remainingInChunk))
            remainingInChunk -= data.count
            if remainingInChunk == 0 {
                guard try connection.readLine().isEmpty else {
                    throw ConnectionEnd.malformed("a chunk of the request body does not end with CRLF")
                }
            }
        }
        return keep(data)
    }

    /// Reads the whole body; bodies longer than `limit` keep only their first `limit` bytes.
    func readAll(limit: Int = 64 << 20) throws -> Data {
        var all = Data()
        while let chunk = try nextChunk() {
            if all.count < limit { all += chunk.prefix(limit - all.count) }
        }
        return all
    }

    /// Reads and discards the rest of the body.
    func drain(sendContinue: Bool = true) throws {
        while try nextChunk(sendContinue: sendContinue) != nil {}
    }

    private func keep(_ data: Data) -> Data {
        length += data.count
        if kept.count < RecordedRequest.keptBodyLimit {
            kept += data.prefix(RecordedRequest.keptBodyLimit - kept.count)
        }
        return data
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        onFinished(kept, length)
    }
}
