import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation
import Testing

/// The dindlab executable next to the test bundle, for tests of the command line itself.
enum DindlabBinary {
    static let url: URL? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "dindlab"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../.build/debug/dindlab"
            ).standardized,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static let missingReason: Comment =
        "the dindlab executable was not found next to the test bundle (swift build builds it)"

    /// Runs dindlab and returns its exit status and standard output.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await offThePool { try runBlocking(arguments) }
    }

    private static func runBlocking(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// `dindlab compare` on run folders made up from records: many trials, no engine needed.
@Suite(.enabled(if: DindlabBinary.url != nil, DindlabBinary.missingReason))
struct CompareEndToEndTests {
    /// A run folder of two cells whose trials fail at the given rates (deterministically spread).
    static func makeRun(in root: URL, failRates: [String: Double], trials: Int = 60, signature: String) async throws
        -> URL
    {
        let store = try ResultStore(creatingIn: root)
        let start = Date()
        let manifest = RunManifest(
            runID: store.runID, startedAt: start, commandLine: ["dindlab", "run", "made-up.yaml"],
            engines: [.init(name: "default", fingerprint: EngineFingerprint(daemonVersion: "20.10.24"))])
        try await store.writeManifest(manifest)
        var sequence = 0
        for (index, cell) in failRates.keys.sorted().enumerated() {
            let fails = Int((failRates[cell]! * Double(trials)).rounded())
            for n in 0..<trials {
                let failed = n % trials < fails
                try await store.append(
                    TrialRecord(
                        runID: store.runID, trialID: "made-up-c\(index)-t\(n)", sequence: sequence, scenario: "made-up",
                        cellID: "inner.mode=\(cell)",
                        cellValues: CellValues([(key: "inner.mode", value: cell)]), engine: "default",
                        outcome: failed ? .fail : .pass,
                        failingPhase: failed ? .inner : nil, signature: failed ? signature : nil, startedAt: start,
                        finishedAt: start))
                sequence += 1
            }
        }
        return store.directory
    }

    @Test(
        "compare of two runs: a cell whose failure rate went from 0.1 to 0.6 has a small p-value, an unchanged cell does not"
    )
    func rateChange() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-e2e-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let a = try await Self.makeRun(in: root, failRates: ["d": 0.1, "ti": 0.1], signature: "inner: exit status 1")
        let b = try await Self.makeRun(
            in: root, failRates: ["d": 0.1, "ti": 0.6], signature: "inner: umount shm: device or resource busy")
        let markdown = root.appendingPathComponent("compare.md")

        let plain = try await DindlabBinary.run(["compare", a.path, b.path, "--markdown", markdown.path])
        #expect(plain.status == 0)
        #expect(plain.output.contains("1 cell(s) differ significantly"))
        let strict = try await DindlabBinary.run(["compare", a.path, b.path, "--fail-on-difference"])
        #expect(strict.status == 1)

        let table = try String(contentsOf: markdown, encoding: .utf8)
        func row(_ cell: String) throws -> [String] {
            let line = try #require(table.split(separator: "\n").first { $0.hasPrefix("| inner.mode=\(cell) |") })
            return line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
        // | cell | A n | A rate | B n | B rate | Δ | p | p (Holm) | mark |
        let changed = try row("ti")
        let steady = try row("d")
        #expect(try #require(Double(changed[7])) < 1e-6)
        #expect(changed[9] == "*")
        #expect(try #require(Double(steady[7])) > 0.5)
        #expect(steady[9] == "")
        #expect(table.contains("only in \(b.lastPathComponent): 36× `inner: umount shm: device or resource busy`"))
    }

    @Test("compare --by a key that is not in the run fails with the keys there are")
    func unknownKey() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-e2e-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try await Self.makeRun(in: root, failRates: ["d": 0.1, "ti": 0.5], trials: 20, signature: "inner: x")
        #expect(try await DindlabBinary.run(["compare", run.path, "--by", "outer.image"]).status == 2)
        let byMode = try await DindlabBinary.run(["compare", run.path, "--by", "inner.mode"])
        #expect(byMode.status == 0)
        #expect(byMode.output.contains("baseline inner.mode=d"))
    }
}

