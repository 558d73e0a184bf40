import DindLabCore
import DockerEngine
import Foundation
import Testing

@testable import DindLabEngines
@testable import DindLabRunner

/// Trials against a real engine and the bookworm outer image: the runner's contract from
/// end to end. Each test checks that no container with the run's labels is left.
@Suite(.enabled(if: RealEngine.canRunTrials, RealEngine.noOuterImageReason), .serialized)
struct RunnerEndToEndTests {
    /// Runs a scenario given as YAML (the outer image is filled in) and returns the result.
    /// With `keepFailed`, failed trials' outer containers stay; the caller removes them.
    func run(
        _ yaml: String, jobs: Int = 1, seed: UInt64 = 7, repeatCount: Int? = nil, forensicsAlways: Bool = false,
        keepFailed: Bool = false
    ) async throws -> RunResult {
        let text = yaml.replacingOccurrences(of: "OUTER_IMAGE", with: RealEngine.outerImage!)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("scenario.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let scenario = try ScenarioLoader.load(file: file.path)
        let plan = try Plan(scenarios: [scenario], repeatOverride: repeatCount, seed: seed)
        let selection = try EngineSelection.resolve(RealEngine.address)
        let result = try await Runner(
            engines: [selection],
            options: RunOptions(
                jobs: jobs, resultsRoot: folder.appendingPathComponent("results"), forensicsAlways: forensicsAlways,
                keepFailed: keepFailed)
        ).run(plan: plan)
        if !keepFailed { try await expectNothingLeft(of: result) }
        return result
    }

    /// Checks that no container of the run is left on the engine.
    func expectNothingLeft(of result: RunResult) async throws {
        let client = try RealEngine.client()
        let left = try await client.listContainers(all: true, labels: ["dindlab.run=\(result.manifest.runID)"])
        #expect(left.isEmpty, "containers left behind: \(left.map(\.id))")
    }

    func cell(_ result: RunResult, _ id: String = "default") throws -> CellTally {
        try #require(result.summary.scenarios.first?.cells.first { $0.cellID == id }, "no cell \(id)")
    }

    @Test("the smoke scenario passes")
    func smoke() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Scenarios/smoke.yaml")
        let yaml = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(
            of: "dindlab/outer:bookworm", with: "OUTER_IMAGE")
        let result = try await run(yaml, repeatCount: 2)
        let tally = try cell(result)
        #expect(tally.passes == 2, "\(result.records.map { $0.signature ?? "" })")
        #expect(result.records.allSatisfy { $0.phaseDurations[.daemon] != nil && $0.phaseDurations[.inner] != nil })
    }

