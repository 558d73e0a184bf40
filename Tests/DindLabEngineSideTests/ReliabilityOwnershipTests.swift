import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// Ownership labels and how gc tells a live owner from a dead one.
@Suite("Reliability: ownership and liveness")
struct ReliabilityOwnershipTests {
    /// The pid of a process that has just ended (and been reaped).
    static func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test("labels carry run, owner, owner start time, boot id and start; they read back")
    func labelsRoundTrip() throws {
        let started = Date(timeIntervalSince1970: 1_795_000_000.123)
        let ownership = Ownership.current(runID: RunID("20261129T112233Z-ab12")!, startedAt: started)
        let labels = ownership.labels
        #expect(labels[Ownership.runLabel] == "20261129T112233Z-ab12")
        #expect(labels[Ownership.ownerLabel] == "\(ProcessInfo.processInfo.hostName):\(getpid())")
        #expect(labels[Ownership.ownerStartLabel] == ProcessTable.stat(getpid()).map { String($0.startTicks) })
        #expect(labels[Ownership.startedLabel] == "2026-11-18T11:06:40.123Z")
        #expect(Ownership(labels: labels) == ownership)
    }

    @Test(
        "objects without both dindlab.run and a well-formed dindlab.owner are not dindlab's",
        arguments: [
            [:],
            ["dindlab.owner": "host:12"],
            ["dindlab.run": "r1"],
            ["dindlab.run": "r1", "dindlab.owner": "no-pid"],
            ["dindlab.run": "", "dindlab.owner": "host:12"],
            ["dindlab.run": "r1", "dindlab.owner": "host:-3"],
        ])
    func foreign(labels: [String: String]) {
        #expect(Ownership(labels: labels) == nil)
    }

    @Test("a host name with colons keeps them; the pid is after the last one")
    func ownerText() throws {
        let owner = try #require(ProcessIdentity(ownerText: "fe80::1:4242"))
        #expect(owner.host == "fe80::1")
        #expect(owner.pid == 4242)
    }

    @Test("this process runs; a process that ended is gone; a reused pid is gone; another host cannot be judged")
    func liveness() throws {
        #expect(ProcessIdentity.current.liveness() == .running)
        let me = ProcessIdentity.current
        let dead = ProcessIdentity(host: me.host, pid: try Self.deadPID(), startTicks: 1, bootID: me.bootID)
        guard case .gone(let why) = dead.liveness() else {
            Issue.record("a dead pid is not gone")
            return
        }
        #expect(why.contains("\(dead.pid)"))

        var reused = me
        reused.startTicks = (me.startTicks ?? 0) + 1
        guard case .gone(let reason) = reused.liveness() else {
            Issue.record("a reused pid is taken for its old owner")
            return
        }
        #expect(reason.contains("another process"))

        var rebooted = me
        rebooted.bootID = "00000000-0000-0000-0000-000000000000"
        guard case .gone = rebooted.liveness() else {
            Issue.record("an owner from before a reboot is taken for alive")
            return
        }

        var elsewhere = me
        elsewhere.host = me.host + "-elsewhere"
        guard case .unknown = elsewhere.liveness() else {
            Issue.record("an owner on another host is judged")
            return
        }
    }

    @Test("without a recorded start time, a pid whose process started after the run did is a reused one")
    func livenessWithoutTicks() {
        let me = ProcessIdentity(host: ProcessIdentity.current.host, pid: getpid())
        #expect(me.liveness(startedNoLaterThan: Date()) == .running)
        guard case .gone = me.liveness(startedNoLaterThan: Date(timeIntervalSince1970: 0)) else {
            Issue.record("a process that started after its run is taken for the run's owner")
            return
        }
    }

    @Test("a run of this very process is over once it is no longer among the active runs")
    func runOfThisProcess() {
        let ownership = Ownership.current(runID: RunID.generate(), startedAt: Date())
        guard case .gone(let why) = ownership.runLiveness() else {
            Issue.record("a run this process never ran counts as live")
            return
        }
        #expect(why.contains("finished"))
        ActiveRuns.shared.add(ownership.runID)
        #expect(ownership.runLiveness() == .running)
        ActiveRuns.shared.remove(ownership.runID)
        #expect(ownership.runLiveness() != .running)
    }

    @Test(
        "ages: units up to days, read and written back",
        arguments: [
            ("90s", Duration.seconds(90), "90s"), ("30m", .seconds(1800), "30m"), ("12h", .seconds(43_200), "12h"),
            ("2d", .seconds(172_800), "2d"), ("1.5h", .seconds(5400), "90m"), ("500ms", .milliseconds(500), "500ms"),
        ])
    func ages(text: String, duration: Duration, written: String) {
        #expect(AgeText.parse(text) == duration)
        #expect(AgeText.format(duration) == written)
    }

