package import DindLabCore
package import Foundation
import Synchronization

/// The labels that mark an object on an engine as dindlab's, and say which run and which
/// process made it. dindlab stops or removes only containers that carry them.
///
///     dindlab.run=<run id>              the run
///     dindlab.owner=<host>:<pid>        the dindlab process that made it
///     dindlab.owner.start=<ticks>       that process's start time (/proc/<pid>/stat field 22),
///                                       so a later process with the same pid is not taken for it
///     dindlab.owner.boot=<boot id>      the machine's boot id then
///     dindlab.started=<ISO 8601 time>   when the run started
///
/// Outer containers add `dindlab.trial`, `dindlab.scenario` and `dindlab.cell`; privilege
/// probe containers add `dindlab.probe`; a container left for inspection on purpose carries
/// `dindlab.kept=true`.
package struct Ownership: Sendable, Hashable {
    package static let runLabel = "dindlab.run"
    package static let ownerLabel = "dindlab.owner"
    package static let ownerStartLabel = "dindlab.owner.start"
    package static let ownerBootLabel = "dindlab.owner.boot"
    package static let startedLabel = "dindlab.started"
    package static let trialLabel = "dindlab.trial"
    package static let probeLabel = "dindlab.probe"
    /// `dindlab.kept=true`: left running on purpose (`repro --keep`); `gc` keeps it unless told otherwise.
    package static let keptLabel = "dindlab.kept"

    /// The run id, as the label holds it.
    package var runID: String
    /// The process that made the object.
    package var owner: ProcessIdentity
    /// When the run started; nil when the label is missing or unreadable.
    package var startedAt: Date?

    package init(runID: String, owner: ProcessIdentity, startedAt: Date?) {
        self.runID = runID
        self.owner = owner
        self.startedAt = startedAt.map(Timestamp.rounded)
    }

    /// The ownership of a run this process starts now.
    package static func current(runID: RunID, startedAt: Date) -> Ownership {
        Ownership(runID: runID.rawValue, owner: .current, startedAt: startedAt)
    }

    /// The labels to put on every object the run creates.
    package var labels: [String: String] {
        var labels = [Self.runLabel: runID, Self.ownerLabel: owner.ownerText]
        if let startTicks = owner.startTicks { labels[Self.ownerStartLabel] = String(startTicks) }
        if let bootID = owner.bootID { labels[Self.ownerBootLabel] = bootID }
        if let startedAt { labels[Self.startedLabel] = Timestamp.format(startedAt) }
        return labels
    }

    /// Reads the labels of an object; nil unless it carries both `dindlab.run` and a
    /// well-formed `dindlab.owner`, that is, unless dindlab made it.
    package init?(labels: [String: String]) {
        guard let runID = labels[Self.runLabel], !runID.isEmpty,
            let ownerText = labels[Self.ownerLabel],
            let owner = ProcessIdentity(
                ownerText: ownerText, startTicks: labels[Self.ownerStartLabel].flatMap { UInt64($0) },
                bootID: labels[Self.ownerBootLabel].flatMap { $0.isEmpty ? nil : $0 })
        else { return nil }
        self.init(runID: runID, owner: owner, startedAt: labels[Self.startedLabel].flatMap(Timestamp.parse))
    }

    /// Whether the run that made the object still goes on, as far as this machine can tell.
    ///
    /// A run is over when its owner process is gone, or when the owner is this very process
    /// and the run is no longer among its active runs (a process such as a test runner makes
    /// many runs one after another). Another live dindlab process's runs count as going on.
    package func runLiveness() -> ProcessIdentity.Liveness {
        let liveness = owner.liveness(startedNoLaterThan: startedAt)
        if liveness == .running, owner.pid == getpid(), !ActiveRuns.shared.contains(runID) {
            return .gone("its run has finished (its owner, this process, no longer runs it)")
        }
        return liveness
    }
}

/// The runs this process is running now; a run is added when it starts and removed when it
/// ends, however it ends.
package final class ActiveRuns: Sendable {
    package static let shared = ActiveRuns()
    private let runs = Mutex<[String: Int]>([:])

    /// Marks the run as going on. Additions are counted, so a run that a library user
    /// resumes twice at once in one process is over only when both have ended.
    package func add(_ runID: String) {
        runs.withLock { $0[runID, default: 0] += 1 }
    }

    /// Marks the run as over.
    package func remove(_ runID: String) {
        runs.withLock { runs in
            if let count = runs[runID], count > 1 { runs[runID] = count - 1 } else { runs[runID] = nil }
        }
    }

    package func contains(_ runID: String) -> Bool {
        runs.withLock { $0[runID] != nil }
    }
}