    @Test("after a cell's first trial imports the inner image, its later trials start from the seed, with either start")
    func seededInnerImage() async throws {
        let result = try await run(
            """
            version: 1
            name: seeded
            repeat: 3
            timeout: 120s
            outer:
              image: OUTER_IMAGE
              setup: ["mkdir -p /tmp/setup-ran"]
            inner:
              image: busybox
              mode: d
              command: [sh, -c, "echo ok"]
              expect-output: "^ok"
            matrix:
              daemon.start: [cmd, exec]
            """, forensicsAlways: true)
        #expect(result.records.count == 6)
        for record in result.records {
            #expect(record.outcome == .pass, "\(record.trialID): \(record.signature ?? "")")
            let steps = try String(
                contentsOf: result.directory.appendingPathComponent(try #require(record.artifactsPath))
                    .appendingPathComponent("steps.txt"), encoding: .utf8)
            let trial = try #require(record.trialID.split(separator: "-").last)
            if trial == "t0" {
                // The first trial imports, and the cell's seed is taken from what it imported.
                #expect(steps.contains("POST /images/create?fromSrc=-"), "\(steps)")
                #expect(steps.contains("seed of the cell taken from /var/lib/docker"), "\(steps)")
            } else {
                #expect(steps.contains("from the cell's seed (from the engine's host)"), "\(steps)")
                #expect(steps.contains("the inner daemon has busybox:latest: nothing imported"), "\(steps)")
                #expect(!steps.contains("fromSrc=-"), "\(steps)")
            }
        }
    }

    @Test("cgroups: none fails in phase daemon with the daemon's first error; mounting by hand fixes it")
    func cgroupMount() async throws {
        let result = try await run(
            """
            version: 1
            name: cgroup-mount
            repeat: 1
            timeout: 90s
            outer:
              image: OUTER_IMAGE
              cgroups: none
            daemon:
              ready-timeout: 30s
            matrix:
              outer.setup:
                - []
                - ["for h in $(cut -d: -f2 /proc/self/cgroup); do [ -n \\"$h\\" ] || continue; d=/sys/fs/cgroup/${h#name=}; o=$h; case $h in name=*) o=none,$h;; esac; mkdir -p $d && mount -t cgroup -o $o cgroup $d || exit 1; done"]
            """)
        let cells = try #require(result.summary.scenarios.first?.cells)
        #expect(cells.count == 2)
        let broken = try #require(result.records.first { $0.cellValues.first?.value == "[]" })
        #expect(broken.outcome == .fail)
        #expect(broken.failingPhase == .daemon)
        #expect(
            broken.signature?.contains("Devices cgroup isn't mounted") == true, "\(broken.signature ?? "no signature")")
        #expect(broken.artifactsPath != nil)
        let mounted = try #require(result.records.first { $0.cellValues.first?.value != "[]" })
        #expect(mounted.outcome == .pass, "\(mounted.signature ?? "")")
    }

    @Test("mode: ti gives the inner container a terminal")
    func terminal() async throws {
        let result = try await run(
            """
            version: 1
            name: tty
            repeat: 1
            outer:
              image: OUTER_IMAGE
            inner:
              mode: ti
              command: [sh, -c, "test -t 0 && test -t 1 && echo tty-ok"]
              expect-output: "^tty-ok"
            """)
        #expect(try cell(result).passes == 1, "\(result.records.first?.signature ?? "")")
    }

    @Test(
        "an inner daemon on the address outer.env's DOCKER_HOST names is waited for there, a TCP port on the container's loopback or another socket",
        arguments: ["tcp://127.0.0.1:2375", "unix:///run/inner-docker.sock"])
    func innerDaemonElsewhere(address: String) async throws {
        let result = try await run(
            """
            version: 1
            name: inner-daemon-elsewhere
            repeat: 1
            timeout: 60s
            outer:
              image: OUTER_IMAGE
              env: {DOCKER_HOST: '\(address)'}
            daemon:
              command: [dockerd, -H, '\(address)']
              ready-timeout: 30s
            inner:
              command: [sh, -c, "echo ok"]
              expect-output: "^ok$"
            """)
        let record = try #require(result.records.first)
        #expect(record.outcome == .pass, "\(record.signature ?? "")")
        #expect(record.phaseDurations[.daemon].map { $0 < 20 } == true, "the wait ended when the daemon answered")
    }

    @Test("a trial that hangs is recorded as timeout and cleaned up")
    func hang() async throws {
        let result = try await run(
            """
            version: 1
            name: hang
            repeat: 1
            timeout: 15s
            outer:
              image: OUTER_IMAGE
            inner:
              command: [sleep, "600"]
            """)
        let record = try #require(result.records.first)
        #expect(record.outcome == .timeout)
        #expect(record.failingPhase == .inner)
        #expect(record.durationSeconds < 60)
    }

