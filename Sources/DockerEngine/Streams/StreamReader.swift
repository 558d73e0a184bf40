import CCurl
import Foundation
import Synchronization

/// Turns the bytes of a container's output stream (logs, attached exec) into collected
/// output: raw for a TTY, demultiplexed otherwise.
///
/// Its errors name the request the stream answers. A frame header that no daemon writes is a
/// protocol violation. A multiplexed stream that ends inside a frame lost bytes on the way
/// (the connection broke, the daemon died); it is reported the way libcurl reports a body cut
/// short, as a transport error, never returned as a short result.
final class StreamReader: Sendable {
    private struct State {
        var demultiplexer = StreamDemultiplexer()
        var output: CollectedOutput
    }

    private let tty: Bool
    private let merged: Bool
    private let method: String
    private let path: String
    private let state: Mutex<State>

    /// - Parameters:
    ///   - tty: Whether the stream is a TTY's raw stream.
    ///   - limit: Bytes kept per stream.
    ///   - method: The request's method, for errors.
    ///   - path: The request's path, for errors.
    ///   - merged: Keep stderr's frames in stdout, in the order they came (as `2>&1` would).
    init(tty: Bool, limit: Int, method: String, path: String, merged: Bool = false) {
        self.tty = tty
        self.merged = merged
        self.method = method
        self.path = path
        state = Mutex(State(output: CollectedOutput(limit: limit)))
    }

    /// Adds the next bytes of the stream, cut anywhere.
    ///
    /// - Throws: `EngineError.protocolViolation` for a frame header with an unknown stream type.
    func feed(_ chunk: Data) throws {
        try state.withLock { state in
            if tty {
                state.output.append(chunk, to: .stdout)
                return
            }
            do {
                for frame in try state.demultiplexer.feed(chunk) {
                    state.output.append(frame.payload, to: merged && frame.stream == .stderr ? .stdout : frame.stream)
                }
            } catch let error as StreamFramingError {
                throw EngineError.protocolViolation(method: method, path: path, detail: error.description)
            }
        }
    }

    /// The output, once the stream has ended.
    ///
    /// - Throws: `EngineError` (a transport error, as libcurl's CURLE_PARTIAL_FILE) when the
    ///   stream ended inside a frame.
    func finish() throws -> CollectedOutput {
        let (unfinished, output) = state.withLock { state in
            (tty ? 0 : state.demultiplexer.pendingByteCount, state.output)
        }
        guard unfinished == 0 else {
            throw EngineError.transport(
                method: method, path: path, curlCode: Int(CURLE_PARTIAL_FILE.rawValue),
                curlMessage: curlMessage(CURLE_PARTIAL_FILE),
                detail: "the stream ended inside a frame, after \(unfinished) bytes of it", duringAnswer: true)
        }
        return output
    }
}