/// A run over two private engines that differ in their settings: trials are tallied per
/// engine, and `fingerprint diff` names the lines that differ.
@Suite(.enabled(if: RealEngine.canRunTrials, RealEngine.noOuterImageReason), .serialized)
struct CompareEnginesEndToEndTests {
    /// Starts a second private engine whose daemon sits in its own cgroup (as the field
    /// report's kubelet-started daemon did) and whose containers go under another cgroup
    /// parent, and gives it the outer image exported from the test engine.
    static func secondEngine(directory: String) async throws -> EngineRecord {
        let engines = PrivateEngine()
        let name = "e2e-b-\(getpid())"
        var record: EngineRecord?
        var failures: [String] = []
        for placement in ["freezer:/\(name)", "unified:/\(name)"] {
            do {
                let options = PrivateEngine.Options(
                    cgroupParent: "/dindlab-b", cgroups: [try CgroupPlacement(parsing: placement)])
                record = try await engines.up(name: name, dir: directory, options: options)
                break
            } catch {
                failures.append("\(placement): \(error)")
                _ = try? await engines.down(name: name, dir: directory)
            }
        }
        guard let record else {
            throw TestSetupError("the second private engine did not start: \(failures.joined(separator: "; "))")
        }
        let tar = URL(fileURLWithPath: directory).appendingPathComponent("outer.tar")
        defer { try? FileManager.default.removeItem(at: tar) }
        try await RealEngine.client(timeout: .seconds(300)).exportImage(
            reference: RealEngine.outerImage!, to: tar, timeout: .seconds(300))
        let second = try EngineClient(explicitAddress: record.dockerHost, environment: [:], timeout: .seconds(300))
        _ = try await second.loadImage(tarFile: tar, timeout: .seconds(300))
        return record
    }

    @Test("a run over two engines tallies per engine; fingerprint diff names the daemon cgroup lines that differ")
    func twoEngines() async throws {
        let directory = "/tmp/dindlab-e2e-b-\(getpid())"
        let record = try await Self.secondEngine(directory: directory)
        do {
            try await check(second: record)
        } catch {
            await Self.stop(directory: directory)
            throw error
        }
        await Self.stop(directory: directory)
    }

    static func stop(directory: String) async {
        _ = try? await PrivateEngine().down(name: "e2e-b-\(getpid())", dir: directory)
        try? FileManager.default.removeItem(atPath: directory)
        // The engine's containers went under /dindlab-b; docker leaves the parent behind.
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            rmdir("/sys/fs/cgroup/\(hierarchy)/dindlab-b")
        }
    }

    func check(second: EngineRecord) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-e2e-engines-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("two.yaml")
        try """
        version: 1
        name: two-engines
        repeat: 4
        timeout: 120s
        outer:
          image: \(RealEngine.outerImage!)
        inner:
          command: [sh, -c, "echo ok"]
          expect-output: "^ok"
        """.write(to: file, atomically: true, encoding: .utf8)
        let plan = try Plan(scenarios: [try ScenarioLoader.load(file: file.path)], seed: 5)
        let engines = [
            try EngineSelection.resolve("a=\(RealEngine.address!)"),
            try EngineSelection.resolve("b=\(second.dockerHost)"),
        ]
        let result = try await Runner(
            engines: engines, options: RunOptions(jobs: 2, resultsRoot: folder.appendingPathComponent("results"))
        ).run(plan: plan)

        // Tallied per engine: the cell twice, two trials each.
        let cells = try #require(result.summary.scenarios.first?.cells)
        #expect(cells.map(\.engine).sorted() == ["a", "b"])
        #expect(
            cells.allSatisfy { $0.trials == 2 && $0.passes == 2 },
            "\(result.records.map { "\($0.engine) \($0.outcome) \($0.signature ?? "")" })")
        #expect(result.manifest.engines.map(\.name) == ["a", "b"])

        // The engines' fingerprints differ in the daemons' own cgroup lines.
        let diff = FingerprintDiff(result.manifest.engines.map { ($0.name, $0.fingerprint) })
        #expect(diff.differing.contains { $0.name.hasPrefix("daemon cgroup") }, "\(diff.rendered)")
        let fromRun = try await DindlabBinary.run(["fingerprint", "diff", result.directory.path])
        #expect(fromRun.status == 1)
        #expect(fromRun.output.contains("daemon cgroup"))
        let live = try await DindlabBinary.run([
            "fingerprint", "diff", "--engine", "a=\(RealEngine.address!)", "--engine", "b=\(second.dockerHost)",
        ])
        #expect(live.status == 1)
        #expect(live.output.contains("daemon cgroup"))
        let same = try await DindlabBinary.run([
            "fingerprint", "diff", "--engine", "a=\(RealEngine.address!)", "--engine", "again=\(RealEngine.address!)",
        ])
        #expect(same.status == 0, "\(same.output)")

        // compare --by engine reads the same run.
        let byEngine = try await DindlabBinary.run(["compare", result.directory.path, "--by", "engine"])
        #expect(byEngine.status == 0)
        #expect(byEngine.output.contains("engine=b"))

        for engine in engines {
            let left = try await EngineClient(address: engine.address).listContainers(
                all: true, labels: ["dindlab.run=\(result.manifest.runID)"])
            #expect(left.isEmpty, "containers left on \(engine.name)")
        }
    }
}
