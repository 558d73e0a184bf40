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
        lhs.rank < rhs.rank
    }

    /// The phase's place in the order a trial runs them, for `<`.
    private var rank: Int {
        switch self {
        case .outer: 0
        case .setup: 1
        case .daemon: 2
        case .prepare: 3
        case .inner: 4
        case .cleanup: 5
        }
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

    /// The outcome's place in `allCases` (pass, fail, timeout, error), for sorting by outcome.
    var rank: Int {
        switch self {
        case .pass: 0
        case .fail: 1
        case .timeout: 2
        case .error: 3
        }
    }
}
