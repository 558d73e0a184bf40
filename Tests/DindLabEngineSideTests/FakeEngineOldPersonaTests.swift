import DockerEngine
import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// What real Docker 1.7.1, 1.8.3 and 1.9.1 daemons did to dindlab, replayed by the fake
/// engine's personas, so CI (which has no old binaries) catches a regression. Each test fails
/// when the runner goes back to what broke against the real daemons (OldEnginesEndToEndTests
/// runs the same against them when DINDLAB_DOCKER_BINARIES is set).
@Suite("Docker 1.7 / 1.8 / 1.9 personas")
struct FakeEngineOldPersonaTests {
    /// A dockerd that lacks CAP_SYS_RESOURCE, as on this VM: it cannot apply that one.
    static let grantable = Set(PrivilegeProbe.allCapabilities).subtracting(["SYS_RESOURCE"])

    @Test(
        "the privilege probe learns unknown capabilities from the daemon's answers and never aborts",
        arguments: DaemonPersona.oldEra + [.docker20dot10, .docker26])
    func probeLearnsCapabilities(persona: DaemonPersona) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            engine.setGrantableCapabilities(Self.grantable)
            let client = try EngineClient(explicitAddress: engine.address, environment: [:])
            let support = try await PrivilegeProbe(
                client: client, image: "busybox:latest", labels: ["dindlab.test": "probe"]
            ).run()
            #expect(support.probeError == nil, "\(support)")
            #expect(!support.privileged)
            // Old daemons refuse PERFMON, BPF and CHECKPOINT_RESTORE at start ("Unknown capability to
            // add"); every daemon here refuses SYS_RESOURCE ("operation not permitted").
            let unknown: Set<String> = persona.knownCapabilities == nil ? [] : ["PERFMON", "BPF", "CHECKPOINT_RESTORE"]
            #expect(Set(support.refusedCapabilities) == unknown.union(["SYS_RESOURCE"]))
            #expect(Set(support.grantableCapabilities) == Self.grantable.subtracting(unknown))
            #expect(support.privilegedError?.contains("operation not permitted") == true)
            // Every probe container was removed.
            #expect(try await client.listContainers(all: true).isEmpty)
        }
    }

    @Test("a probe that cannot run says why instead of throwing")
    func probeFailureIsAFact() async throws {
        try await FakeEngine.withRunning(.docker1dot9) { engine in
            let client = try EngineClient(explicitAddress: engine.address, environment: [:])
            let support = try await PrivilegeProbe(client: client, image: "no/such:image", labels: [:]).run()
            #expect(support.probeError?.contains("no/such:image") == true, "\(support)")
            let fingerprint = try await FingerprintCollector(client: client).collect(privilege: support)
            #expect(fingerprint.privilegedSupported == nil)
            #expect(
                fingerprint.lines.contains {
                    $0.name == "privileged" && $0.value.hasPrefix("(unknown: The privilege probe")
                })
        }
    }

    @Test("a 1.7 built with today's Go gets the HostConfig with start, and the client learns it once")
    func hostConfigAtStart() async throws {
        try await FakeEngine.withRunning(.docker1dot7BuiltWithModernGo) { engine in
            let client = try EngineClient(explicitAddress: engine.address, environment: [:])
            for _ in 0..<2 {
                var config = ContainerConfig(image: "busybox:latest", cmd: ["true"])
                var host = HostConfig()
                host.capAdd = ["NET_ADMIN"]
                config.hostConfig = host
                let created = try await client.createContainer(config)
                try await client.startContainer(created.id)
                let inspect =
                    try JSONSerialization.jsonObject(with: try await client.inspectContainerJSON(created.id))
                    as? [String: Any]
                #expect(((inspect?["HostConfig"] as? [String: Any])?["CapAdd"] as? [String]) == ["NET_ADMIN"])
            }
            // One refused create, then creates without HostConfig and starts with it.
            let creates = engine.requests.filter { $0.path.contains("/containers/create") }
            #expect(creates.count == 3)
            #expect(engine.requests.filter { $0.pathWithoutQuery.hasSuffix("/start") }.allSatisfy { $0.bodyLength > 2 })
        }
    }

    @Test(
        "images build on a 1.7 engine: LABEL refused in import changes, the labels arrive by commit",
        arguments: [DaemonPersona.docker1dot7, .docker1dot7BuiltWithModernGo, .docker1dot8, .docker1dot9])
    func imagesBuildLabels(persona: DaemonPersona) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            let folder = try TemporaryFolder()
            let client = try EngineClient(explicitAddress: engine.address, environment: [:])
            let progress = RecordingProgress()
            let builder = OuterImageBuilder(
                engine: EngineImageStore(client: client),
                cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
                rootfsProvider: TinyRootfsProvider(folder: folder.url.appendingPathComponent("trees")),
                progress: progress)
            let recipe = try Recipe.testStaticBinary(in: folder.url)
            let outcome = try await builder.build(
                recipe, options: .init(binary: try folder.fakeDockerBinary(version: "1.9.1")))

            let image = try #require(try await client.inspectImage("dindlab/outer:test-static"))
            #expect(OuterImageLabels(labels: image.labels) == outcome.labels)
            #expect(image.config?.cmd == OuterImageLabels.idleCommand)
            let refused = persona.version == "1.7.1"
            let commits = engine.requests.filter { $0.path.contains("/commit") }
            #expect(commits.count == (refused ? 1 : 0))
            // Nothing temporary is left: no partial tags, no containers.
            let tags = try await client.listImages().flatMap { $0.repoTags ?? [] }
            #expect(!tags.contains { $0.hasPrefix(OuterImageBuilder.partialRepository) }, "\(tags)")
            #expect(try await client.listContainers(all: true).isEmpty)
        }
    }

    @Test(
        "a run on a 1.7 engine that lacks a capability records its trials instead of aborting",
        arguments: [DaemonPersona.docker1dot7, .docker1dot7BuiltWithModernGo, .docker1dot9])
    func runOnOldEngine(persona: DaemonPersona) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            engine.setGrantableCapabilities(Self.grantable)
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let file = try fake.scenarioFile(repeatCount: 2)
            let result = try await fake.run(try fake.plan(file), file: file)
            #expect(result.records.count == 2)
            #expect(result.records.allSatisfy { $0.outcome == .pass }, "\(result.records.map(\.signature))")
            let fingerprint = try #require(result.manifest.engines.first?.fingerprint)
            #expect(fingerprint.privilegedSupported == false)
            #expect(fingerprint.refusedCapabilities?.contains("PERFMON") == true)
            #expect(fingerprint.refusedCapabilities?.contains("SYS_RESOURCE") == true)
        }
    }

    @Test("a probe that could not tell is asked again by the next run, not served from the facts cache")
    func failedProbeNotCached() async throws {
        try await FakeEngine.withRunning(.docker1dot9) { engine in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "dindlab-facts-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let cache = EngineFactsCache(folder: folder)
            let selection = try EngineSelection.resolve(engine.address, environment: [:])
            engine.setFault(
                .status(500, "the probe's container cannot be created"), forPathContaining: "/containers/create")
            let failed = try await Runner.prepare(
                selection, probeImages: ["busybox:latest"], labels: [:], factsCache: cache)
            #expect(failed.privilege.probeError?.contains("cannot be created") == true)
            let instance = try #require(EngineInstance(address: selection.address))
            #expect(cache.privilege(of: instance) == nil)

            engine.setFault(nil, forPathContaining: "/containers/create")
            engine.setGrantableCapabilities(Self.grantable)
            let probed = try await Runner.prepare(
                selection, probeImages: ["busybox:latest"], labels: [:], factsCache: cache)
            #expect(probed.privilege.probeError == nil && !probed.privilege.privileged)
            #expect(cache.privilege(of: instance) == probed.privilege)
        }
    }
}
