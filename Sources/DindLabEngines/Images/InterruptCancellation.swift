import Dispatch
import Foundation

/// Runs work that SIGINT and SIGTERM cancel instead of killing the process, so a build that
/// is interrupted stops its tools, removes its temporary tag and scratch space, and leaves
/// nothing half-made. A second signal kills the process at once.
package enum InterruptCancellation {
    /// Runs `work` in a task that the first SIGINT or SIGTERM cancels.
    ///
    /// - Parameters:
    ///   - interrupted: Told when a signal cancels the work (the executable says so).
    ///   - work: The build.
    /// - Returns: What `work` returns.
    /// - Throws: What `work` throws; `CancellationError` (or the error the cancelled work
    ///   throws) after an interrupt.
    package static func run<T: Sendable>(
        interrupted: @escaping @Sendable () -> Void, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await work() }
        return try await InterruptSources.watching(on: .global()) { _ in
            interrupted()
            InterruptSources.restoreDefaults()
            task.cancel()
        } _: {
            try await task.value
        }
    }
}
