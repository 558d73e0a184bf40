import Foundation

/// The fake daemon's data: images, containers, exec instances, events, and the test's
/// configuration (program, faults) and the requests seen. Only `EngineState` touches it,
/// under its lock; the operations live in extensions by subject.
struct EngineModel {
    let persona: DaemonPersona
    var images: [ImageRecord] = []
    /// In creation order (lists show the newest first).
    var containers: [ContainerRecord] = []
    var execs: [String: ExecRecord] = [:]
    var events: [EngineEvent] = []
    var requests: [RecordedRequest] = []
    var faults = FaultTable()
    var program: @Sendable ([String], Bool) -> ScriptedProcess = ScriptedProcess.defaultProgram
    /// The capabilities the daemon can apply (nil: all): a daemon that itself lacks one fails
    /// every start that asks for it, `--privileged` included.
    var grantableCapabilities: Set<String>?
    private var nextPID = 4242
    private var nextNameNumber = 1

    init(persona: DaemonPersona) {
        self.persona = persona
        _ = addImage(
            reference: "busybox:latest", labels: [:], cmd: ["sh"], size: 4_261_550,
            created: Date(timeIntervalSince1970: 1_700_000_000))
    }

    // MARK: Identities

    mutating func allocatePID() -> Int {
        defer { nextPID += 1 }
        return nextPID
    }

    mutating func generatedName() -> String {
        defer { nextNameNumber += 1 }
        return "fake_container_\(nextNameNumber)"
    }

    /// A new image id in the persona's format.
    func newImageID() -> String {
        persona.has(.digestImageIDs) ? "sha256:" + HexID.make() : HexID.make()
    }

    // MARK: Time

    /// Ends the runs whose scripted time is up, in the order they ended, so that events stay
    /// in time order: every access settles first, before it records anything new.
    /// - Returns: whether any run ended.
    @discardableResult
    mutating func settle(now: Date) -> Bool {
        let due = containers.indices
            .filter { containers[$0].lastRun.map { $0.isRunning && $0.plannedExit <= now } ?? false }
            .sorted { containers[$0].lastRun!.plannedExit < containers[$1].lastRun!.plannedExit }
        for index in due {
            let run = containers[index].lastRun!
            finishRun(ofContainerAt: index, exitCode: run.exitCode, at: run.plannedExit)
        }
        return !due.isEmpty
    }

    mutating func finishRun(ofContainerAt index: Int, exitCode: Int, at time: Date) {
        containers[index].lastRun?.finishedAt = time
        containers[index].lastRun?.exitCode = exitCode
        containers[index].exitCount += 1
        record("die", container: containers[index], at: time, extra: ["exitCode": String(exitCode)])
    }

    // MARK: Events

    mutating func record(
        _ action: String, container: ContainerRecord, at time: Date = Date(), extra: [String: String] = [:]
    ) {
        var attributes = container.labels
        attributes["image"] = container.imageReference
        attributes["name"] = container.name
        attributes.merge(extra) { _, new in new }
        events.append(
            EngineEvent(
                sequence: events.count, time: time, action: action, containerID: container.id,
                image: container.imageReference, attributes: attributes))
    }
}
