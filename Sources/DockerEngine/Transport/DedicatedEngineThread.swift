import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own for a sequence of engine calls: the calls' async code runs on it (as
/// its task executor), and their blocking libcurl work runs inline on it too, instead of
/// being handed to `BlockingExecutor` and back.
///
/// Each handoff costs two thread wakeups, which is as much as a whole /_ping round trip over
/// a Unix socket; for latency measurements (`dindlab engine ping`) that doubles the result.
/// Use it for sequential work only: concurrent child tasks would share the one thread and
/// wait for each other's calls.
///
/// `@unchecked Sendable`: it owns a thread that waits on `condition` (a pthread mutex and
/// condition variable, which `Mutex` cannot wait on); `jobs` and `stopping` are read and
/// written only with `condition` locked.
public final class DedicatedEngineThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    private init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Runs `operation` with a dedicated thread as its task executor, then ends the thread.
    ///
    /// - Parameters:
    ///   - name: The thread's name, for debuggers and profilers.
    ///   - operation: Sequential engine calls.
    /// - Returns: What `operation` returns.
    /// - Throws: What `operation` throws.
    public static func run<T>(named name: String = "dindlab-engine-calls", _ operation: () async throws -> T) async throws -> T {
        let executor = DedicatedEngineThread(name: name)
        defer { executor.stop() }
        return try await withTaskExecutorPreference(executor) {
            try await operation()
        }
    }

    /// True on a dedicated thread, where blocking the thread is what its owner asked for.
    static var isCurrentThreadDedicated: Bool {
        pthread_getspecific(dedicatedThreadKey) != nil
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs enqueued so far have run.
    private func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        pthread_setspecific(dedicatedThreadKey, UnsafeRawPointer(bitPattern: 1))
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}

/// Marks dedicated threads; a pthread key, because Swift has no thread-local storage of its own.
private let dedicatedThreadKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
