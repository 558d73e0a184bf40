import Foundation

/// Runs blocking work (libcurl's easy interface) on threads of its own, so that many
/// concurrent engine calls never block Swift's cooperative thread pool.
///
/// Threads are kept and reused: a handoff costs a condition-variable signal, not a
/// thread creation, which matters when a benchmark pings the engine thousands of times.
///
/// The threads are bounded: a call finds a thread of its own while fewer than
/// `maximumThreads` exist, and beyond that waits, first come first served, for one to come
/// free. The bound is far above what a run needs (a trial holds at most a few calls at once).
///
/// `@unchecked Sendable`: the threads wait on `condition` (a pthread mutex and condition
/// variable), which `Mutex` cannot do; every mutable property below is read and written only
/// with `condition` locked.
final class BlockingExecutor: @unchecked Sendable {
    static let shared = BlockingExecutor()

    /// The most threads that exist at once.
    let maximumThreads: Int
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var idleThreads = 0
    private var threadCount = 0

    /// - Parameter maximumThreads: The most threads that exist at once (at least 1).
    init(maximumThreads: Int = 128) {
        self.maximumThreads = max(1, maximumThreads)
    }

    /// Runs `work` on an executor thread and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        // Every queued job needs an idle thread of its own. A signalled thread leaves the idle
        // count only once it runs, so checking for "any idle thread" let a burst of calls
        // share one wakeup and queue behind each other, and behind calls that hang until
        // their deadline.
        if jobs.count > idleThreads && threadCount < maximumThreads {
            threadCount += 1
            let thread = Thread { [unowned self] in self.workLoop() }
            thread.name = "dindlab-curl-\(threadCount)"
            thread.stackSize = 512 * 1024
            thread.start()
        } else {
            condition.signal()
        }
        condition.unlock()
    }

    private func workLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty {
                idleThreads += 1
                // Idle threads linger a while, then leave, so a burst of calls does not
                // keep a hundred threads alive for the rest of the run.
                let woke = condition.wait(until: Date().addingTimeInterval(30))
                idleThreads -= 1
                if !woke && jobs.isEmpty {
                    threadCount -= 1
                    condition.unlock()
                    return
                }
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
