package import DindLabEngines
package import DockerEngine
package import Foundation

/// A container that carries dindlab's ownership labels, as `gc` and the orphan check see it.
package struct OwnedContainer: Sendable, Hashable {
    package var id: String
    /// The container's name without the leading slash, if it has one.
    package var name: String?
    package var ownership: Ownership
    /// The trial it served (`dindlab.trial`), if it is an outer container.
    package var trialID: String?
    /// True for a privilege probe container (`dindlab.probe`).
    package var isProbe: Bool
    /// True when it was left running on purpose (`dindlab.kept=true`).
    package var isKept: Bool
    /// When the engine created it; nil when the engine did not say.
    package var created: Date?
    /// running, exited, ... (API 1.23 and newer).
    package var state: String?

    /// Reads a container listing; nil for a container without dindlab's labels.
    package init?(_ summary: ContainerSummary) {
        let labels = summary.labels ?? [:]
        guard let ownership = Ownership(labels: labels) else { return nil }
        self.id = summary.id
        self.name = summary.names?.first.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        self.ownership = ownership
        self.trialID = labels[Ownership.trialLabel]
        self.isProbe = labels[Ownership.probeLabel] != nil
        self.isKept = labels[Ownership.keptLabel] == "true"
        self.created = summary.created.map { Date(timeIntervalSince1970: Double($0)) }
        self.state = summary.state
    }

    /// The first twelve digits of the id, as the docker CLI shows it.
    package var shortID: String { String(id.prefix(12)) }

    /// How long ago it was created (or its run started, when the engine gave no creation time).
    package func age(now: Date = Date()) -> TimeInterval? {
        (created ?? ownership.startedAt).map { now.timeIntervalSince($0) }
    }

    /// What it is, for listings: `trial smoke-c0-t1` or `privilege probe`.
    package var role: String {
        if let trialID { return "trial \(trialID)" }
        return isProbe ? "privilege probe" : "container"
    }

    /// Every container on the engine that carries dindlab's labels. Containers without
    /// them are never even looked at.
    ///
    /// - Throws: `EngineError` when the engine cannot be asked.
    package static func list(on client: EngineClient, timeout: Duration = .seconds(30)) async throws -> [OwnedContainer]
    {
        try await client.listContainers(
            all: true, labels: [Ownership.runLabel, Ownership.ownerLabel], timeout: timeout
        ).compactMap(OwnedContainer.init)
    }
}
