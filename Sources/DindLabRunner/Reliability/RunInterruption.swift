import Dispatch
import Foundation

/// A run's request to end early, in two steps: first stop starting trials and let the running
/// ones finish (they end at their own timeout at the latest), then cancel the running ones.
///
/// The runner asks `stopRequested` before it starts each trial; cancelling is Task
/// cancellation, which `InterruptSignals` delivers to the run's task.
package final class RunInterruption: @unchecked Sendable {
    package enum Stage: Int, Sendable, Comparable {
        case running, stopping, cancelling

        package static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let lock = NSLock()
    private var currentStage = Stage.running
    private var firstSignal: Int32?

    package init() {}

    /// How far the interruption has gone.
    package var stage: Stage {
        lock.lock()
        defer { lock.unlock() }
        return currentStage
    }

    /// True once a stop was asked for: no new trial starts.
    package var stopRequested: Bool { stage >= .stopping }

    /// The signal that first asked the run to stop, if a signal did.
    package var signal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return firstSignal
    }

    /// The exit status of a process ended by that signal, as shells report it: 128 + the
    /// signal's number (130 for SIGINT, 143 for SIGTERM); nil when no signal arrived.
    package var exitCode: Int32? { signal.map { 128 + $0 } }

    /// Moves to the next stage.
    ///
    /// - Parameter signal: The signal that asks, if any.
    /// - Returns: The stage reached.
    @discardableResult
    package func escalate(signal: Int32? = nil) -> Stage {
        lock.lock()
        defer { lock.unlock() }
        if firstSignal == nil { firstSignal = signal }
        currentStage = Stage(rawValue: min(currentStage.rawValue + 1, Stage.cancelling.rawValue))!
        return currentStage
    }

    /// Asks to stop starting trials (the first stage); does nothing when already further.
    package func requestStop(signal: Int32? = nil) {
        lock.lock()
        defer { lock.unlock() }
        if firstSignal == nil { firstSignal = signal }
        currentStage = max(currentStage, .stopping)
    }
}

/// SIGINT and SIGTERM for a run: the first stops starting trials, the second cancels the
/// running ones (their outer containers are still removed), a third ends the process at
/// once and leaves what is left to `dindlab gc`.
///
/// The default handlers are set to SIG_IGN and the signals are read from DispatchSource
/// signal sources, so no work happens in a signal handler.
package enum InterruptSignals {
    /// Runs `work` in a task the signals act on, as described above.
    ///
    /// - Parameters:
    ///   - interruption: Told of each signal; the runner reads it.
    ///   - say: Where the one-line explanations go (standard error by default).
    ///   - work: The run.
    /// - Returns: What `work` returns.
    /// - Throws: What `work` throws.
    package static func run<T: Sendable>(
        interruption: RunInterruption,
        say: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await work() }
        let signals = [SIGINT, SIGTERM]
        let queue = DispatchQueue(label: "dindlab.signals")
        let sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                let stage = interruption.stage
                switch stage {
                case .running:
                    interruption.requestStop(signal: number)
                    say("\n\(name): no new trials start; running trials finish (at their timeout at the latest), then results are written. Interrupt again to cancel them at once.\n")
                case .stopping:
                    interruption.escalate(signal: number)
                    say("\n\(name) again: cancelling the running trials and removing their outer containers. Interrupt once more to quit at once (then `dindlab gc` removes what is left).\n")
                    task.cancel()
                case .cancelling:
                    say("\n\(name) a third time: quitting now; `dindlab gc` removes what is left.\n")
                    signals.forEach { signal($0, SIG_DFL) }
                    raise(number)
                }
            }
            source.resume()
            return source
        }
        defer {
            sources.forEach { $0.cancel() }
            signals.forEach { signal($0, SIG_DFL) }
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }
}
