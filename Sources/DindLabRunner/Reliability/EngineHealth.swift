import Foundation

/// Whether an engine of a run still answers, as its trials found out: the first trial that
/// finds it gone (a failed ping after a failure) marks it lost, and the run starts no further
/// trial. The trials not run then count as missing, so the run exits 2, and
/// `dindlab run --resume` runs them once the engine is back.
package final class EngineHealth: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?

    package init() {}

    /// Why the engine was found lost, or nil while it answers.
    package var lost: String? {
        lock.lock()
        defer { lock.unlock() }
        return reason
    }

    /// Marks the engine lost; the first reason is kept.
    package func markLost(_ why: String) {
        lock.lock()
        defer { lock.unlock() }
        if reason == nil { reason = why }
    }
}
