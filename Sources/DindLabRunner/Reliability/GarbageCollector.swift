import DindLabEngines
package import DockerEngine
package import Foundation

/// Finds and removes what dead dindlab runs left on an engine (`dindlab gc`).
///
/// Only containers labelled `dindlab.run` and `dindlab.owner` are considered. One is garbage
/// when its run is over: its owner process is gone (same host; pid reuse is caught by the
/// owner's recorded start time), or its owner is this process and the run has ended. A run of
/// another live process is never touched. Containers of owners on other hosts cannot be
/// judged and are left alone unless `olderThan` is given and they are older. Containers
/// labelled `dindlab.kept=true` are kept unless `includeKept`.
package struct GarbageCollector: Sendable {
    /// What to collect.
    package struct Options: Sendable, Hashable {
        /// Only containers of this run.
        package var runID: String?
        /// Only containers at least this old; also the age after which containers of owners on
        /// other hosts, whose liveness cannot be checked, are taken for dead.
        package var olderThan: Duration?
        /// Remove containers labelled `dindlab.kept=true` too.
        package var includeKept: Bool
        /// Say what would be removed, remove nothing.
        package var dryRun: Bool

        package init(runID: String? = nil, olderThan: Duration? = nil, includeKept: Bool = false, dryRun: Bool = false)
        {
            self.runID = runID
            self.olderThan = olderThan
            self.includeKept = includeKept
            self.dryRun = dryRun
        }
    }

    /// What gc decided for one container, and why.
    package struct Decision: Sendable, Hashable {
        package var container: OwnedContainer
        /// True when it is to be removed.
        package var remove: Bool
        /// Why, in a clause: "its owner process 4242 is gone".
        package var reason: String
        /// True when its run is known to be over, whatever gc does with it.
        package var runIsOver: Bool
        /// For a container left alone: the option that would remove it (the executable names it).
        package var removableWith: Override? = nil
    }

    /// An option of a collection that removes what it leaves alone by default.
    package enum Override: Sendable, Hashable {
        /// `olderThan`: containers whose run cannot be judged go by age.
        case olderThan
        /// `includeKept`: containers kept for inspection go too.
        case includeKept
    }

    let client: EngineClient
    /// The engine daemon's pid when it runs on this machine: gc then also removes the cgroups
    /// the inner containers of each removed outer container leave (`InnerContainerCgroups`).
    let enginePID: Int32?

    package init(client: EngineClient, enginePID: Int32? = nil) {
        self.client = client
        self.enginePID = enginePID
    }

    /// Decides, for every dindlab container on the engine, whether it is garbage.
    ///
    /// - Returns: One decision per container, oldest first.
    /// - Throws: `EngineError` when the engine cannot be asked.
    package func survey(_ options: Options = Options(), now: Date = Date()) async throws -> [Decision] {
        let containers = try await OwnedContainer.list(on: client)
        return
            containers
            .filter { options.runID == nil || $0.ownership.runID == options.runID }
            .map { Self.decide($0, options: options, now: now) }
            .sorted {
                ($0.container.created ?? .distantPast, $0.container.id) < (
                    $1.container.created ?? .distantPast, $1.container.id
                )
            }
    }

    /// The decision for one container.
    static func decide(_ container: OwnedContainer, options: Options, now: Date) -> Decision {
        let age = container.age(now: now)
        let oldEnough = options.olderThan.map { limit in age.map { $0 >= limit.inSeconds } ?? false } ?? true
        let ageText = options.olderThan.map { "older than \(AgeText.format($0))" } ?? ""
        switch container.ownership.runLiveness() {
        case .running:
            return Decision(
                container: container, remove: false,
                reason: "its run goes on (owner \(container.ownership.owner.ownerText) runs)", runIsOver: false)
        case .unknown(let why):
            guard options.olderThan != nil, oldEnough else {
                return Decision(
                    container: container, remove: false, reason: "\(why), so whether its run goes on is unknown",
                    runIsOver: false, removableWith: .olderThan)
            }
            return Decision(
                container: container, remove: true, reason: "\(why), and it is \(ageText)", runIsOver: false)
        case .gone(let why):
            if container.isKept && !options.includeKept {
                return Decision(
                    container: container, remove: false,
                    reason: "it is labelled \(Ownership.keptLabel)=true (kept for inspection)", runIsOver: true,
                    removableWith: .includeKept)
            }
            guard oldEnough else {
                return Decision(
                    container: container, remove: false, reason: "\(why), but it is not \(ageText)", runIsOver: true)
            }
            return Decision(container: container, remove: true, reason: why, runIsOver: true)
        }
    }

    /// Removes the garbage (or, with `dryRun`, only says what it would remove).
    ///
    /// - Returns: What was decided and done.
    /// - Throws: `EngineError` when the engine cannot be asked for its containers; a container
    ///   that cannot be removed is reported in the result instead.
    package func collect(_ options: Options = Options(), now: Date = Date()) async throws -> Report {
        let decisions = try await survey(options, now: now)
        var report = Report(decisions: decisions, dryRun: options.dryRun)
        guard !options.dryRun else { return report }
        for decision in decisions where decision.remove {
            do {
                let innerCgroups =
                    if let enginePID {
                        await InnerContainerCgroups.find(
                            ofContainer: decision.container.id, client: client, enginePID: enginePID)
                    } else {
                        [String]()
                    }
                try await client.removeContainer(
                    decision.container.id, force: true, volumes: true, timeout: .seconds(60))
                report.removed.append(decision.container)
                report.cgroupProblems += await InnerContainerCgroups.remove(innerCgroups)
            } catch let error as EngineError where error.isNotFound {
                report.removed.append(decision.container)  // gone meanwhile: nothing left either way
            } catch {
                report.failures.append(Failure(container: decision.container, error: "\(error)"))
            }
        }
        return report
    }

    /// A container gc could not remove.
    package struct Failure: Sendable, Hashable {
        package var container: OwnedContainer
        package var error: String
    }

    /// What a collection decided and did.
    package struct Report: Sendable, Hashable {
        package var decisions: [Decision]
        package var dryRun: Bool
        package var removed: [OwnedContainer] = []
        package var failures: [Failure] = []
        /// One sentence per inner container's cgroup that could not be removed.
        package var cgroupProblems: [String] = []

        package init(decisions: [Decision], dryRun: Bool, removed: [OwnedContainer] = [], failures: [Failure] = []) {
            self.decisions = decisions
            self.dryRun = dryRun
            self.removed = removed
            self.failures = failures
        }
    }
}

