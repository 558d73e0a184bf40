import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

/// `dindlab report`, `dindlab merge` and `run --shard` through the executable, on run folders
/// made up from records (no engine needed): exit statuses, files and messages.
@Suite(.enabled(if: CommandLine.binaryExists, "the dindlab executable is not built (swift build)"))
struct ReportCommandLineTests {
    /// Two cells, 3 trials each: `inner.mode=d` passes, `inner.mode=ti` fails, against `>= 0.5`.
    static let scenario = """
        version: 1
        name: cli
        repeat: 3
        outer: {image: dindlab/outer:bookworm}
        expect: {success-rate: ">= 0.5"}
        matrix:
          inner.mode: [ti, d]

        """

    /// Writes run folders for `plan` or its shards, as the runner would.
    static func writeRun(_ plan: Plan, file: URL, in root: URL) async throws -> URL {
        let store = try ResultStore(creatingIn: root)
        var manifest = RunManifest(
            runID: store.runID, startedAt: Date(), commandLine: ["dindlab", "run"], plan: plan,
            scenarioFiles: [try RunManifest.ScenarioFile(reading: file)],
            engines: [.init(name: "default", fingerprint: EngineFingerprint(daemonVersion: "20.10.24"))])
        manifest.finishedAt = Date()
        try await store.writeManifest(manifest)
        for trial in plan.trials {
            let failed = trial.cell.id == "inner.mode=ti"
            try await store.append(
                TrialRecord(
                    runID: store.runID, trialID: trial.id, sequence: trial.sequence, scenario: trial.scenarioName,
                    cellID: trial.cell.id,
                    cellValues: CellValues(trial.cell.values.map { ($0.key, $0.value) }), engine: "default",
                    outcome: failed ? .fail : .pass,
                    failingPhase: failed ? .inner : nil,
                    signature: failed ? "inner: the input device is not a TTY" : nil,
                    startedAt: Date(), finishedAt: Date()))
        }
        return store.directory
    }

    func scenarioFile(in root: URL) throws -> (URL, Plan) {
        let file = root.appendingPathComponent("cli.yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        return (file, try Plan(scenarios: [try ScenarioLoader.load(file: file.path)], seed: 9))
    }

    @Test("report rebuilds the files, prints the table and exits 1 for a failed expectation")
    func report() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-report-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let (file, plan) = try scenarioFile(in: root)
        let run = try await Self.writeRun(plan, file: file, in: root.appendingPathComponent("results"))
        let junit = root.appendingPathComponent("ci/junit.xml")

        let result = try await CommandLine.run(["report", run.path, "--junit", junit.path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("inner.mode=ti  3  0     3"), "\(result.stdout)")
        #expect(result.stdout.contains("exit status 1: 1 cell failed its expectation"))
        #expect(FileManager.default.fileExists(atPath: junit.path))
        for name in ["summary.json", "summary.md", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "\(name) missing")
        }

        let missing = try await CommandLine.run(["report", root.appendingPathComponent("nothing").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("is not a run's results directory"), "\(missing.stderr)")
    }

    @Test("merge combines shards (exit as the verdict) and refuses shards of another plan (exit 2)")
    func merge() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-merge-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let (file, plan) = try scenarioFile(in: root)
        var shards: [String] = []
        for index in 1...3 {
            shards.append(
                try await Self.writeRun(
                    try plan.shard(index, of: 3), file: file, in: root.appendingPathComponent("shard-\(index)")
                ).path)
        }
        let merged = try await CommandLine.run(
            ["merge"] + shards + ["--out", root.appendingPathComponent("merged/nightly-9").path])
        #expect(merged.status == 1, "\(merged.stdout)\(merged.stderr)")
        #expect(merged.stdout.contains("Merged 6 trials from 3 runs"))
        #expect(
            FileManager.default.fileExists(atPath: root.appendingPathComponent("merged/nightly-9/report.html").path))

        let other = try await Self.writeRun(
            try Plan(scenarios: plan.scenarios.map(\.scenario), seed: 10).shard(2, of: 3), file: file,
            in: root.appendingPathComponent("other"))
        let refused = try await CommandLine.run([
            "merge", shards[0], other.path, "--out", root.appendingPathComponent("merged/bad").path,
        ])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("different seeds"), "\(refused.stderr)")
    }

    @Test("run --shard without --seed is refused before anything runs")
    func shardNeedsSeed() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-shard-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let (file, _) = try scenarioFile(in: root)
        let result = try await CommandLine.run(["run", file.path, "--shard", "1/3", "--out", root.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--shard needs --seed"), "\(result.stderr)")
        let bad = try await CommandLine.run(["run", file.path, "--shard", "3/2", "--seed", "1", "--out", root.path])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("expected K/N with 1 <= K <= N"), "\(bad.stderr)")
    }
}
