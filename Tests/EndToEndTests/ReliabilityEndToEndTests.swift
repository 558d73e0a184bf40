import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation
import Testing

/// Nothing leaked, nothing lost, against a real engine: `dindlab run` as a child process
/// interrupted by SIGINT and SIGKILL, resumed, cleaned up by `gc`; an engine that dies mid-run;
/// a daemon that never gets ready; an inner command that floods output. Each test ends by
/// checking that no container of its run is left.
@Suite(.enabled(if: RealEngine.canRunTrials, RealEngine.noOuterImageReason), .serialized)
struct ReliabilityEndToEndTests {
    /// A scenario file (OUTER_IMAGE filled in) in a fresh folder, with `out/` beside it for results.
    struct Workspace {
        let folder: URL
        let scenario: URL
        var out: URL { folder.appendingPathComponent("out") }

        init(_ yaml: String) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "dindlab-reliability-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            scenario = folder.appendingPathComponent("scenario.yaml")
            try yaml.replacingOccurrences(of: "OUTER_IMAGE", with: RealEngine.outerImage!).write(
                to: scenario, atomically: true, encoding: .utf8)
        }

        /// The run folder the child made under out/, once it exists.
        func runDirectory() throws -> URL? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
            return names.first.map { out.appendingPathComponent($0) }
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    // MARK: Interruption, resume, crash

    @Test(
        "SIGINT mid-run: the running trial finishes, records and summary are complete, no container is left; --resume runs exactly the rest"
    )
    func interruptAndResume() async throws {
        let workspace = try Workspace(
            """
            version: 1
            name: interrupted
            repeat: 5
            timeout: 90s
            outer:
              image: OUTER_IMAGE
            inner:
              command: [sh, -c, "sleep 2; echo ok"]
              expect-output: "^ok"
            """)
        defer { workspace.remove() }
        let run = try DindlabChild.start([
            "run", workspace.scenario.path, "--seed", "3", "--engine", RealEngine.address!, "--out", workspace.out.path,
        ])
        let directory = try await waitFor("the run folder") { try workspace.runDirectory() }
        try await waitFor("the first record") { try recordCount(directory) >= 1 ? true : nil }
        let recordedBeforeSignal = try recordCount(directory)
        run.signal(SIGINT)
        let status = try await run.wait()
        #expect(status == 130, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("dindlab run --resume \(directory.path)"), "\(run.stdout)")
        // The summary line states the status the process really ends with.
        #expect(run.stdout.contains("exit status 130: SIGINT ended the run early"), "\(run.stdout)")
        #expect(!run.stdout.split(separator: "\n").contains { $0.hasPrefix("exit status 2") }, "\(run.stdout)")

        let store = try ResultStore(opening: directory)
        let log = try await store.readTrials()
        #expect(log.corruptLines.isEmpty)
        // The trial running at the SIGINT finishes; no other starts.
        #expect(
            (recordedBeforeSignal...recordedBeforeSignal + 1).contains(log.records.count),
            "\(recordedBeforeSignal) recorded at the signal, \(log.records.count) in the end")
        #expect(log.records.count < 5)
        let summary = try await store.readSummary()
        #expect(summary.scenarios.first?.cells.first?.trials == log.records.count)
        #expect(try await store.readManifest().finishedAt != nil)
        try await expectNoContainers(of: directory.lastPathComponent)

