import DindLabCore
import DockerEngine
import Foundation

/// What each step of a trial ran inside the outer container and what it printed, kept for
/// the artifacts of a failed trial.
struct StepLog: Sendable {
    struct Step: Sendable {
        var phase: TrialPhase
        var title: String
        var command: [String]
        var exitCode: Int?
        var output: CollectedOutput?
        var error: String?
        var seconds: Double
        /// What a step done from the engine's host (not in the container) did, line by line.
        var detail: String? = nil
    }

    private(set) var steps: [Step] = []

    mutating func append(_ step: Step) {
        steps.append(step)
    }

    /// Readable text: each step's command, status and output.
    var rendered: String {
        var text = ""
        for (number, step) in steps.enumerated() {
            text += "## \(number + 1). [\(step.phase)] \(step.title) (\(String(format: "%.3f", step.seconds)) s)\n"
            // A step done from the engine's host runs no command in the container.
            if !step.command.isEmpty { text += "$ \(OuterScripts.quote(step.command))\n" }
            if let detail = step.detail { text += detail + (detail.hasSuffix("\n") ? "" : "\n") }
            if let exitCode = step.exitCode { text += "exit status: \(exitCode)\n" }
            if let error = step.error { text += "error: \(error)\n" }
            if let output = step.output {
                if !output.stdout.isEmpty {
                    text += "--- stdout\n\(output.stdoutText)\(output.stdoutText.hasSuffix("\n") ? "" : "\n")"
                }
                if !output.stderr.isEmpty {
                    text += "--- stderr\n\(output.stderrText)\(output.stderrText.hasSuffix("\n") ? "" : "\n")"
                }
                if let note = output.truncationNote { text += "--- \(note)\n" }
            }
            text += "\n"
        }
        return text
    }
}
