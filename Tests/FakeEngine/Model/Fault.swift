/// A way the fake engine misbehaves on purpose for requests whose path matches.
package enum Fault: Sendable, Equatable {
    /// Read the request, never answer, keep the connection open until the server stops
    /// (or the client hangs up).
    case hang
    /// Send the response head and only this many bytes after it, then close the connection.
    case dropAfter(bytes: Int)
    /// Write everything after the response head in pieces of these sizes (cycling), pausing
    /// about 2 ms between pieces, so the client sees arbitrary read boundaries.
    case splitWrites(sizes: [Int])
    /// Answer with this status and message, formatted like the persona's errors.
    case status(Int, String)
    /// On progress streams (image import, pull, load): send a first progress line, then
    /// `{"errorDetail":{"message":...},"error":...}` and end the stream with status 200,
    /// as a daemon does when a pull or import fails halfway. Other routes ignore it.
    case progressError(String)
    /// On multiplexed streams (container logs, attached exec without a TTY): after the output,
    /// send a stream type 3 frame with this message, as a daemon does when it fails while it
    /// streams (for example when reading the log file fails). Raw (TTY) streams ignore it.
    case systemError(String)
}

/// The faults in force, matched against the request target (path and query) in the order set.
struct FaultTable: Sendable {
    private struct Entry: Sendable {
        var pathFragment: String
        var fault: Fault
        /// How many more requests it applies to; nil for "until cleared".
        var remaining: Int?
    }

    private var entries: [Entry] = []

    mutating func set(_ fault: Fault?, forPathContaining fragment: String, times: Int?) {
        entries.removeAll { $0.pathFragment == fragment }
        if let fault { entries.append(Entry(pathFragment: fragment, fault: fault, remaining: times)) }
    }

    /// The fault for this request target, counting one use of it.
    mutating func take(for target: String) -> Fault? {
        guard let index = entries.firstIndex(where: { target.contains($0.pathFragment) }) else { return nil }
        let fault = entries[index].fault
        if let remaining = entries[index].remaining {
            if remaining <= 1 { entries.remove(at: index) } else { entries[index].remaining = remaining - 1 }
        }
        return fault
    }
}