/// The containers of runs that are over, found at the start of a command (the executable
/// words the warning: "3 containers of dead runs are left: run `dindlab gc`").
package enum OrphanCheck {
    /// Finds the containers of dead runs on an engine; never throws (the check must not stop a run).
    ///
    /// - Returns: What is left, or nil when there is nothing to say.
    package static func survey(client: EngineClient, engineName: String) async -> OrphanSurvey? {
        guard let decisions = try? await GarbageCollector(client: client).survey() else { return nil }
        let orphans = decisions.filter(\.remove)
        guard !orphans.isEmpty else { return nil }
        let runs = Set(orphans.map(\.container.ownership.runID)).sorted()
        return OrphanSurvey(containers: orphans.count, runs: runs, engine: engineName)
    }
}

/// Containers of dead runs left on an engine: what garbage collection would remove.
package struct OrphanSurvey: Sendable, Hashable, CustomStringConvertible {
    /// How many containers.
    package var containers: Int
    /// The runs they belong to, sorted.
    package var runs: [String]
    /// The engine's name.
    package var engine: String

    package init(containers: Int, runs: [String], engine: String) {
        self.containers = containers
        self.runs = runs
        self.engine = engine
    }

    /// `3 containers of dead runs are left on the engine default (runs a, b, c, ...)`.
    package var description: String {
        let shown = runs.prefix(3).joined(separator: ", ") + (runs.count > 3 ? ", ..." : "")
        return
            "\(containers) container\(containers == 1 ? "" : "s") of dead runs \(containers == 1 ? "is" : "are") left on the engine \(engine) (run\(runs.count == 1 ? "" : "s") \(shown))"
    }
}
