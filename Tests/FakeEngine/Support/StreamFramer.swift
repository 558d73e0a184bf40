import Foundation

/// The streams of a multiplexed (non-TTY) stream, numbered as in its frame headers.
enum StreamKind: UInt8, Sendable {
    case stdin = 0
    case stdout = 1
    case stderr = 2
    /// Errors from the daemon itself rather than the process.
    case systemError = 3
}

/// Docker's multiplexed stream format: each frame is an 8-byte header (stream number,
/// three zero bytes, big-endian 32-bit payload size) followed by the payload.
enum StreamFramer {
    static func frame(_ payload: Data, on stream: StreamKind) -> Data {
        guard !payload.isEmpty else { return Data() }
        let size = UInt32(payload.count)
        var header = Data([stream.rawValue, 0, 0, 0])
        header += [UInt8(size >> 24), UInt8((size >> 16) & 0xff), UInt8((size >> 8) & 0xff), UInt8(size & 0xff)]
        return header + payload
    }

    /// Output as the client receives it: framed per stream, or raw when a TTY merged them.
    static func encode(_ records: [LogRecord], tty: Bool) -> Data {
        records.reduce(into: Data()) { output, record in
            output += tty ? record.data : frame(record.data, on: record.stream)
        }
    }
}
