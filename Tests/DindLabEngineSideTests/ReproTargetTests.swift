import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

@Suite("Repro: the cell, the stop condition and the report")
struct ReproTargetTests {
    static func scenario(matrix: String = "") throws -> Scenario {
        try ScenarioLoader.load(
            yaml: """
                version: 1
                name: flaky
                outer:
                  image: dindlab/outer:bookworm
                \(matrix)
                """, file: "flaky.yaml")
    }

    static let twoKeys = """
        matrix:
          daemon.start: [cmd, exec]
          inner.command: [[sh, -c, "echo ok"], [sh, -c, "exit 1"]]
        """

    @Test("a scenario of one cell needs no --cell")
    func single() throws {
        let (cell, filters) = try ReproTarget.select(in: Self.scenario(), cell: nil)
        #expect(cell.id == "default" && filters.isEmpty)
    }

    @Test("a scenario of several cells without --cell is an error that lists the cells")
    func required() throws {
        let scenario = try Self.scenario(matrix: Self.twoKeys)
        #expect(throws: ReproError.cellRequired(scenario: "flaky", cells: scenario.cells().map(\.id))) {
            try ReproTarget.select(in: scenario, cell: nil)
        }
        let message = ReproError.cellRequired(scenario: "flaky", cells: scenario.cells().map(\.id)).description
        #expect(message.contains("has 4 cells"))
        // with --cell: FrontendTests
        #expect(message.contains("\n  daemon.start=exec,inner.command=[sh, -c, \"echo ok\"]"))
    }

    @Test("--cell takes the id as plan prints it, values with commas included")
    func byID() throws {
        let scenario = try Self.scenario(matrix: Self.twoKeys)
        for cell in scenario.cells() {
            #expect(try ReproTarget.select(in: scenario, cell: cell.id).cell == cell)
        }
        #expect(
            ReproTarget.split(
                "daemon.start=exec,inner.command=[sh, -c, \"a,b\"]", keys: ["daemon.start", "inner.command"])
                == ["daemon.start=exec", "inner.command=[sh, -c, \"a,b\"]"])
    }

    @Test("--cell that leaves several cells, or none, is an error")
    func ambiguous() throws {
        let scenario = try Self.scenario(matrix: Self.twoKeys)
        #expect(throws: ReproError.self) { try ReproTarget.select(in: scenario, cell: "daemon.start=exec") }
        do {
            _ = try ReproTarget.select(in: scenario, cell: "daemon.start=exec")
        } catch {
            #expect(error.description.contains("leaves 2 cells"))
        }
        do {
            _ = try ReproTarget.select(in: scenario, cell: "daemon.start=kubelet")
            Issue.record("a value the matrix never takes selected a cell")
        } catch {
            #expect(error.description.contains("selects no cell of the scenario flaky"))
            #expect(error.description.contains("\n  daemon.start=cmd,"))  // with --cell: FrontendTests
        }
    }

    static func record(_ n: Int, _ outcome: TrialOutcome, signature: String? = nil, firstError: String? = nil)
        -> TrialRecord
    {
        TrialRecord(
            runID: RunID("20261129T112233Z-ab12")!, trialID: "flaky-c0-t\(n)", sequence: n, scenario: "flaky",
            cellID: "default",
            cellValues: [:], engine: "default", outcome: outcome, failingPhase: outcome == .pass ? nil : .inner,
            signature: signature, firstError: firstError, startedAt: Date(), finishedAt: Date(),
            artifactsPath: outcome == .pass ? nil : "artifacts/flaky-c0-t\(n)")
    }

    @Test(
        "the stop condition: any failure or timeout, or one whose signature or first error matches; errors end the repro without being it"
    )
    func stop() throws {
        let umount = Self.record(
            1, .fail, signature: "inner: umount shm: device or resource busy",
            firstError: "umount shm: device or resource busy")
        let other = Self.record(2, .fail, signature: "daemon: failed to start daemon")
        let timeout = Self.record(3, .timeout, signature: "inner: timed out")
        let error = Self.record(4, .error, signature: "outer: engine gone")
        let pass = Self.record(0, .pass)
        #expect(
            [pass, umount, other, timeout, error].map(ReproStop.anyFailure.isSought) == [
                false, true, true, true, false,
            ])
        let shm = try ReproStop(signatureMatching: "^inner: umount (shm|mqueue)")
        #expect([pass, umount, other, timeout, error].map(shm.isSought) == [false, true, false, false, false])
        #expect([pass, umount, other, timeout, error].map(shm.ends(after:)) == [false, true, false, false, true])
        #expect(try ReproStop(signatureMatching: "device or resource").isSought(umount))
        #expect(throws: ReproError.self) { try ReproStop(signatureMatching: "(unclosed") }
    }

    func outcome(_ records: [TrialRecord], stop: ReproStop = .anyFailure, kept: [KeptContainer] = []) -> ReproOutcome {
        let summary = RunSummary(runID: RunID("20261129T112233Z-ab12")!, tally: Tally(records: records))
        let manifest = RunManifest(runID: RunID("20261129T112233Z-ab12")!, startedAt: Date(), commandLine: [])
        let run = RunResult(
            directory: URL(fileURLWithPath: "/results/20261129T112233Z-ab12"), records: records,
            recordCount: records.count, summary: summary, manifest: manifest, skippedTrials: 0)
        let cell = Cell(index: 0, values: [], scenario: try! Self.scenario())
        return ReproOutcome(run: run, cell: cell, stop: stop, maxTrials: 100, kept: kept)
    }

    @Test("a failure found: which trial, after how many, its first error, signature and artifacts; exit status 1")
    func found() {
        // With --jobs 2, trial 3 failed while trial 4 was running; trial 4 finished first.
        let records = [
            Self.record(0, .pass), Self.record(1, .pass), Self.record(2, .pass), Self.record(4, .pass),
            Self.record(3, .fail, signature: "inner: exit status 1", firstError: "unlucky"),
        ]
        let result = outcome(records)
        #expect(result.failure?.trialID == "flaky-c0-t3")
        #expect(result.trialsTaken == 4)
        #expect(result.exitCode == 1)
        let text = result.rendered
        #expect(
            text.contains(
                "Reproduced the first failure after 4 trials of cell default of scenario flaky: trial flaky-c0-t3 failed in phase inner."
            ))
        #expect(text.contains("first error: unlucky"))
        #expect(text.contains("signature:   inner: exit status 1"))
        #expect(text.contains("artifacts:   /results/20261129T112233Z-ab12/artifacts/flaky-c0-t3/"))
        #expect(text.contains("1 trial was already running and finished too: 1 pass."))
    }

    @Test("none failed: exit status 0 and the bound on the failure rate; a harness error: exit status 2")
    func notFound() {
        let passes = (0..<20).map { Self.record($0, .pass) }
        let result = outcome(passes)
        #expect(result.failure == nil && result.exitCode == 0)
        #expect(
            result.rendered.contains(
                "No trial of cell default of scenario flaky met the first failure in 20 trials: all passed, so its failure rate is below 16.1% (95% confidence)."
            ))
        let other = outcome(
            passes + [Self.record(20, .fail, signature: "daemon: x")],
            stop: try! ReproStop(signatureMatching: "^inner:"))
        #expect(other.exitCode == 0)
        #expect(other.rendered.contains("Other failures: 1× daemon: x"))
        let broken = outcome([Self.record(0, .error, signature: "outer: engine gone", firstError: "engine gone")])
        #expect(broken.exitCode == 2)
        #expect(broken.rendered.contains("stopped at a harness or engine error in trial flaky-c0-t0"))
    }

    @Test("a kept container comes with the exact docker commands to enter it and read the inner daemon")
    func kept() {
        let container = KeptContainer(
            id: "17053f9ab4cd" + String(repeating: "0", count: 52), trialID: "flaky-c0-t1", engineName: "default",
            engineAddress: "unix:///tmp/dl/docker.sock")
        #expect(
            container.enterCommand == ["docker", "-H", "unix:///tmp/dl/docker.sock", "exec", "-it", container.id, "sh"])
        #expect(container.innerInfoCommand.suffix(3) == [container.id, "docker", "info"])
        #expect(container.innerLogCommand.suffix(2) == ["cat", "/dindlab/run/daemon.log"])
        let text = outcome([Self.record(0, .fail)], kept: [container]).rendered
        #expect(
            text.contains(
                "The outer container 17053f9ab4cd of trial flaky-c0-t1 is still running on engine default, labelled dindlab.kept=true"
            ))
        #expect(text.contains("docker -H unix:///tmp/dl/docker.sock exec -it \(container.id) sh"))
        let tls = KeptContainer.tlsArguments(TLSConfigurationFixture.value)
        #expect(
            tls == ["--tlsverify", "--tlscacert", "/c/ca.pem", "--tlscert", "/c/cert.pem", "--tlskey", "/c/key.pem"])
    }
}

enum TLSConfigurationFixture {
    static let value = TLSConfiguration(
        caCertificatePath: "/c/ca.pem", certificatePath: "/c/cert.pem", keyPath: "/c/key.pem", verifyPeer: true)
}
