import DockerEngine
import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// The runner under faults, against the in-process fake engine: hung calls, a vanished
/// engine, cancellation, interruption and resume.
@Suite("Reliability: the runner under faults (fake engine)")
struct ReliabilityRunnerTests {
    @Test("on the fake engine every trial passes, so the faults below are what fails them")
    func baseline() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let file = try fake.scenarioFile()
            let result = try await fake.run(try fake.plan(file), file: file)
            #expect(
                result.records.map(\.outcome) == [.pass, .pass, .pass], "\(result.records.map { $0.signature ?? "" })")
            #expect(try await OwnedContainer.list(on: EngineClient(address: try fake.selection.address)).isEmpty)
        }
    }

    @Test(
        "without keepRecords (dindlab run) no record stays in memory; the count, summary and trials.jsonl are the same")
    func recordsNotKept() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            // The second trial fails: its artifacts make it a record the forensics cross-reference needs.
            func failingSecond() {
                let calls = Counter()
                fake.setInnerRun { _ in
                    calls.next() == 2 ? ScriptedProcess(stdout: "", stderr: "inner run broke", exitCode: 3) : nil
                }
            }
            let file = try fake.scenarioFile(repeatCount: 4)
            let plan = try fake.plan(file)
            failingSecond()
            let kept = try await fake.run(plan, file: file, resultsRoot: fake.folder.appendingPathComponent("kept"))
            failingSecond()
            let lean = try await fake.run(plan, file: file, resultsRoot: fake.folder.appendingPathComponent("lean")) {
                $0.keepRecords = false
            }
            #expect(lean.records.isEmpty)
            #expect(lean.recordCount == 4 && kept.recordCount == 4 && kept.records.count == 4)
            // The same counts and signatures (phase times differ from run to run).
            func counts(_ result: RunResult) -> [String] {
                result.summary.scenarios.flatMap(\.cells).map { cell in
                    "\(cell.cellID) \(cell.trials) \(cell.passes) \(cell.fails) \(cell.signatures.map { "\($0.count)× \($0.signature)" })"
                }
            }
            #expect(counts(lean) == counts(kept))
            #expect(lean.summary.scenarios.first?.cells.first?.fails == 1)
            let written = try await ResultStore(opening: lean.directory).readTrials().records
            let writtenOutcomes: [String] = written.map(\.outcome.rawValue).sorted()
            let keptOutcomes: [String] = kept.records.map(\.outcome.rawValue).sorted()
            #expect(writtenOutcomes == keptOutcomes)
        }
    }

    @Test("an engine call that hangs ends its trial as an error naming the call; the run goes on")
    func hungCall() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let file = try fake.scenarioFile(timeout: "60s")
            // After the privilege probe (which creates containers too), the next create hangs once.
            let hook = TrialHook(onStart: { engine.setFault(.hang, forPathContaining: "/containers/create", times: 1) })
            let result = try await fake.run(try fake.plan(file), file: file, observer: hook) {
                $0.engineCallTimeout = .seconds(1)
            }
            #expect(result.records.map(\.outcome) == [.error, .pass, .pass])
            let hung = try #require(result.records.first)
            #expect(hung.failingPhase == .outer)
            #expect(
                hung.signature?.contains("POST") == true && hung.signature?.contains("/containers/create") == true,
                "\(hung.signature ?? "")")
            #expect(hung.signature?.contains("timed out") == true, "\(hung.signature ?? "")")
            #expect(hung.durationSeconds < 30, "the hung call used up the trial's timeout instead of the call's")
        }
    }

    @Test(
        "an engine that goes away mid-run: the trial in flight is an error saying so, no further trial starts, what finished is kept, exit 2"
    )
    func engineGone() async throws {
        let engine = try FakeEngine.start(.docker26)
        defer { engine.stop() }
        let fake = try ReliabilityFakeRun(engine: engine)
        defer { fake.removeFolder() }
        let innerRuns = Counter()
        // The second inner run is in flight (its output stream open) when the engine stops.
        fake.setInnerRun { _ in
            guard innerRuns.next() == 2 else { return nil }
            Task.detached {
                try? await Task.sleep(for: .milliseconds(300))
                engine.stop()
            }
            return ScriptedProcess(stdout: "started\n", runningFor: .seconds(20))
        }
        let file = try fake.scenarioFile()
        let result = try await fake.run(try fake.plan(file), file: file)
        #expect(result.records.map(\.outcome) == [.pass, .error])
        #expect(
            result.records.last?.signature?.contains("stopped answering") == true,
            "\(result.records.last?.signature ?? "")")
        #expect(result.skippedTrials == 1)
        let log = try await ResultStore(opening: result.directory).readTrials()
        #expect(log.corruptLines.isEmpty)
        #expect(log.records.map(\.outcome) == [.pass, .error])
        let report = try await RunReport.load(runDirectory: result.directory, strict: false)
        #expect(report.verdict.exitCode == 2, "\(report.verdict)")
        #expect(report.missingTrials == 1)
    }

    @Test(
        "cancelling a run (a second SIGINT) ends running trials at once, records none of them, and removes their containers"
    )
    func cancellation() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            // Inner runs stream for ten minutes: only cancellation ends them in time.
            let streaming = Counter()
            fake.setInnerRun { _ in
                _ = streaming.next()
                return ScriptedProcess(stdout: "running\n", runningFor: .seconds(600))
            }
            let file = try fake.scenarioFile(repeatCount: 2, timeout: "900s")
            let plan = try fake.plan(file)
            let interruption = RunInterruption()
            let run = Task { try await fake.run(plan, file: file) { $0.interruption = interruption } }
            // Wait until the first inner run streams, then escalate twice as two SIGINTs do.
            try await waitUntil(.seconds(120)) { streaming.value >= 1 }
            try await Task.sleep(for: .milliseconds(200))
            interruption.requestStop(signal: SIGINT)
            interruption.escalate(signal: SIGINT)
            run.cancel()
            let result = try await run.value
            #expect(result.records.isEmpty)
            #expect(result.interruptedBy == SIGINT)
            #expect(result.skippedTrials == 2)
            #expect(try await OwnedContainer.list(on: EngineClient(address: try fake.selection.address)).isEmpty)
            #expect(
                try await ResultStore(opening: result.directory).readSummary().scenarios.allSatisfy {
                    $0.cells.allSatisfy { $0.trials == 0 }
                })
        }
    }

    @Test(
        "a stop request (a first SIGINT) lets the running trial finish and starts no other; resume runs exactly the rest"
    )
    func stopAndResume() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let file = try fake.scenarioFile(name: "resumable", repeatCount: 3, extra: "matrix:\n  inner.mode: [d, ti]")
            let plan = try fake.plan(file, seed: 99)
            let interruption = RunInterruption()
            let hook = TrialHook(onTrial: { _, done in if done == 2 { interruption.requestStop(signal: SIGTERM) } })
            let request = RunRequest(scenarioFiles: [file], seed: 99, forensics: .always, jobs: 1, engines: ["first"])
            // The stop comes with a record; an overlapped removal would have started the next trial.
            let first = try await fake.run(plan, file: file, observer: hook) {
                $0.interruption = interruption
                $0.request = request
                $0.overlapsCleanup = false
            }
            #expect(first.records.count == 2)
            #expect(first.interruptedBy == SIGTERM)
            #expect(first.skippedTrials == plan.trials.count - 2)
            #expect(first.records.map(\.trialID) == plan.trials.prefix(2).map(\.id))

            let point = try await ResumePoint.open(first.directory)
            #expect(point.recordedTrialIDs == Set(first.records.map(\.trialID)))
            // The manifest holds the request as values: resuming rebuilds the same plan from it,
            // with the engines and jobs given again.
            #expect(point.manifest.request == request)
            let resumed = RunRequest(scenarioFiles: [], strict: true, jobs: 3, engines: ["second"]).resuming(point)
            var expected = request
            (expected.jobs, expected.engines, expected.strict) = (3, ["second"], true)
            #expect(resumed == expected)
            #expect(try resumed?.plan().trials.map(\.id) == plan.trials.map(\.id))
            try point.checkScenarioFiles()
            engine.clearRequests()
            let second = try await fake.run(plan, file: file) { $0.resume = point }
            #expect(second.directory == first.directory)
            #expect(second.interruptedBy == nil)
            // Exactly the missing trials got an outer container.
            #expect(createdTrialIDs(engine).sorted() == plan.trials.dropFirst(2).map(\.id).sorted())
            let log = try await ResultStore(opening: second.directory).readTrials()
            #expect(log.corruptLines.isEmpty)
            #expect(
                log.records.map(\.trialID).sorted() == plan.trials.map(\.id).sorted(), "every trial once, none twice")
            #expect(Set(log.records.dropFirst(2).map(\.trialID)) == Set(plan.trials.dropFirst(2).map(\.id)))
            #expect(second.summary.scenarios.first?.cells.map(\.trials).reduce(0, +) == plan.trials.count)
            let manifest = try await ResultStore(opening: second.directory).readManifest()
            #expect(manifest.finishedAt != nil)
            #expect(manifest.runID == first.manifest.runID)
        }
    }

    @Test("resume refuses a run whose scenario file changed, naming the file")
    func resumeRefusesChangedScenario() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let file = try fake.scenarioFile(repeatCount: 1)
            let result = try await fake.run(try fake.plan(file), file: file)
            try "# edited\n".appendLine(to: file)
            let point = try await ResumePoint.open(result.directory)
            let error = #expect(throws: ResumeError.self) { try point.checkScenarioFiles() }
            #expect(error?.description.contains(file) == true)
            #expect(error?.description.contains("changed since the run read it") == true)
        }
    }

    @Test("a corrupt last line (a crash while writing) counts as not run: resume runs that trial again")
    func resumeAfterTornLine() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let file = try fake.scenarioFile(repeatCount: 2)
            let plan = try fake.plan(file)
            let interruption = RunInterruption()
            let hook = TrialHook(onTrial: { _, _ in interruption.requestStop() })
            let first = try await fake.run(plan, file: file, observer: hook) {
                $0.interruption = interruption
                $0.overlapsCleanup = false
            }
            #expect(first.records.count == 1)
            let trials = first.directory.appendingPathComponent(ResultStore.trialsFileName)
            let handle = try FileHandle(forWritingTo: trials)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(#"{"runID":"\#(first.manifest.runID)","trialID":"fake-c0-t1","seq"#.utf8))
            try handle.close()

            let point = try await ResumePoint.open(first.directory)
            #expect(point.corruptLines.map(\.lineNumber) == [2])
            let second = try await fake.run(plan, file: file) { $0.resume = point }
            let log = try await ResultStore(opening: second.directory).readTrials()
            #expect(log.records.map(\.trialID).sorted() == plan.trials.map(\.id).sorted())
            #expect(log.corruptLines.map(\.lineNumber) == [2], "the torn line is still reported, by its number")
        }
    }
}

/// The `dindlab.trial` labels of the containers created since the requests were cleared.
func createdTrialIDs(_ engine: FakeEngine) -> [String] {
    engine.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/containers/create") }.compactMap { request in
        let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
        return (object?["Labels"] as? [String: String])?[Ownership.trialLabel]
    }
}

/// A thread-safe counter for scripted processes, which run on the fake engine's threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// The count so far.
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    /// Counts one more and returns the new count (1 for the first).
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}

/// Polls until `condition` holds; fails the test after `limit`.
func waitUntil(_ limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            throw TestWaitError(description: "the condition did not hold within \(limit)")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct TestWaitError: Error, CustomStringConvertible {
    var description: String
}

extension String {
    /// Appends this text to a file.
    func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
        try handle.close()
    }
}