    @Test(
        "a trial that times out while its inner container runs leaves none of that container's cgroups on the engine's host, on either route",
        arguments: ["{}", "{DOCKER_HOST: 'unix:///var/run/docker.sock'}"])
    func hangLeavesNoCgroups(env: String) async throws {
        // outer.env's DOCKER_HOST makes the trial reach the inner daemon through exec, where the
        // step log has no inner container id: the inner daemon's --cgroup-parent marks them.
        let marker = "dindlab-e2e-hang-\(UUID().uuidString.prefix(8).lowercased())"
        let scenario = Self.innerRunOutlastsTrial.replacingOccurrences(
            of: "outer:\n  image: OUTER_IMAGE",
            with:
                "outer:\n  image: OUTER_IMAGE\n  env: \(env)\ndaemon:\n  command: [dockerd, --cgroup-parent=/\(marker)]"
        )
        let result = try await run(scenario)
        let record = try #require(result.records.first)
        #expect(record.outcome == .timeout)
        #expect(record.failingPhase == .inner)
        let enginePID = try #require(try EngineSelection.resolve(RealEngine.address).engineHostPID)
        let found = ExecCgroupDivergenceEndToEndTests.cgroupDirectories(containing: marker, enginePID: enginePID)
        // The parents the inner runtime made stay (empty); the test removes them.
        defer { for directory in found.sorted(by: >) { rmdir(directory) } }
        #expect(!found.isEmpty, "the inner daemon put its container's cgroups below /\(marker)")
        let left = found.filter { ($0 as NSString).lastPathComponent.count == 64 }
        #expect(left.isEmpty, "the inner container's cgroups are left on the engine's host: \(left.sorted())")
    }

    @Test("gc removes the inner containers' cgroups of the outer containers it removes, a runtime state unwritten too")
    func gcLeavesNoInnerCgroups() async throws {
        // The timed-out trial's outer container is kept, its inner container still running.
        let result = try await run(Self.innerRunOutlastsTrial, keepFailed: true)
        let record = try #require(result.records.first)
        #expect(record.outcome == .timeout)
        let innerID = try innerContainerID(of: record, in: result)
        #expect(try !innerCgroupsLeft(innerID).isEmpty, "the kept outer container's inner container runs")
        // As a runtime killed while creating the container leaves it (a fault or a trial's end in
        // the middle of `docker run`): the state folder and the cgroups, no state.json.
        let client = try RealEngine.client()
        let outer = try #require(
            try await client.listContainers(all: true, labels: ["dindlab.run=\(result.manifest.runID)"]).first)
        let outerPID = try await client.inspectContainer(outer.id, timeout: .seconds(15)).state.pid
        try FileManager.default.removeItem(
            atPath: "/proc/\(outerPID)/root/run/docker/runtime-runc/moby/\(innerID)/state.json")

