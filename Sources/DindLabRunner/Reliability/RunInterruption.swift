import DindLabEngines
import Dispatch
import Foundation
import Synchronization

/// A run's request to end early, in two steps: first stop starting trials and let the running
/// ones finish (they end at their own timeout at the latest), then cancel the running ones.
///
/// The runner asks `stopRequested` before it starts each trial; cancelling is Task
/// cancellation, which `InterruptSignals` delivers to the run's task.
package final class RunInterruption: Sendable {
    package enum Stage: Int, Sendable, Comparable {
        case running, stopping, cancelling

        package static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let state = Mutex<(stage: Stage, firstSignal: Int32?)>((.running, nil))

    package init() {}

    /// How far the interruption has gone.
    package var stage: Stage {
        state.withLock { $0.stage }
    }

    /// True once a stop was asked for: no new trial starts.
    package var stopRequested: Bool { stage >= .stopping }

    /// The signal that first asked the run to stop, if a signal did.
    package var signal: Int32? {
        state.withLock { $0.firstSignal }
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
        state.withLock { state in
            if state.firstSignal == nil { state.firstSignal = signal }
            state.stage = Stage(rawValue: min(state.stage.rawValue + 1, Stage.cancelling.rawValue)) ?? .cancelling
            return state.stage
        }
    }

    /// Asks to stop starting trials (the first stage); does nothing when already further.
    package func requestStop(signal: Int32? = nil) {
        state.withLock { state in
            if state.firstSignal == nil { state.firstSignal = signal }
            state.stage = max(state.stage, .stopping)
        }
    }
}

/// SIGINT and SIGTERM for a run: the first stops starting trials, the second cancels the
/// running ones (their outer containers are still removed), a third ends the process at
/// once and leaves what is left to garbage collection.
///
/// The default handlers are set to SIG_IGN and the signals are read from DispatchSource
/// signal sources, so no work happens in a signal handler.
package enum InterruptSignals {
    /// Runs `work` in a task the signals act on, as described above.
    ///
    /// - Parameters:
    ///   - interruption: Told of each signal; the runner reads it.
    ///   - told: Told of each signal and what it does (the executable explains it to the user).
    ///   - work: The run.
    /// - Returns: What `work` returns.
    /// - Throws: What `work` throws.
    package static func run<T: Sendable>(
        interruption: RunInterruption,
        told: @escaping @Sendable (InterruptNotice) -> Void,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await work() }
        return try await InterruptSources.watching(on: DispatchQueue(label: "dindlab.signals")) { number in
            switch interruption.stage {
            case .running:
                interruption.requestStop(signal: number)
                told(InterruptNotice(signal: number, stage: .stopping))
            case .stopping:
                interruption.escalate(signal: number)
                told(InterruptNotice(signal: number, stage: .cancelling))
                task.cancel()
            case .cancelling:
                told(InterruptNotice(signal: number, stage: .quitting))
                InterruptSources.restoreDefaults()
                raise(number)
            }
        } _: {
            try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        }
    }
}

/// A signal a run received, and what it does now.
package struct InterruptNotice: Sendable, Hashable {
    /// What the signal does.
    package enum Effect: Sendable, Hashable {
        /// The first: no new trials start; the running ones finish, then results are written.
        case stopping
        /// The second: the running trials are cancelled, their outer containers removed.
        case cancelling
        /// The third: the process quits at once, leaving what is left.
        case quitting
    }

    /// SIGINT or SIGTERM.
    package var signal: Int32
    package var stage: Effect

    package init(signal: Int32, stage: Effect) {
        self.signal = signal
        self.stage = stage
    }

    /// `SIGINT` or `SIGTERM`.
    package var signalName: String { signal == SIGINT ? "SIGINT" : "SIGTERM" }
}
