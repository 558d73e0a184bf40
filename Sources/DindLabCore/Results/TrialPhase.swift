/// The phases of a trial, in the order they run (DESIGN.md, "Trial lifecycle and outcomes").
package enum TrialPhase: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// Create and start the outer container.
    case outer
    /// The scenario's setup lines inside the outer container.
    case setup
    /// Start the inner daemon and wait until it answers.
    case daemon
    /// Load the inner image into the inner daemon.
    case prepare
    /// Each inner run.
    case inner
    /// Remove what the trial created.
    case cleanup

    package static func < (lhs: TrialPhase, rhs: TrialPhase) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    package var description: String { rawValue }
}

/// How a trial ended.
package enum TrialOutcome: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Every phase succeeded.
    case pass
    /// The system under test failed in some phase.
    case fail
    /// The trial ran past its timeout.
    case timeout
    /// The harness or the engine failed (engine unreachable, image missing): reported,
    /// never counted as a scenario failure.
    case error

    package var description: String { rawValue }
}