        let enginePID = try #require(try EngineSelection.resolve(RealEngine.address).engineHostPID)
        let report = try await GarbageCollector(client: try RealEngine.client(), enginePID: enginePID).collect(
            .init(runID: result.manifest.runID.rawValue, includeKept: true))
        #expect(report.removed.count == 1 && report.failures.isEmpty && report.cgroupProblems.isEmpty, "\(report)")
        #expect(try innerCgroupsLeft(innerID).isEmpty, "gc left the inner container's cgroups on the engine's host")
        try await expectNothingLeft(of: result)
    }

    /// One trial whose inner container (`run -d`) still runs when the trial times out. The
    /// timeout leaves `docker run -d` time to print the container's id on a loaded machine.
    static let innerRunOutlastsTrial = """
        version: 1
        name: inner-outlasts-trial
        repeat: 1
        timeout: 30s
        outer:
          image: OUTER_IMAGE
        inner:
          mode: d
          command: [sleep, "600"]
        """

    /// The id `docker run -d` printed for a trial's inner run (from its forensics' steps.txt).
    func innerContainerID(of record: TrialRecord, in result: RunResult) throws -> String {
        let artifacts = try #require(record.artifactsPath, "a failed trial has forensics")
        let steps = try String(
            contentsOf: result.directory.appendingPathComponent(artifacts).appendingPathComponent("steps.txt"),
            encoding: .utf8)
        return try #require(
            steps.split(whereSeparator: \.isNewline).map(String.init).first {
                $0.count == 64 && $0.allSatisfy(\.isHexDigit)
            })
    }

    /// The directories of the inner container's cgroups in the test engine's hierarchies.
    func innerCgroupsLeft(_ innerID: String) throws -> [String] {
        let enginePID = try #require(
            try EngineSelection.resolve(RealEngine.address).engineHostPID,
            "the test engine must run on this machine for its cgroups to be seen")
        return ExecCgroupDivergenceEndToEndTests.cgroupDirectories(containing: innerID, enginePID: enginePID)
            .filter { $0.hasSuffix(innerID) }.sorted()
    }

    static let notShipped = """
        version: 1
        name: no-such-inner-image
        repeat: 1
        outer:
          image: OUTER_IMAGE
          env: ENV
        inner:
          image: alpine:3.19
          command: [echo, ok]
        """

    @Test(
        "an inner image an outer image without the dindlab.inner.images label does not ship is an error in prepare, naming what it ships, on either route",
        arguments: ["{}", "{DOCKER_HOST: 'unix:///var/run/docker.sock'}"])
    func innerImageNotShipped(env: String) async throws {
        // A copy of the outer image whose label says nothing, as images built before it have.
        let client = try RealEngine.client()
        let tag = "e2e-unlabelled-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await EngineImageStore(client: client).commitLabelled(
            RealEngine.outerImage!, labels: [OuterImageLabels.innerImagesKey: ""],
            command: OuterImageLabels.idleCommand,
            repository: "dindlab/outer", tag: tag, timeout: .seconds(60))
        // outer.env's DOCKER_HOST makes the trial reach the inner daemon through exec.
        let result: RunResult
        do {
            result = try await run(
                Self.notShipped.replacingOccurrences(of: "OUTER_IMAGE", with: "dindlab/outer:\(tag)")
                    .replacingOccurrences(of: "ENV", with: env))
        } catch {
            try? await client.removeImage("dindlab/outer:\(tag)")
            throw error
        }
        try? await client.removeImage("dindlab/outer:\(tag)")
        #expect(result.manifest.skippedCells == nil, "without the label, the trial finds out")
        let record = try #require(result.records.first)
        #expect(
            record.outcome == .error && record.failingPhase == .prepare,
            "\(record.outcome) \(record.failingPhase as Any)")
        let said = (record.firstError ?? "") + (record.signature ?? "")
        #expect(said.contains("ships no /dindlab/images/alpine_3.19.tar for the inner image alpine:3.19"), "\(said)")
        #expect(said.contains("holds: busybox.tar index.json"), "\(said)")
        #expect(try cell(result).successRate == nil, "an error is never counted in the rate")
    }

    @Test("an inner image the outer image's dindlab.inner.images label does not list skips its cell before any trial")
    func innerImageNotShippedByLabel() async throws {
        let client = try RealEngine.client()
        let labels = try #require(try await client.inspectImage(RealEngine.outerImage!)?.labels)
        try #require(
            OuterImageLabels(labels: labels)?.innerImageFiles != nil,
            "\(RealEngine.outerImage!) was built before dindlab.inner.images: rebuild it (dindlab images build --force)"
        )
        let result = try await run(Self.notShipped.replacingOccurrences(of: "ENV", with: "{}"))
        #expect(result.records.isEmpty)
        let skipped = try #require(result.manifest.skippedCells?.first)
        #expect(
            skipped.reason.hasPrefix(
                "The outer image \(RealEngine.outerImage!) ships no /dindlab/images/alpine_3.19.tar for the inner image alpine:3.19 (/dindlab/images holds: busybox.tar)"
            ), "\(skipped.reason)")
        #expect(result.summary.skippedCells == 1 && result.summary.skippedTrials == 1)
    }

    @Test("a cell that fails about a third of the time: the interval holds the true rate")
    func flakyRate() async throws {
        // The inner container's hostname is its random id; it starts with 0-4 in 5 of 16 cases.
        let result = try await run(
            """
            version: 1
            name: flaky
            repeat: 40
            isolation: cell
            outer:
              image: OUTER_IMAGE
            inner:
              command: [sh, -c, "case $(hostname) in [0-4]*) echo unlucky >&2; exit 1;; esac; echo ok"]
            """)
        let tally = try cell(result)
        #expect(tally.trials == 40)
        #expect(tally.passes + tally.fails == 40, "\(tally.signatures)")
        let trueRate = 11.0 / 16.0
        // The reported interval is Wilson's 95% one; a 99.9% one decides the test, so it is
        // wrong about the true rate once in a thousand runs, not once in twenty.
        #expect(tally.interval == ProportionInterval.wilson(successes: tally.passes, trials: tally.trials))
        let wide = try #require(ProportionInterval.wilson(successes: tally.passes, trials: tally.trials, z: 3.29))
        #expect(wide.contains(trueRate), "rate \(tally.successRate ?? -1) interval \(wide)")
        #expect(tally.fails == 0 || tally.signatures.contains { $0.signature.contains("inner") })
    }

    @Test("--jobs 2 gives the same tallies as --jobs 1, and the same seed the same order")
    func jobs() async throws {
        let yaml = """
            version: 1
            name: deterministic
            repeat: 2
            outer:
              image: OUTER_IMAGE
            inner:
              command: [sh, -c, "echo ok"]
            matrix:
              daemon.start: [cmd, exec]
              inner.mode: [d, ti]
            """
        let one = try await run(yaml, jobs: 1, seed: 42)
        let two = try await run(yaml, jobs: 2, seed: 42)
        func counts(_ result: RunResult) -> [String: [Int]] {
            Dictionary(
                uniqueKeysWithValues: result.summary.scenarios[0].cells.map {
                    ($0.cellID, [$0.trials, $0.passes, $0.fails, $0.timeouts, $0.errors])
                })
        }
        #expect(counts(one) == counts(two))
        #expect(one.records.map(\.trialID) == two.records.map(\.trialID))
        #expect(one.records.allSatisfy { $0.outcome == .pass }, "\(one.records.compactMap(\.signature))")
    }

    @Test(
        "cells whose outer image is not built are skipped with a message, not run as errors; shown in every report; with an expectation the run exits 2",
        arguments: ["", "expect: {success-rate: \">= 0.5\"}"])
    func missingImageSkipped(expectation: String) async throws {
        let result = try await run(
            """
            version: 1
            name: missing-image
            repeat: 1
            outer:
              image: OUTER_IMAGE
            \(expectation)
            matrix:
              outer.image: [OUTER_IMAGE, "dindlab/outer:bookwrom"]
            """)
        #expect(result.records.count == 1)
        #expect(result.records.first?.outcome == .pass)
        let skipped = try #require(result.manifest.skippedCells)
        #expect(skipped.count == 1)
        // Run from the package root, where Images/ has no recipe of that name: the likely typo is named.
        #expect(
            skipped.first?.reason.contains("no recipe Images/bookwrom exists either: is the name misspelt?") == true,
            "\(skipped)")
        #expect(result.summary.skippedCells == 1 && result.summary.skippedTrials == 1)
        let report = try await RunReport.load(runDirectory: result.directory, strict: false)
        try report.write()
        #expect(report.verdict.exitCode == (expectation.isEmpty ? 0 : 2), "\(report.verdict.description)")
        #expect(report.verdict.description.contains("skipped"))
        let junit = try String(contentsOf: ReportFiles(in: result.directory).junit, encoding: .utf8)
        #expect(junit.contains("skipped=\"1\"") && junit.contains("<skipped message="))
        #expect(
            try String(contentsOf: ReportFiles(in: result.directory).markdown, encoding: .utf8).contains(
                "## Cells skipped (not run)"))
        #expect(
            try String(contentsOf: ReportFiles(in: result.directory).html, encoding: .utf8).contains(
                "class=\"cell skipped\""))
    }
}
