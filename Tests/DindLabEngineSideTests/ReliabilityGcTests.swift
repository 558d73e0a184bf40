import DockerEngine
import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// `gc` against the fake engine: what it removes, what it never touches.
@Suite("Reliability: gc on an engine (fake engine)")
struct ReliabilityGcTests {
    /// Creates a container with these labels and returns its id.
    static func create(_ client: EngineClient, _ labels: [String: String]) async throws -> String {
        var config = ContainerConfig(image: "busybox", cmd: ["true"])
        config.labels = labels
        return try await client.createContainer(config).id
    }

    static func ownership(pid: Int32, runID: String = RunID.generate().rawValue, extra: [String: String] = [:])
        -> [String: String]
    {
        let owner = ProcessIdentity(
            host: ProcessInfo.processInfo.hostName, pid: pid,
            startTicks: pid == getpid() ? ProcessIdentity.current.startTicks : 1)
        return Ownership(runID: runID, owner: owner, startedAt: Date()).labels.merging(extra) { $1 }
    }

    @Test("removes what dead and finished runs left, keeps live runs, kept containers and everything unlabelled")
    func collects() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = EngineClient(address: try EngineAddress(parsing: engine.address))
            let dead = try ReliabilityOwnershipTests.deadPID()
            let liveRun = RunID.generate().rawValue
            ActiveRuns.shared.add(liveRun)
            defer { ActiveRuns.shared.remove(liveRun) }

            let foreign = try await Self.create(client, ["com.example.app": "web"])
            let ownerOnly = try await Self.create(
                client, ["dindlab.owner": "\(ProcessInfo.processInfo.hostName):\(dead)"])
            let orphan = try await Self.create(
                client, Self.ownership(pid: dead, extra: ["dindlab.trial": "smoke-c0-t0"]))
            let probe = try await Self.create(client, Self.ownership(pid: dead, extra: ["dindlab.probe": "privilege"]))
            let kept = try await Self.create(client, Self.ownership(pid: dead, extra: ["dindlab.kept": "true"]))
            let live = try await Self.create(client, Self.ownership(pid: getpid(), runID: liveRun))
            let finished = try await Self.create(client, Self.ownership(pid: getpid()))
            let collector = GarbageCollector(client: client)

            let dry = try await collector.collect(.init(dryRun: true))
            #expect(Set(dry.decisions.filter(\.remove).map(\.container.id)) == [orphan, probe, finished])
            #expect(dry.removed.isEmpty)
            #expect(try await client.listContainers(all: true).count == 7, "a dry run removed something")
            // FrontendTests: "Would remove 3 containers"
            #expect(dry.dryRun && dry.decisions.filter(\.remove).count == 3)

            let survey = await OrphanCheck.survey(client: client, engineName: "fake")
            #expect(
                survey?.description.hasPrefix("3 containers of dead runs are left on the engine fake") == true,
                "\(survey?.description ?? "no warning")")
            #expect(survey?.containers == 3 && survey?.engine == "fake")

            let report = try await collector.collect()
            #expect(Set(report.removed.map(\.id)) == [orphan, probe, finished])
            #expect(report.removed.count == 3 && report.failures.isEmpty)  // FrontendTests: "Removed 3 containers"
            #expect(Set(try await client.listContainers(all: true).map(\.id)) == [foreign, ownerOnly, kept, live])

            let withKept = try await collector.collect(.init(includeKept: true))
            #expect(withKept.removed.map(\.id) == [kept])
            #expect(Set(try await client.listContainers(all: true).map(\.id)) == [foreign, ownerOnly, live])
            #expect(await OrphanCheck.survey(client: client, engineName: "fake") == nil)
        }
    }

    @Test("--run limits gc to one run")
    func oneRun() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = EngineClient(address: try EngineAddress(parsing: engine.address))
            let dead = try ReliabilityOwnershipTests.deadPID()
            let mine = try await Self.create(client, Self.ownership(pid: dead, runID: "run-a"))
            let other = try await Self.create(client, Self.ownership(pid: dead, runID: "run-b"))
            let report = try await GarbageCollector(client: client).collect(.init(runID: "run-a"))
            #expect(report.removed.map(\.id) == [mine])
            #expect(try await client.listContainers(all: true).map(\.id) == [other])
        }
    }
}