        let resumed = try DindlabChild.start(["run", "--resume", directory.path, "--engine", RealEngine.address!])
        #expect(try await resumed.wait() == 0, "stderr: \(resumed.stderr)")
        let all = try await store.readTrials()
        #expect(all.corruptLines.isEmpty)
        #expect(all.records.map(\.trialID).sorted() == (0..<5).map { "interrupted-c0-t\($0)" }, "every trial once")
        #expect(all.records.allSatisfy { $0.outcome == .pass }, "\(all.records.compactMap(\.signature))")
        #expect(try await store.readSummary().scenarios.first?.cells.first?.passes == 5)
        try await expectNoContainers(of: directory.lastPathComponent)
    }

    /// A run of two trials whose inner command sleeps for ten minutes, started as a child
    /// process, once its first trial's outer container exists.
    struct SleepingRun {
        let workspace: Workspace
        let child: DindlabChild
        let directory: URL
        var runID: String { directory.lastPathComponent }

        static func start(name: String) async throws -> SleepingRun {
            let workspace = try Workspace(
                """
                version: 1
                name: \(name)
                repeat: 2
                timeout: 300s
                outer:
                  image: OUTER_IMAGE
                inner:
                  command: [sleep, "600"]
                """)
            let child = try DindlabChild.start([
                "run", workspace.scenario.path, "--engine", RealEngine.address!, "--out", workspace.out.path,
            ])
            let directory = try await waitFor("the run folder") { try workspace.runDirectory() }
            let runID = directory.lastPathComponent
            try await waitFor("the outer container") {
                try await containers(of: runID).contains { $0.labels?["dindlab.trial"] != nil } ? true : nil
            }
            return SleepingRun(workspace: workspace, child: child, directory: directory)
        }
    }

    @Test("a second SIGINT cancels the running trial at once and still removes its outer container")
    func secondInterrupt() async throws {
        let sleeping = try await SleepingRun.start(name: "cancelled")
        defer { sleeping.workspace.remove() }
        let (run, directory, runID) = (sleeping.child, sleeping.directory, sleeping.runID)
        try await Task.sleep(for: .seconds(3))  // into the daemon or inner phase
        run.signal(SIGINT)
        try await Task.sleep(for: .milliseconds(500))
        run.signal(SIGINT)
        // The trial's own timeout is 300 s; only cancellation ends it within this bound.
        let status = try await run.wait(atMost: .seconds(60))
        #expect(status == 130, "stderr: \(run.stderr)")
        let log = try await ResultStore(opening: directory).readTrials()
        #expect(log.records.isEmpty && log.corruptLines.isEmpty, "a cancelled trial is not recorded")
        try await expectNoContainers(of: runID)
    }

    @Test("SIGKILL mid-run leaves orphans that the next command reports and gc removes: zero labelled containers")
    func killAndCollect() async throws {
        let sleeping = try await SleepingRun.start(name: "killed")
        defer { sleeping.workspace.remove() }
        let (run, runID) = (sleeping.child, sleeping.runID)
        run.signal(SIGKILL)
        _ = try await run.wait()
        #expect(try await containers(of: runID).count >= 1, "SIGKILL gives dindlab no chance to clean up")

        let survey = await OrphanCheck.survey(client: try RealEngine.client(), engineName: "test")
        #expect(
            survey?.runs.contains(runID) == true && survey?.description.contains(runID) == true,
            "\(survey?.description ?? "no warning")")
        let dry = try DindlabChild.start(["gc", "--dry-run", "--engine", RealEngine.address!])
        #expect(try await dry.wait() == 0, "stderr: \(dry.stderr)")
        #expect(dry.stdout.contains("Would remove") && dry.stdout.contains(runID), "\(dry.stdout)")
        #expect(try await containers(of: runID).count >= 1, "a dry run removed something")

        let gc = try DindlabChild.start(["gc", "--engine", RealEngine.address!])
        #expect(try await gc.wait() == 0, "stderr: \(gc.stderr)")
        #expect(gc.stdout.contains("Removed") && gc.stdout.contains(runID), "\(gc.stdout)")
        try await expectNoContainers(of: runID)
    }

    // MARK: Faults inside trials

    @Test(
        "an inner daemon that never gets ready fails in phase daemon at its ready-timeout and is cleaned up; secrets stay out of the artifacts"
    )
    func daemonNeverReady() async throws {
        let secret = "e2e-secret-7d1c44"
        let workspace = try Workspace(
            """
            version: 1
            name: never-ready
            repeat: 1
            timeout: 60s
            outer:
              image: OUTER_IMAGE
              env: {DEPLOY_TOKEN: \(secret)}
            daemon:
              # sh ignores the networking flags dindlab appends; sleep would refuse them and exit.
              command: [sh, -c, "sleep 1000"]
              ready-timeout: 5s
            """)
        defer { workspace.remove() }
        let result = try await runInProcess(workspace)
        let record = try #require(result.records.first)
        #expect(record.outcome == .fail)
        #expect(record.failingPhase == .daemon)
        #expect(record.signature?.contains("ready-timeout") == true, "\(record.signature ?? "")")
        #expect(record.durationSeconds < 40)
        let artifacts = result.directory.appendingPathComponent(try #require(record.artifactsPath))
        let inspect = try String(contentsOf: artifacts.appendingPathComponent("outer-inspect.json"), encoding: .utf8)
        #expect(inspect.contains("DEPLOY_TOKEN=********"))
        for name in try FileManager.default.contentsOfDirectory(atPath: artifacts.path) {
            let text = String(decoding: try Data(contentsOf: artifacts.appendingPathComponent(name)), as: UTF8.self)
            #expect(!text.contains(secret), "\(name) holds the secret")
        }
    }

    @Test("an inner command that floods 50 MB of output: dindlab keeps a capped part and the record says it was cut")
    func outputFlood() async throws {
        let workspace = try Workspace(
            """
            version: 1
            name: flood
            repeat: 1
            timeout: 120s
            outer:
              image: OUTER_IMAGE
            inner:
              # One long line: the inner daemon logs it in 16 kB pieces (50 MB of short lines would
              # take it minutes to log and read back).
              command: [sh, -c, "head -c 52428800 /dev/zero | tr '\\\\0' y; echo; echo done"]
            """)
        defer { workspace.remove() }
        let result = try await runInProcess(workspace, forensicsAlways: true)
        let record = try #require(result.records.first)
        #expect(record.outcome == .pass, "\(record.signature ?? "")")
        #expect(
            record.notes.contains { $0.contains("inner run 1") && $0.contains("Output was cut at 1048576 bytes") },
            "\(record.notes)")
        let steps = result.directory.appendingPathComponent(try #require(record.artifactsPath)).appendingPathComponent(
            "steps.txt")
        let size = try FileManager.default.attributesOfItem(atPath: steps.path)[.size] as? Int ?? 0
        #expect(size < 8 << 20, "steps.txt holds \(size) bytes: the output was not capped")
    }

    @Test(
        "the engine dies mid-run: the trial in flight is an error saying so, no further trial starts, exit 2; once it is back gc clears it and --resume finishes the plan"
    )
    func engineDies() async throws {
        let directory = "/tmp/dindlab-reliability-engine-\(getpid())"
        let engine = SecondEngine(directory: directory)
        try await engine.up()
        defer { engine.downAndRemove() }
        let build = try DindlabChild.start(["images", "build", "bookworm", "--engine", engine.address])
        #expect(try await build.wait(atMost: .seconds(600)) == 0, "building the outer image failed: \(build.stderr)")

        let workspace = try Workspace(
            """
            version: 1
            name: engine-dies
            repeat: 3
            timeout: 90s
            outer:
              image: dindlab/outer:bookworm
            inner:
              command: [sh, -c, "sleep 3; echo ok"]
            """)
        defer { workspace.remove() }
        let plan = try Plan(scenarios: [ScenarioLoader.load(file: workspace.scenario.path)], seed: 1)
        let selection = try EngineSelection.resolve(engine.address)
        let daemonPID = try #require(selection.localDaemonPID, "no engine.json with the daemon's pid")
        // After the first trial, the daemon is killed while the second is in flight.
        let hook = KillAfterFirstTrial(pid: daemonPID)
        let options = RunOptions(
            resultsRoot: workspace.out, commandLine: ["dindlab", "run", workspace.scenario.path],
            engineCallTimeout: .seconds(20))
        let result = try await Runner(engines: [selection], options: options, observer: hook).run(plan: plan)
        #expect(result.records.map(\.outcome) == [.pass, .error], "\(result.records.map { $0.signature ?? "pass" })")
        #expect(
            result.records.last?.signature?.contains("stopped answering") == true,
            "\(result.records.last?.signature ?? "")")
        let report = try await RunReport.load(runDirectory: result.directory, strict: false)
        #expect(report.verdict.exitCode == 2, "\(report.verdict)")
        let log = try await ResultStore(opening: result.directory).readTrials()
        #expect(log.corruptLines.isEmpty && log.records.first?.outcome == .pass)

        // Back up: what the dead engine kept is there, and gc removes it (its run is over).
        try await engine.down()
        try await engine.up()
        let client = EngineClient(address: try EngineAddress(parsing: engine.address))
        let runID = result.manifest.runID.rawValue
        #expect(
            try await client.listContainers(all: true, labels: ["dindlab.run=\(runID)"]).count >= 1,
            "nothing was left to collect")
        let collected = try await GarbageCollector(client: client).collect(.init(runID: runID))
        #expect(collected.failures.isEmpty, "\(collected.failures)")
        #expect(try await client.listContainers(all: true, labels: ["dindlab.run=\(runID)"]).isEmpty)

        // And --resume runs the trial that never started.
        var resumed = options
        resumed.resume = try await ResumePoint.open(result.directory)
        let finished = try await Runner(engines: [try EngineSelection.resolve(engine.address)], options: resumed).run(
            plan: plan)
        #expect(finished.records.map(\.trialID).sorted() == plan.trials.map(\.id).sorted())
        #expect(try await RunReport.load(runDirectory: result.directory, strict: false).missingTrials == 0)
        #expect(try await client.listContainers(all: true, labels: ["dindlab.run=\(runID)"]).isEmpty)
    }

    // MARK: Helpers

    /// Runs a workspace's scenario through the Runner in this process and checks that nothing is left.
    func runInProcess(_ workspace: Workspace, forensicsAlways: Bool = false) async throws -> RunResult {
        let plan = try Plan(scenarios: [ScenarioLoader.load(file: workspace.scenario.path)], seed: 1)
        let result = try await Runner(
            engines: [try EngineSelection.resolve(RealEngine.address)],
            options: RunOptions(resultsRoot: workspace.out, forensicsAlways: forensicsAlways)
        )
        .run(plan: plan)
        try await expectNoContainers(of: result.manifest.runID.rawValue)
        return result
    }
}

