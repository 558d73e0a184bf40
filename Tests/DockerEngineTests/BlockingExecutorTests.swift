import Foundation
import Synchronization
import Testing

@testable import DockerEngine

/// The threads that carry libcurl's blocking calls: a burst of calls must run side by side,
/// however many threads sit idle from earlier calls, or hung calls queue behind each other.
@Suite("BlockingExecutor", .timeLimit(.minutes(1)))
struct BlockingExecutorTests {
    /// Lets jobs wait until a number of them have arrived, or until a timeout.
    final class Barrier: @unchecked Sendable {
        private let condition = NSCondition()
        private var arrived = 0
        private let expected: Int

        init(expecting expected: Int) { self.expected = expected }

        /// - Returns: whether all expected jobs arrived within `timeout` seconds.
        func arriveAndWait(timeout: TimeInterval) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            arrived += 1
            condition.broadcast()
            let limit = Date().addingTimeInterval(timeout)
            while arrived < expected {
                if !condition.wait(until: limit) { return arrived >= expected }
            }
            return true
        }
    }

    /// Runs `count` jobs at once on `executor`, each waiting for all the others.
    ///
    /// - Returns: how many saw every job arrive: all of them only when each had a thread.
    static func runTogether(_ count: Int, on executor: BlockingExecutor) async throws -> Int {
        let barrier = Barrier(expecting: count)
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask { try await executor.run { barrier.arriveAndWait(timeout: 2) } }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }

    @Test("A burst of blocking calls runs side by side, with idle threads left from before", arguments: [0, 1, 3, 8])
    func burstRunsSideBySide(idleBefore: Int) async throws {
        let executor = BlockingExecutor()
        if idleBefore > 0 {
            #expect(try await Self.runTogether(idleBefore, on: executor) == idleBefore)
        }
        #expect(try await Self.runTogether(40, on: executor) == 40)
    }
}

/// The bound: beyond `maximumThreads` calls wait for a thread instead of each making one.
@Suite("BlockingExecutor bound", .timeLimit(.minutes(1)))
struct BlockingExecutorBoundTests {
    /// Counts the jobs running at once, and the most that ever did.
    final class Peak: Sendable {
        private let counts = Mutex<(running: Int, peak: Int)>((0, 0))
        func enter() {
            counts.withLock {
                $0.running += 1
                $0.peak = max($0.peak, $0.running)
            }
        }
        func leave() { counts.withLock { $0.running -= 1 } }
        var peak: Int { counts.withLock { $0.peak } }
    }

    @Test("more calls than threads all finish, never more than the bound at once", arguments: [1, 3])
    func bounded(maximumThreads: Int) async throws {
        let executor = BlockingExecutor(maximumThreads: maximumThreads)
        let peak = Peak()
        let finished = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<12 {
                group.addTask {
                    try await executor.run {
                        peak.enter()
                        defer { peak.leave() }
                        Thread.sleep(forTimeInterval: 0.02)
                        return index
                    }
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(finished == Set(0..<12))
        #expect(peak.peak <= maximumThreads)
        #expect(peak.peak >= 1)
    }
}
