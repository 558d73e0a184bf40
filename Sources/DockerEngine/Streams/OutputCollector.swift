public import Foundation

/// Collects a process's stdout and stderr up to a cap, counting what it drops.
///
/// An inner command that floods output must not grow dindlab's memory without bound: the
/// first `limit` bytes of each stream are kept, the rest only counted.
public struct CollectedOutput: Sendable, Equatable {
    public var stdout = Data()
    public var stderr = Data()
    /// Bytes beyond the cap, per stream, that were counted and dropped.
    public var droppedStdout = 0
    public var droppedStderr = 0
    /// Messages the daemon sent on the error channel (stream type 3).
    public var systemErrors: [String] = []
    public let limit: Int

    /// The default cap per stream: 4 MiB.
    public static let defaultLimit = 4 << 20

    public init(limit: Int = CollectedOutput.defaultLimit) {
        self.limit = limit
    }

    /// Adds bytes to one stream, keeping at most `limit` bytes of it.
    public mutating func append(_ data: Data, to stream: OutputStream) {
        switch stream {
        case .stdout, .stdin: keep(data, in: &stdout, dropped: &droppedStdout)
        case .stderr: keep(data, in: &stderr, dropped: &droppedStderr)
        case .systemError: systemErrors.append(String(decoding: data, as: UTF8.self))
        }
    }

    private func keep(_ data: Data, in target: inout Data, dropped: inout Int) {
        let room = max(0, limit - target.count)
        if data.count <= room {
            target.append(data)
        } else {
            target.append(data.prefix(room))
            dropped += data.count - room
        }
    }

    /// stdout as text (lossy UTF-8).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr as text (lossy UTF-8).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// A note for reports when output was cut, else nil.
    public var truncationNote: String? {
        guard droppedStdout > 0 || droppedStderr > 0 else { return nil }
        return
            "Output was cut at \(limit) bytes per stream: \(droppedStdout) bytes of stdout and \(droppedStderr) bytes of stderr were counted and dropped."
    }
}
