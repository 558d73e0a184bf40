import Foundation

/// Everything the fake daemon knows, guarded by one condition variable that is signalled on
/// every change, so that waiters (`wait`, `events`, `logs?follow`, a hung request) wake
/// when something happens or when the server stops.
final class EngineState: @unchecked Sendable {
    private let condition = NSCondition()
    private var model: EngineModel
    private var stopping = false

    init(persona: DaemonPersona) {
        model = EngineModel(persona: persona)
    }

    /// Runs `body` on the model, after letting scripted processes whose time is up exit,
    /// and wakes the waiters: `body` may have changed something they wait for.
    func access<Result>(_ body: (inout EngineModel) throws -> Result) rethrows -> Result {
        try locked(wakingWaiters: true, body)
    }

    /// - Parameter wakingWaiters: false for a waiter's own look, which changes nothing
    ///   (else waiters would wake each other in turn, forever); exits it settles still wake them.
    private func locked<Result>(wakingWaiters: Bool, _ body: (inout EngineModel) throws -> Result) rethrows -> Result {
        condition.lock()
        defer { condition.unlock() }
        let settled = model.settle(now: Date())
        defer { if wakingWaiters || settled { condition.broadcast() } }
        return try body(&model)
    }

    var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    /// Wakes every waiter for good.
    func markStopping() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps, waking early when the server stops.
    /// - Returns: false when the server is stopping.
    @discardableResult
    func pause(_ seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopping, Date() < deadline {
            _ = condition.wait(until: deadline)
        }
        return !stopping
    }

    enum WaitOutcome<Value> {
        case value(Value)
        case timedOut
        case abandoned
    }

    /// Waits until `check` returns a value, the deadline passes, the server stops or
    /// `abandon` says to give up (the client went away).
    func wait<Value>(
        until deadline: Date? = nil,
        abandon: () -> Bool = { false },
        _ check: (inout EngineModel) -> Value?
    ) -> WaitOutcome<Value> {
        while true {
            let found: Value? = locked(wakingWaiters: false) { check(&$0) }
            if let found { return .value(found) }
            if let deadline, Date() >= deadline { return .timedOut }
            if abandon() { return .abandoned }
            condition.lock()
            if stopping {
                condition.unlock()
                return .abandoned
            }
            // Scripted processes exit by the clock, not by a signal: look again soon.
            var wake = Date().addingTimeInterval(0.02)
            if let deadline, deadline < wake { wake = deadline }
            _ = condition.wait(until: wake)
            condition.unlock()
        }
    }
}
