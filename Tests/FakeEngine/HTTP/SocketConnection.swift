import Foundation
import Glibc

/// Why a connection stopped being served.
enum ConnectionEnd: Error {
    /// The client closed its side (or the server shut the socket down while stopping).
    case closed
    /// A system call failed.
    case failed(operation: String, errno: Int32)
    /// The request could not be parsed; the text says why.
    case malformed(String)
    /// A fault asked to cut the connection.
    case dropped
}

/// One accepted client socket with a read buffer. Used by exactly one thread; other threads
/// only ever `shutdown` its descriptor (through the server) to wake it.
final class SocketConnection {
    let descriptor: Int32
    let id: Int
    private var buffer: [UInt8] = []
    private var readOffset = 0

    init(descriptor: Int32, id: Int) {
        self.descriptor = descriptor
        self.id = id
    }

    private var buffered: Int { buffer.count - readOffset }

    /// Receives more bytes into the buffer.
    /// - Returns: false at end of stream.
    private func fill() throws -> Bool {
        if readOffset > 0, readOffset == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readOffset = 0
        } else if readOffset > 64 * 1024 {
            buffer.removeFirst(readOffset)
            readOffset = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer += chunk[0..<count]
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            if errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN { return false }
            throw ConnectionEnd.failed(operation: "recv", errno: errno)
        }
    }

    /// Reads a request head: everything up to the blank line, without it.
    /// - Returns: nil when the client closed the connection before sending anything more.
    /// - Throws: `ConnectionEnd.malformed` when the head exceeds `limit` or the stream ends inside it.
    func readHead(limit: Int = 256 * 1024) throws -> [UInt8]? {
        // Scan positions are kept relative to readOffset: fill() may compact the buffer.
        var scanned = 0
        while true {
            if let end = findTerminator(skipping: scanned) {
                let head = Array(buffer[readOffset..<end])
                readOffset = end + 4
                return head
            }
            scanned = max(0, buffered - 3)
            if buffered > limit { throw ConnectionEnd.malformed("the request head is longer than \(limit) bytes") }
            guard try fill() else {
                if buffered == 0 { return nil }
                throw ConnectionEnd.malformed("the connection ended inside a request head")
            }
        }
    }

    private func findTerminator(skipping scanned: Int) -> Int? {
        var index = readOffset + scanned
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Reads one CRLF-terminated line (chunk sizes, trailers), without the CRLF.
    func readLine(limit: Int = 8 * 1024) throws -> String {
        var scanned = 0
        while true {
            if let newline = buffer[(readOffset + scanned)...].firstIndex(of: 10) {
                var end = newline
                if end > readOffset, buffer[end - 1] == 13 { end -= 1 }
                let line = String(decoding: buffer[readOffset..<end], as: UTF8.self)
                readOffset = newline + 1
                return line
            }
            scanned = buffered
            if buffered > limit { throw ConnectionEnd.malformed("a line of the request is longer than \(limit) bytes") }
            guard try fill() else { throw ConnectionEnd.closed }
        }
    }

    /// Reads at most `maximum` bytes: what is buffered, or else one receive.
    /// - Throws: `ConnectionEnd.closed` at end of stream.
    func read(upTo maximum: Int) throws -> Data {
        if buffered == 0 {
            guard try fill() else { throw ConnectionEnd.closed }
        }
        let count = min(maximum, buffered)
        let data = Data(buffer[readOffset..<(readOffset + count)])
        readOffset += count
        return data
    }

    /// Sends all bytes; SIGPIPE is suppressed, a vanished peer ends the connection.
    func send(_ data: Data) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent > 0 {
                    offset += sent
                } else if sent < 0, errno == EINTR {
                    continue
                } else if sent < 0, errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN {
                    throw ConnectionEnd.closed
                } else {
                    throw ConnectionEnd.failed(operation: "send", errno: errno)
                }
            }
        }
    }

    func send(_ text: String) throws { try send(Data(text.utf8)) }

    /// Whether the client has closed its side; bytes it sent meanwhile are read and dropped.
    /// Waits at most `timeoutMilliseconds` for something to happen.
    func peerHasClosed(waitingUpTo timeoutMilliseconds: Int32) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, timeoutMilliseconds)
        guard ready > 0 else { return false }
        if poller.revents & Int16(POLLIN) != 0 {
            var sink = [UInt8](repeating: 0, count: 16 * 1024)
            let count = sink.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { return false }
            if count < 0, errno == EAGAIN || errno == EINTR { return false }
            return true
        }
        return poller.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// Tells the client no more bytes will come, while still reading what it sends.
    func shutdownWriting() { _ = Glibc.shutdown(descriptor, Int32(SHUT_WR)) }
}
