import Foundation

/// Runs a short-lived command (such as `docker --version`) and collects what it printed.
///
/// Output goes to a temporary file rather than a pipe, so a command that leaves a child
/// behind holding the pipe can never block the caller.
struct ShortCommand {
    struct Result {
        /// Exit status, or nil when the command could not start or was killed at the deadline.
        var exitStatus: Int32?
        /// stdout and stderr together, trimmed.
        var output: String
        /// Why there is no exit status, when there is none.
        var failure: String?

        /// "exited with status 2 and printed "..."", for error messages.
        var summary: String {
            let printed = output.isEmpty ? "printed nothing" : "printed \"\(output.prefix(300))\""
            if let failure { return failure }
            return "exited with status \(exitStatus ?? -1) and \(printed)"
        }
    }

    static func run(_ executable: String, _ arguments: [String], timeout: Duration) -> Result {
        let outputPath = NSTemporaryDirectory() + "dindlab-cmd-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath)
        else { return Result(exitStatus: nil, output: "", failure: "could not create \(outputPath)") }
        defer {
            try? output.close()
            try? FileManager.default.removeItem(atPath: outputPath)
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            return Result(exitStatus: nil, output: "", failure: "could not be started (\(error))")
        }

        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        var failure: String?
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            failure = "did not finish within \(timeout) and was stopped"
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Result(
            exitStatus: failure == nil ? process.terminationStatus : nil,
            output: text.trimmingCharacters(in: .whitespacesAndNewlines),
            failure: failure
        )
    }
}
