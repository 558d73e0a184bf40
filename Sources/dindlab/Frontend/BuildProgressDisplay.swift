import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// Shows build events on a stream: on a terminal as one line rewritten in place with the
/// phase and its elapsed time, ticking every second; otherwise as plain lines, one per event,
/// with elapsed times when a phase ends.
actor BuildProgressDisplay: BuildProgressReporter {
    private let handle: FileHandle
    private let isTerminal: Bool
    private let clock = ContinuousClock()
    private var recipeStart: [String: ContinuousClock.Instant] = [:]
    private var current: (recipe: String, phase: String, start: ContinuousClock.Instant)?
    private var ticker: Task<Void, Never>?

    /// - Parameters:
    ///   - handle: Where to write (standard error by default, keeping standard output for results).
    ///   - isTerminal: Whether to rewrite one line; by default, whether the handle is a terminal.
    init(handle: FileHandle = .standardError, isTerminal: Bool? = nil) {
        self.handle = handle
        self.isTerminal = isTerminal ?? (isatty(handle.fileDescriptor) == 1)
    }

    /// A failed build's error in the command line's words (`pass --binary PATH`).
    nonisolated func describe(_ error: any Error) -> String { DiagnosticText.text(for: error) }

    func report(_ event: BuildEvent) {
        let now = clock.now
        switch event {
        case .phase(let recipe, let phase):
            if recipeStart[recipe] == nil { recipeStart[recipe] = now }
            endPhase(at: now)
            current = (recipe, phase, now)
            if isTerminal {
                redraw()
                startTicker()
            } else {
                write("[\(recipe)] \(phase)...\n")
            }
        case .note(let recipe, let message):
            clearLine()
            write("[\(recipe)] \(message)\n")
            redraw()
        case .finished(let recipe, let summary):
            endPhase(at: now)
            finish(recipe: recipe, line: summary, at: now)
        case .failed(let recipe, let message):
            // The phase did not end well: name it instead of saying it took so long.
            let during = current.map { " while \($0.phase)" } ?? ""
            finish(recipe: recipe, line: "failed\(during): \(message)", at: now)
        }
    }

    private func finish(recipe: String, line: String, at now: ContinuousClock.Instant) {
        current = nil
        stopTicker()
        clearLine()
        let total = recipeStart.removeValue(forKey: recipe).map { " (\(Self.format(now - $0)))" } ?? ""
        write("[\(recipe)] \(line)\(total)\n")
    }

    /// Plain mode: a line saying how long the phase took, for phases that took a second or
    /// more. Terminal mode: nothing, the line is rewritten by the next phase.
    private func endPhase(at now: ContinuousClock.Instant) {
        guard let current, !isTerminal, now - current.start >= .seconds(1) else { return }
        write("[\(current.recipe)] \(current.phase) took \(Self.format(now - current.start))\n")
    }

    private func redraw() {
        guard isTerminal, let current else { return }
        let phaseTime = Self.format(clock.now - current.start)
        let total = recipeStart[current.recipe].map { ", \(Self.format(clock.now - $0)) in all" } ?? ""
        write("\r\u{1B}[K[\(current.recipe)] \(current.phase) \(phaseTime)\(total)")
    }

    private func clearLine() {
        if isTerminal { write("\r\u{1B}[K") }
    }

    private func startTicker() {
        guard ticker == nil else { return }
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.redraw()
            }
        }
    }

    private func stopTicker() {
        ticker?.cancel()
        ticker = nil
    }

    private func write(_ text: String) {
        handle.write(Data(text.utf8))
    }

    /// `4s`, `1m05s`: whole seconds, minutes from a minute on.
    static func format(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        return seconds < 60 ? "\(seconds)s" : "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s"
    }
}
