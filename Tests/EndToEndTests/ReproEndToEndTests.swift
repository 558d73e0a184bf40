import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation
import Testing

/// `repro` against a real engine: a cell that fails on purpose about one time in four (the
/// inner container's hostname is its random id, and its first hex digit is 0-3 in 4 of 16
/// cases). The chance that 40 trials never fail is 0.75^40, about 1e-5.
@Suite(.enabled(if: RealEngine.canRunTrials, RealEngine.noOuterImageReason), .serialized)
struct ReproEndToEndTests {
    static func scenario(isolation: String = "trial") -> String {
        """
        version: 1
        name: quarter
        timeout: 90s
        isolation: \(isolation)
        outer:
          image: \(RealEngine.outerImage ?? "")
        inner:
          command: [sh, -c, "case $(hostname) in [0-3]*) echo unlucky >&2; exit 1;; esac; echo ok"]
        matrix:
          inner.mode: [d, ti]
        """
    }

    func repro(isolation: String = "trial", keep: Bool = false, jobs: Int = 1, forensicsAlways: Bool = false)
        async throws -> ReproOutcome
    {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-e2e-repro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("quarter.yaml")
        try Self.scenario(isolation: isolation).write(to: file, atomically: true, encoding: .utf8)
        let scenario = try ScenarioLoader.load(file: file.path)
        let options = ReproOptions(
            cell: "inner.mode=d", maxTrials: 40, keep: keep, jobs: jobs, seed: 11, forensicsAlways: forensicsAlways,
            resultsRoot: folder.appendingPathComponent("results"), commandLine: ["dindlab", "repro"])
        return try await Repro(scenario: scenario, options: options).run(engines: [
            try EngineSelection.resolve(RealEngine.address)
        ])
    }

    func containers(of outcome: ReproOutcome) async throws -> [ContainerSummary] {
        try await RealEngine.client().listContainers(all: true, labels: ["dindlab.run=\(outcome.run.manifest.runID)"])
    }

    @Test(
        "repro stops at the first failure, says how many trials it took, and its artifacts hold the cgroup comparison and the mount list"
    )
    func untilFail() async throws {
        let outcome = try await repro(forensicsAlways: true)
        let failure = try #require(outcome.failure, "no failure in 40 trials: \(outcome.run.records.map(\.outcome))")
        let taken = try #require(outcome.trialsTaken)
        #expect(outcome.exitCode == 1)
        #expect(outcome.run.records.count == taken, "trials ran after the failure")
        #expect(outcome.run.skippedTrials == 40 - taken)
        #expect(outcome.run.records.filter { $0.sequence < failure.sequence }.allSatisfy { $0.outcome == .pass })
        #expect(failure.failingPhase == .inner)
        #expect(outcome.rendered.contains("after \(taken) trial"))
        #expect(outcome.rendered.contains(failure.trialID))
        #expect(outcome.kept.isEmpty)
        #expect(try await containers(of: outcome).isEmpty)

        let artifacts = outcome.run.directory.appendingPathComponent(try #require(failure.artifactsPath))
        let cgroups = try String(contentsOf: artifacts.appendingPathComponent("cgroups.txt"), encoding: .utf8)
        #expect(
            cgroups.contains("/proc/1/cgroup") && cgroups.contains("daemon /proc/<pid>/cgroup")
                && cgroups.contains("exec'd /proc/self/cgroup"))
        #expect(cgroups.contains("cgroups.") || cgroups.contains("same cgroups"))
        #expect(FileManager.default.fileExists(atPath: artifacts.appendingPathComponent("docker-mounts.txt").path))
        let processes = try String(contentsOf: artifacts.appendingPathComponent("processes.txt"), encoding: .utf8)
        #expect(processes.hasPrefix("PID PPID COMMAND\n1 0 "), "\(processes)")
        #expect(processes.contains(" dockerd"), "the inner daemon is among the processes: \(processes)")
        let pids = processes.split(separator: "\n").dropFirst().compactMap { Int($0.prefix { $0 != " " }) }
        #expect(pids.count > 2 && pids == pids.sorted(), "in pid order: \(processes)")
        #expect(
            try String(contentsOf: artifacts.appendingPathComponent("mountinfo.txt"), encoding: .utf8).contains(
                "/var/lib/docker"))
        let index = try String(contentsOf: artifacts.appendingPathComponent("forensics.md"), encoding: .utf8)
        #expect(index.contains("# Forensics of trial \(failure.trialID)"))
        #expect(index.contains("## cgroups") && index.contains("## Mounts left under /var/lib/docker"))
        #expect(
            index.contains("[cgroups.txt](cgroups.txt)") && index.contains("[docker-mounts.txt](docker-mounts.txt)"))
        // With forensics of passing trials, the failure is compared with one of them.
        if outcome.run.records.contains(where: { $0.outcome == .pass }) {
            #expect(index.contains("## Compared with passing trial"), "\(index)")
        }
    }

    @Test(
        "with --keep and --jobs 2 the failing outer container stays running, labelled kept, and the printed command enters it"
    )
    func keep() async throws {
        let outcome = try await repro(keep: true, jobs: 2)
        let failure = try #require(outcome.failure)
        // Trials already running when the failure came finish and are recorded.
        #expect(outcome.run.records.count + outcome.run.skippedTrials == 40)
        #expect(outcome.run.records.count >= outcome.trialsTaken!)
        let kept = try #require(outcome.kept.first { $0.trialID == failure.trialID }, "kept: \(outcome.kept)")
        let client = try RealEngine.client()
        defer {
            let ids = outcome.kept.map(\.id)
            Task { for id in ids { try? await client.removeContainer(id, force: true, volumes: true) } }
        }
        // Only failures are kept; the passing trials' containers are gone.
        let left = try await containers(of: outcome)
        #expect(Set(left.map(\.id)) == Set(outcome.kept.map(\.id)))
        #expect(left.allSatisfy { $0.labels?["dindlab.kept"] == "true" && $0.state == "running" })
        #expect(outcome.rendered.contains(kept.enterCommand.joined(separator: " ")))

        // The printed command: docker -H <engine> exec -it <id> sh. Run it with `true`.
        let command = kept.enterCommand
        #expect(command.prefix(3) == ["docker", "-H", RealEngine.address!])
        let id = command[command.firstIndex(of: "exec")! + 2]
        let entered = try await client.exec(in: id, ["true"])
        #expect(entered.exitCode == 0)
        let info = try await client.exec(in: id, Array(kept.innerInfoCommand.drop { $0 != id }.dropFirst()))
        #expect(info.exitCode == 0, "the inner daemon does not answer: \(info.output.stderrText)")
        if let docker = ["/usr/bin/docker", "/usr/local/bin/docker"].first(
            where: FileManager.default.isExecutableFile(atPath:))
        {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: docker)
            process.arguments = Array(command.dropFirst().filter { $0 != "-it" }.dropLast()) + ["true"]
            process.environment = ["PATH": "/usr/bin:/bin"]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(process.arguments ?? [])")
        }
        for container in outcome.kept {
            try await client.removeContainer(container.id, force: true, volumes: true)
        }
        #expect(try await containers(of: outcome).isEmpty)
    }

    @Test("with isolation: cell the shared outer container stops at the failure and is removed")
    func cellIsolation() async throws {
        let outcome = try await repro(isolation: "cell")
        _ = try #require(outcome.failure)
        #expect(outcome.run.records.count == outcome.trialsTaken)
        #expect(try await containers(of: outcome).isEmpty)
    }
}
