import DockerEngine
import FakeEngine
import Foundation

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// Runs plans through the real `Runner` against the in-process fake engine, whose scripted
/// processes make every trial pass unless a test sets faults or its own program.
struct ReliabilityFakeRun {
    static let image = "dindlab/outer:fake"

    let engine: FakeEngine
    let folder: URL

    init(engine: FakeEngine) throws {
        self.engine = engine
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-reliability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        engine.addImage(
            Self.image, labels: ["dindlab.daemon.command": #"["dockerd"]"#, "dindlab.docker.version": "26.1.5"])
        setInnerRun { _ in nil }
    }

    /// Scripts the processes: outer containers idle (their command ends in the idle loop),
    /// inner runs (an exec whose script runs `docker run`) do what `innerRun` returns
    /// (nil: exit 0 at once), everything else exits 0 at once.
    func setInnerRun(_ innerRun: @escaping @Sendable (_ tty: Bool) -> ScriptedProcess?) {
        engine.setProgram { command, tty in
            let script = command.last ?? ""
            if script.contains(OuterScripts.idleLoop) { return ScriptedProcess(runningFor: .seconds(3600)) }
            if script.contains("docker run"), let process = innerRun(tty) { return process }
            return ScriptedProcess.defaultProgram(command, tty: tty)
        }
    }

    var selection: EngineSelection {
        get throws { try EngineSelection.resolve(engine.address, environment: [:]) }
    }

    /// A scenario file in the test's folder; returns its path.
    func scenarioFile(
        name: String = "fake", repeatCount: Int = 3, timeout: String = "30s", isolation: String = "trial",
        extra: String = ""
    ) throws -> String {
        let file = folder.appendingPathComponent("\(name).yaml")
        try """
        version: 1
        name: \(name)
        repeat: \(repeatCount)
        timeout: \(timeout)
        isolation: \(isolation)
        outer:
          image: \(Self.image)
        \(extra)
        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func plan(_ file: String, seed: UInt64 = 11) throws -> Plan {
        try Plan(scenarios: [ScenarioLoader.load(file: file)], seed: seed)
    }

    /// Runs the plan with the given options changes; results go under the test's folder.
    func run(
        _ plan: Plan, file: String, resultsRoot: URL? = nil, observer: (any RunObserver)? = nil,
        configure: (inout RunOptions) -> Void = { _ in }
    ) async throws -> RunResult {
        var options = RunOptions(
            resultsRoot: resultsRoot ?? folder.appendingPathComponent("results"), commandLine: ["dindlab", "run", file])
        configure(&options)
        return try await Runner(engines: [try selection], options: options, observer: observer).run(plan: plan)
    }

    func removeFolder() {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// An observer that calls back as trials finish, to act in the middle of a run.
struct TrialHook: RunObserver {
    var onStart: @Sendable () async -> Void = {}
    var onTrial: @Sendable (TrialRecord, Int) async -> Void = { _, _ in }

    func runStarted(directory: URL, plan: Plan, engines: [TrialEngine]) async { await onStart() }
    func trialFinished(_ record: TrialRecord, done: Int, total: Int) async { await onTrial(record, done) }
    func note(_ text: String) async {}
}