/// Secret environment values in what dindlab writes.
@Suite("Reliability: secrets are masked")
struct ReliabilitySecretTests {
    @Test(
        "names with TOKEN, PASSWORD, SECRET or KEY are secret",
        arguments: [
            ("API_TOKEN", true), ("db_password", true), ("CLIENT_SECRET", true), ("SSH_KEY", true), ("KEYRING", true),
            ("PATH", false), ("HOME", false), ("DOCKER_HOST", false),
        ])
    func secretNames(name: String, secret: Bool) {
        #expect(SecretMasker.isSecretName(name) == secret)
    }

    @Test("values are masked as NAME=value and wherever else they appear; other variables are left alone")
    func masksText() {
        let masker = SecretMasker(environment: [
            "API_TOKEN": "s3cr3t-value", "PIN_KEY": "42", "MODE": "s3cr3t-value-not",
        ])
        let text = #"{"Env":["API_TOKEN=s3cr3t-value","PIN_KEY=42","MODE=fast"]} echo s3cr3t-value; answer 42"#
        #expect(
            masker.mask(text)
                == #"{"Env":["API_TOKEN=********","PIN_KEY=********","MODE=fast"]} echo ********; answer 42"#)
        #expect(masker.mask(Data(text.utf8)) == Data(masker.mask(text).utf8))
        var bytes = Data([0xFF, 0xFE])
        bytes.append(Data("API_TOKEN=s3cr3t-value".utf8))
        #expect(String(decoding: masker.mask(bytes).dropFirst(2), as: UTF8.self) == "API_TOKEN=********")
        #expect(SecretMasker(environment: ["PATH": "/bin"]).mask("PATH=/bin") == "PATH=/bin")
    }

    @Test("command-line words NAME=value with a secret name are masked")
    func masksArguments() {
        #expect(
            SecretMasker.maskArguments(["run", "x.yaml", "--only", "REGISTRY_PASSWORD=hunter22", "a=b"]) == [
                "run", "x.yaml", "--only", "REGISTRY_PASSWORD=********", "a=b",
            ])
    }

    @Test("a failed trial's record and artifacts do not contain the secret")
    func trialArtifacts() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let secret = "tok-5f2a9c81e4"
            fake.setInnerRun { _ in
                ScriptedProcess(stdout: "", stderr: "login failed for token \(secret)\n", exitCode: 1)
            }
            let file = try fake.scenarioFile(repeatCount: 1, extra: "  env: {REGISTRY_TOKEN: \(secret)}")
            let result = try await fake.run(try fake.plan(file), file: file)
            let record = try #require(result.records.first)
            #expect(record.outcome == .fail)
            #expect(record.signature?.contains("login failed for token") == true, "\(record.signature ?? "")")
            let artifacts = result.directory.appendingPathComponent(try #require(record.artifactsPath))
            let files = try FileManager.default.contentsOfDirectory(atPath: artifacts.path)
            #expect(files.contains("steps.txt") && files.contains("outer-inspect.json"))
            let inspect = try String(
                contentsOf: artifacts.appendingPathComponent("outer-inspect.json"), encoding: .utf8)
            #expect(inspect.contains("REGISTRY_TOKEN=********"), "the engine reports the environment, masked")
            for name in files {
                let text = String(decoding: try Data(contentsOf: artifacts.appendingPathComponent(name)), as: UTF8.self)
                #expect(!text.contains(secret), "\(name) holds the secret")
            }
            let line = try String(
                contentsOf: result.directory.appendingPathComponent(ResultStore.trialsFileName), encoding: .utf8)
            #expect(!line.contains(secret))
        }
    }
}
