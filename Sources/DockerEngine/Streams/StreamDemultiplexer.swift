public import Foundation

/// Which stream a piece of a container's output belongs to.
public enum OutputStream: UInt8, Sendable, Codable {
    case stdin = 0
    case stdout = 1
    case stderr = 2
    /// Docker's in-band error channel (stream type 3), used when the daemon fails mid-stream.
    case systemError = 3
}

/// One frame of Docker's multiplexed stream.
public struct StreamFrame: Sendable, Equatable {
    public var stream: OutputStream
    public var payload: Data

    public init(stream: OutputStream, payload: Data) {
        self.stream = stream
        self.payload = payload
    }
}

/// Splits Docker's multiplexed stdout/stderr stream into frames.
///
/// Each frame is an 8-byte header (stream type, three zero bytes, big-endian UInt32 payload
/// size) followed by the payload. Network reads cut the stream anywhere, so bytes are
/// buffered across `feed` calls until a frame is complete; lines mean nothing here.
public struct StreamDemultiplexer: Sendable {
    private var buffer = Data()
    private var offset = 0

    public init() {}

    /// Bytes received but not yet part of a complete frame.
    public var pendingByteCount: Int { buffer.count - offset }

    /// Adds received bytes and returns the frames they complete, in order.
    ///
    /// - Parameter data: The next bytes of the stream, cut anywhere.
    /// - Returns: Complete frames; a partial frame stays buffered for the next call.
    /// - Throws: `StreamFramingError` when a header names an unknown stream type.
    public mutating func feed(_ data: Data) throws -> [StreamFrame] {
        buffer.append(data)
        var frames: [StreamFrame] = []
        while buffer.count - offset >= 8 {
            let start = buffer.startIndex + offset
            let type = buffer[start]
            guard let stream = OutputStream(rawValue: type) else {
                throw StreamFramingError(byte: type, offset: offset)
            }
            let size = buffer[(start + 4)..<(start + 8)].reduce(0) { ($0 << 8) | Int($1) }
            guard buffer.count - offset - 8 >= size else { break }
            frames.append(StreamFrame(stream: stream, payload: Data(buffer[(start + 8)..<(start + 8 + size)])))
            offset += 8 + size
        }
        // Drop consumed bytes once they dominate, so the buffer stays small without
        // copying on every frame.
        if offset > 0 && offset >= buffer.count / 2 {
            buffer.removeSubrange(buffer.startIndex..<(buffer.startIndex + offset))
            offset = 0
        }
        return frames
    }
}

/// A multiplexed stream whose header is not one Docker writes: usually a TTY stream read
/// as if it were multiplexed.
public struct StreamFramingError: Error, CustomStringConvertible, Sendable {
    public var byte: UInt8
    public var offset: Int

    public var description: String {
        "The multiplexed stream has a frame header with stream type \(byte) at byte \(offset); Docker writes 0 to 3 there. Was the stream read as multiplexed although the process has a TTY?"
    }
}
