package import Dispatch
import Foundation

/// SIGINT and SIGTERM read from DispatchSource signal sources while some work runs: their
/// default handlers are set to SIG_IGN, so no work happens in a signal handler, and put back
/// when the work ends. `InterruptCancellation` (outer image builds) and the run's
/// `InterruptSignals` decide what a signal does.
package enum InterruptSources {
    /// The signals that interrupt dindlab's work.
    package static let signals = [SIGINT, SIGTERM]

    /// Runs `work` while `onSignal` is told of each SIGINT and SIGTERM, on `queue`.
    ///
    /// - Returns: What `work` returns.
    /// - Throws: What `work` throws.
    package static func watching<T: Sendable>(
        on queue: DispatchQueue, onSignal: @escaping @Sendable (Int32) -> Void,
        _ work: () async throws -> T
    ) async rethrows -> T {
        let sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { onSignal(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            restoreDefaults()
        }
        return try await work()
    }

    /// Gives SIGINT and SIGTERM their default effect back (the next one ends the process).
    package static func restoreDefaults() {
        for number in signals { signal(number, SIG_DFL) }
    }
}
