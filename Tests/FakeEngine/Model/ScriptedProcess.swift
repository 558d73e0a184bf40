package import Foundation

/// What a container's or exec instance's process "does": the output it produces at once,
/// how long it then keeps running, and its exit code.
package struct ScriptedProcess: Sendable, Equatable {
    package var stdout: Data
    package var stderr: Data
    package var exitCode: Int
    /// How long the process runs after it printed its output; a container is Running this long.
    package var runningFor: Duration

    package init(stdout: Data = Data(), stderr: Data = Data(), exitCode: Int = 0, runningFor: Duration = .zero) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
        self.runningFor = runningFor
    }

    /// Convenience for text output.
    package init(stdout: String, stderr: String = "", exitCode: Int = 0, runningFor: Duration = .zero) {
        self.init(stdout: Data(stdout.utf8), stderr: Data(stderr.utf8), exitCode: exitCode, runningFor: runningFor)
    }

    /// The program used when a test sets none. It understands only two commands and does not
    /// parse shell: `echo ARGS...` prints its arguments joined by spaces and a newline
    /// ("\r\n" on a TTY, as a terminal would), and `sh -c "exit N"` exits with N.
    /// Anything else prints nothing and exits 0.
    /// - Parameters:
    ///   - command: the argv (entrypoint followed by command).
    ///   - tty: whether the process has a terminal.
    /// - Returns: the scripted outcome.
    package static func defaultProgram(_ command: [String], tty: Bool) -> ScriptedProcess {
        guard let executable = command.first.map({ $0.split(separator: "/").last.map(String.init) ?? $0 }) else {
            return ScriptedProcess()
        }
        let arguments = Array(command.dropFirst())
        switch executable {
        case "echo":
            return ScriptedProcess(stdout: arguments.joined(separator: " ") + (tty ? "\r\n" : "\n"))
        case "sh", "bash", "ash":
            if arguments.count == 2, arguments[0] == "-c", let code = exitCode(ofShellScript: arguments[1]) {
                return ScriptedProcess(exitCode: code)
            }
            return ScriptedProcess()
        default:
            return ScriptedProcess()
        }
    }

    /// N for a script that is exactly `exit N` (surrounding blanks allowed).
    private static func exitCode(ofShellScript script: String) -> Int? {
        let words = script.split(whereSeparator: \.isWhitespace)
        guard words.count == 2, words[0] == "exit", let code = Int(words[1]) else { return nil }
        return code
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
