/// One experiment, as a scenario file describes it (schema version 1, see DESIGN.md).
///
/// A scenario loaded from a file still holds its `matrix`; `cells()` expands it into the points
/// to run, each with a fully resolved scenario (the matrix values applied, `matrix` empty).
/// Fields the file leaves out hold the defaults below.
package struct Scenario: Sendable, Hashable, Codable {
    /// The schema version; always 1.
    package var version: Int
    /// The scenario's name, `[a-z0-9][a-z0-9-]*`; it prefixes trial ids.
    package var name: String
    /// Free text.
    package var description: String?
    /// Trials per cell (`repeat`, default 10).
    package var repeatCount: Int
    /// The time one trial may take, end to end (default 300s).
    @DurationCoding package var timeout: Duration
    /// Whether each trial gets a fresh outer container, or a cell's trials share one.
    package var isolation: Isolation
    /// The engine to run on (a name or an address); nil means the run's engine.
    package var engine: String?
    /// When to collect the environment of a trial.
    package var forensics: Forensics
    /// The outer container.
    package var outer: Outer
    /// The daemon inside the outer container.
    package var daemon: Daemon
    /// What runs on the inner daemon.
    package var inner: Inner
    /// What the results must show.
    package var expect: Expect
    /// Faults to inject (none by default).
    package var faults: Faults
    /// The matrix's dimensions in file order; empty for a resolved (cell) scenario.
    package var matrix: [MatrixDimension]
    /// The file the scenario came from, as the user named it; nil when built in code.
    package var source: String?
    /// The sha256 of the very bytes the scenario was parsed from (64 lowercase hex digits), so
    /// that a run records the digest of what it ran, not of a second read of the file; nil when
    /// built in code.
    package var sourceSHA256: String?

    /// Trials per cell when the file gives no `repeat`.
    package static let defaultRepeat = 10
    /// The largest `repeat` accepted.
    package static let maxRepeat = 100_000
    /// The per-trial timeout when the file gives none.
    package static let defaultTimeout = Duration.seconds(300)

    /// Creates a scenario; every parameter but the name and the outer container has the file's default.
    /// - Parameters:
    ///   - name: The name, `[a-z0-9][a-z0-9-]*`.
    ///   - description: Free text.
    ///   - repeatCount: Trials per cell.
    ///   - timeout: The time one trial may take.
    ///   - isolation: Fresh outer container per trial, or one per cell.
    ///   - engine: The engine to run on; nil for the run's engine.
    ///   - forensics: When to collect a trial's environment.
    ///   - outer: The outer container.
    ///   - daemon: The inner daemon.
    ///   - inner: What runs on the inner daemon.
    ///   - expect: What the results must show.
    ///   - faults: Faults to inject.
    ///   - matrix: The matrix's dimensions.
    ///   - source: The file it came from.
    package init(
        name: String,
        description: String? = nil,
        repeatCount: Int = Scenario.defaultRepeat,
        timeout: Duration = Scenario.defaultTimeout,
        isolation: Isolation = .trial,
        engine: String? = nil,
        forensics: Forensics = .onFailure,
        outer: Outer,
        daemon: Daemon = Daemon(),
        inner: Inner = Inner(),
        expect: Expect = Expect(),
        faults: Faults = Faults(),
        matrix: [MatrixDimension] = [],
        source: String? = nil
    ) {
        self.version = 1
        self.name = name
        self.description = description
        self.repeatCount = repeatCount
        self.timeout = timeout
        self.isolation = isolation
        self.engine = engine
        self.forensics = forensics
        self.outer = outer
        self.daemon = daemon
        self.inner = inner
        self.expect = expect
        self.faults = faults
        self.matrix = matrix
        self.source = source
    }

    /// How trials of a cell share state.
    package enum Isolation: String, Sendable, Hashable, Codable, CaseIterable {
        /// A fresh outer container (and so a fresh inner daemon) for every trial.
        case trial
        /// One outer container and inner daemon serve all trials of a cell, in order, so state
        /// left by one trial can affect the next.
        case cell
    }

    /// When to record a trial's environment (cgroup files, mounts, daemon log).
    package enum Forensics: String, Sendable, Hashable, Codable, CaseIterable {
        /// For failed, timed-out and errored trials.
        case onFailure = "on-failure"
        /// For every trial, so a good run can be compared with a bad one line by line.
        case always
    }

    private enum CodingKeys: String, CodingKey {
        case version, name, description
        case repeatCount = "repeat"
        case timeout, isolation, engine, forensics, outer, daemon, inner, expect, faults, matrix, source, sourceSHA256
    }
}