/// Kills the engine's daemon with SIGKILL a moment after the first trial ends.
struct KillAfterFirstTrial: RunObserver {
    let pid: Int32

    func runStarted(directory: URL, plan: Plan, engines: [TrialEngine]) async {}

    func trialFinished(_ record: TrialRecord, done: Int, total: Int) async {
        guard done == 1 else { return }
        let pid = pid
        Task.detached {
            try? await Task.sleep(for: .seconds(2))
            kill(pid, SIGKILL)
        }
    }

    func note(_ text: String) async {}
}

/// Containers of a run on the test engine.
func containers(of runID: String) async throws -> [ContainerSummary] {
    try await RealEngine.client().listContainers(all: true, labels: ["dindlab.run=\(runID)"])
}

func expectNoContainers(of runID: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let left = try await containers(of: runID)
    #expect(left.isEmpty, "containers of run \(runID) left behind: \(left.map(\.id))", sourceLocation: sourceLocation)
}

/// The number of lines in a run's trials.jsonl.
func recordCount(_ directory: URL) throws -> Int {
    let data = (try? Data(contentsOf: directory.appendingPathComponent(ResultStore.trialsFileName))) ?? Data()
    return data.count { $0 == UInt8(ascii: "\n") }
}

/// Polls until `probe` returns a value; fails after `limit`.
@discardableResult
func waitFor<T>(_ what: String, atMost limit: Duration = .seconds(120), _ probe: () async throws -> T?) async throws
    -> T
{
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else { throw TestSetupError("\(what) did not appear within \(limit)") }
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// `.build/debug/dindlab` run as a child process, with its output captured in files.
final class DindlabChild: @unchecked Sendable {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../.build/debug/dindlab"
    ).standardizedFileURL

    let process = Process()
    let outputFolder: URL

    static func start(_ arguments: [String]) throws -> DindlabChild {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSetupError("\(binary.path) is missing: build it with `swift build` first")
        }
        return try DindlabChild(arguments)
    }

    private init(_ arguments: [String]) throws {
        outputFolder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: outputFolder.appendingPathComponent("stdout").path, contents: nil)
        _ = FileManager.default.createFile(atPath: outputFolder.appendingPathComponent("stderr").path, contents: nil)
        process.executableURL = Self.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_HOST"] = nil
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: outputFolder.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: outputFolder.appendingPathComponent("stderr"))
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: outputFolder)
    }

    var stdout: String {
        (try? String(contentsOf: outputFolder.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
    }
    var stderr: String {
        (try? String(contentsOf: outputFolder.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the child to end; kills it and throws when it outlives `limit`.
    /// - Returns: Its exit status (128 + the signal when a signal ended it).
    func wait(atMost limit: Duration = .seconds(180)) async throws -> Int32 {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestSetupError(
                    "dindlab \(process.arguments ?? []) did not end within \(limit); stderr: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// A private engine of the test's own, to stop in the middle of a run.
struct SecondEngine {
    let directory: String
    var address: String { "unix://\(directory)/docker.sock" }

    /// Starts the engine. Right after `down` of an engine whose daemon was killed, leftover
    /// containerd processes may still hold its state for a moment (seen once under load: the
    /// new daemon exited with status 1), so a failed start is tried once more, and said.
    func up() async throws {
        var failure = ""
        for attempt in 1...2 {
            let child = try DindlabChild.start(["engine", "up", "--dir", directory])
            if try await child.wait(atMost: .seconds(120)) == 0 { return }
            failure = child.stderr
            if attempt == 1 {
                print("engine up failed, trying once more in 3 s: \(failure)")
                try await Task.sleep(for: .seconds(3))
            }
        }
        throw TestSetupError("engine up failed twice: \(failure)")
    }

    func down() async throws {
        let child = try DindlabChild.start(["engine", "down", "--dir", directory])
        guard try await child.wait(atMost: .seconds(120)) == 0 else {
            throw TestSetupError("engine down failed: \(child.stderr)")
        }
    }

    /// Stops the engine and removes its folder; best effort, for cleanup.
    func downAndRemove() {
        let process = Process()
        process.executableURL = DindlabChild.binary
        process.arguments = ["engine", "down", "--dir", directory]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
