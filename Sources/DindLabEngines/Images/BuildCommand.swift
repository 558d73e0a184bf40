package import Foundation
import Synchronization

/// Runs the system tools an image build needs (debootstrap, tar, chroot, umount), and the tar
/// of a trial's inner-image seed (`InnerImageSeeds`).
///
/// Output goes to a log file, never through a pipe that could fill up and stall a long
/// debootstrap; when the tool fails, the error carries the log's last lines and its path.
/// Cancelling the calling task terminates the tool.
package struct BuildCommand: Sendable {
    let arguments: [String]

    package init(_ arguments: [String]) {
        precondition(!arguments.isEmpty, "a command needs at least its executable")
        self.arguments = arguments
    }

    /// Runs the command to completion.
    ///
    /// - Parameters:
    ///   - log: Where standard output and error go; a temporary file when `nil`, removed after a
    ///     successful run.
    ///   - environment: Variables added to this process's environment.
    ///   - timeout: When set, the command is terminated after this long and the run fails.
    /// - Returns: The command's combined output.
    /// - Throws: `ImageBuildError` when it cannot start, times out or exits with a non-zero status.
    @discardableResult
    package func run(log: URL? = nil, environment: [String: String] = [:], timeout: Duration? = nil) async throws
        -> String
    {
        try Task.checkCancellation()
        let logFile =
            log
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("dindlab-cmd-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: logFile)
        defer { if log == nil { try? FileManager.default.removeItem(at: logFile) } }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let running = RunningProcess(process)

        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: ImageBuildError.commandNotStarted(arguments, reason: "\(error)"))
                    return
                }
                if let timeout { running.terminate(after: timeout) }
            }
        } onCancel: {
            running.terminate()
        }
        running.cancelTimer()
        try? output.close()
        // A tool stopped because the build was cancelled failed for that reason only.
        try Task.checkCancellation()

        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        if running.timedOut, let timeout {
            throw ImageBuildError.commandTimedOut(arguments, after: timeout)
        }
        // env exits 127 when the tool is not installed; say so instead of quoting env.
        if status == 127, text.hasPrefix("/usr/bin/env") {
            throw ImageBuildError.commandNotStarted(
                arguments, reason: "\(arguments[0]) is not installed or not on PATH")
        }
        guard status == 0 else {
            throw ImageBuildError.commandFailed(
                arguments, status: status, outputTail: Self.lastLines(of: text), log: log)
        }
        try Task.checkCancellation()
        return text
    }

    /// The last lines of a tool's output, enough to show its first real error in most cases.
    static func lastLines(of text: String, count: Int = 15) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true).suffix(count).joined(separator: "\n")
    }
}

/// A started process that a cancellation handler or a timer may stop from another thread.
private final class RunningProcess: Sendable {
    private let process: Process
    private let state = Mutex<(timer: Task<Void, Never>?, timedOut: Bool)>((nil, false))

    init(_ process: Process) { self.process = process }

    var timedOut: Bool { state.withLock { $0.timedOut } }

    func terminate() {
        if process.isRunning { process.terminate() }
    }

    func terminate(after timeout: Duration) {
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil, let self else { return }
            self.state.withLock { $0.timedOut = true }
            self.terminate()
        }
        state.withLock { $0.timer = timer }
    }

    func cancelTimer() {
        state.withLock { $0.timer }?.cancel()
    }
}