    // "1h2d" once read as 62 days: its "d" was swapped for "m" and "1h2m" read as minutes.
    @Test("ages that are not ages", arguments: ["", "h", "2 d", "-1h", "1w", "1.h", "abc", "1h2d"])
    func badAges(text: String) {
        #expect(AgeText.parse(text) == nil)
    }
}

/// What gc decides for one container, table-driven over owner, kept label and age.
@Suite("Reliability: gc decisions")
struct ReliabilityGcDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func container(owner: String, kept: Bool = false, ageSeconds: Int = 7200, startTicks: UInt64? = nil) throws
        -> OwnedContainer
    {
        var labels = ["dindlab.run": "20261129T112233Z-ab12", "dindlab.owner": owner, "dindlab.trial": "smoke-c0-t0"]
        if kept { labels["dindlab.kept"] = "true" }
        if let startTicks { labels["dindlab.owner.start"] = String(startTicks) }
        let json: [String: Any] = [
            "Id": String(repeating: "ab", count: 32), "Labels": labels,
            "Created": Int(now.timeIntervalSince1970) - ageSeconds, "Names": ["/x"],
        ]
        let summary = try JSONDecoder().decode(
            ContainerSummary.self, from: JSONSerialization.data(withJSONObject: json))
        return try #require(OwnedContainer(summary))
    }

    static var deadOwner: String {
        get throws { "\(ProcessInfo.processInfo.hostName):\(try ReliabilityOwnershipTests.deadPID())" }
    }
    static var liveOwner: String { "\(ProcessInfo.processInfo.hostName):1" }  // init: always running
    static let otherHost = "some-other-host.example:4242"

    struct Case: Sendable, CustomTestStringConvertible {
        var what: String
        var owner: String
        var kept = false
        var ageSeconds = 7200
        var options = GarbageCollector.Options()
        var removed: Bool
        var reasonContains: String
        /// The option that would remove a container left alone (the executable names it).
        var removableWith: GarbageCollector.Override? = nil
        var testDescription: String { what }
    }

    static var cases: [Case] {
        get throws {
            [
                Case(what: "dead owner: removed", owner: try deadOwner, removed: true, reasonContains: "is gone"),
                Case(
                    what: "dead owner, kept: left", owner: try deadOwner, kept: true, removed: false,
                    reasonContains: "dindlab.kept=true", removableWith: .includeKept),
                Case(
                    what: "dead owner, kept, --include-kept: removed", owner: try deadOwner, kept: true,
                    options: .init(includeKept: true), removed: true, reasonContains: "is gone"),
                Case(
                    what: "dead owner, younger than --older-than: left", owner: try deadOwner, ageSeconds: 60,
                    options: .init(olderThan: .seconds(3600)), removed: false, reasonContains: "not older than 1h"),
                Case(
                    what: "dead owner, older than --older-than: removed", owner: try deadOwner,
                    options: .init(olderThan: .seconds(3600)), removed: true, reasonContains: "is gone"),
                Case(
                    what: "live owner: left, even when old", owner: liveOwner, options: .init(olderThan: .seconds(60)),
                    removed: false, reasonContains: "goes on"),
                Case(
                    what: "other host: left", owner: otherHost, removed: false, reasonContains: "unknown",
                    removableWith: .olderThan),
                Case(
                    what: "other host, older than --older-than: removed", owner: otherHost,
                    options: .init(olderThan: .seconds(3600)), removed: true, reasonContains: "older than 1h"),
                Case(
                    what: "other host, younger than --older-than: left", owner: otherHost, ageSeconds: 60,
                    options: .init(olderThan: .seconds(3600)), removed: false, reasonContains: "unknown",
                    removableWith: .olderThan),
            ]
        }
    }

    @Test("decisions", arguments: try cases)
    func decide(_ testCase: Case) throws {
        // The live owner (pid 1) is live without recorded start ticks; the dead one gets ticks no
        // later process can have, so a quick reuse of its pid cannot make it look alive.
        let ticks: UInt64? = testCase.owner == Self.liveOwner ? nil : 1
        let container = try Self.container(
            owner: testCase.owner, kept: testCase.kept, ageSeconds: testCase.ageSeconds, startTicks: ticks)
        let decision = GarbageCollector.decide(container, options: testCase.options, now: Self.now)
        #expect(decision.remove == testCase.removed, "\(decision.reason)")
        #expect(decision.reason.contains(testCase.reasonContains), "\(decision.reason)")
        #expect(decision.removableWith == testCase.removableWith)
    }
}
