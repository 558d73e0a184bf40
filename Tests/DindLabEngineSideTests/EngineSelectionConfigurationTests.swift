import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// `EngineSelection` takes DOCKER_HOST, TLS and the API version from one `EngineConfiguration`,
/// so every client of a run (runner, outer image check, fingerprint) pins the same version.
@Suite("Engine selection: one configuration")
struct EngineSelectionConfigurationTests {
    @Test(
        "every way of naming an engine carries the configuration's API version and TLS",
        arguments: [
            "tcp://10.0.0.1", "a=tcp://10.0.0.1", nil,
        ])
    func pinned(argument: String?) throws {
        let tls = TLSConfiguration(
            caCertificatePath: "/c/ca.pem", certificatePath: "/c/cert.pem", keyPath: "/c/key.pem", verifyPeer: true)
        let configuration = EngineConfiguration(
            host: try EngineAddress(parsing: "tcp://10.0.0.1", tls: tls), tls: tls, apiVersion: APIVersion(1, 24))
        let selection = try EngineSelection.resolve(argument, configuration: configuration, environment: [:])
        #expect(selection.apiVersion == APIVersion(1, 24))
        #expect(selection.address.tls == tls)
        #expect(selection.address.description == "tcp://10.0.0.1:2376")
        #expect(selection.client().apiVersion == APIVersion(1, 24))
    }

    @Test("engines a scenario names are resolved with the run's configuration, not the environment")
    func runnerUsesTheConfiguration() throws {
        let configuration = EngineConfiguration(apiVersion: APIVersion(1, 41))
        let given = EngineSelection(
            name: "given", address: EngineAddress(endpoint: .unix(path: "/tmp/given.sock")),
            apiVersion: APIVersion(1, 41))
        let plan = try Plan(
            scenarios: [
                try ScenarioLoader.load(
                    yaml: """
                        version: 1
                        name: named
                        engine: tcp://10.0.0.2:2375
                        outer: {image: dindlab/outer:bookworm}
                        inner: {image: busybox, command: [true]}
                        """, file: "named.yaml")
            ], seed: 1)
        let selections = try Runner.engineSelections(given: [given], plan: plan, configuration: configuration)
        #expect(selections.all.map(\.address.description) == ["unix:///tmp/given.sock", "tcp://10.0.0.2:2375"])
        #expect(selections.all.map(\.apiVersion) == [APIVersion(1, 41), APIVersion(1, 41)])
    }

    @Test("a DOCKER_HOST socket that is not there names the variable; a named engine that does not run is typed")
    func missing() throws {
        let configuration = EngineConfiguration(
            host: EngineAddress(endpoint: .unix(path: "/tmp/dindlab-no-such-host.sock")))
        let error = #expect(throws: EngineError.self) {
            try EngineSelection.resolve(nil, configuration: configuration, environment: [:])
        }
        #expect(error?.remedy == .startOrSelectEngine(variable: "DOCKER_HOST"))
        #expect(error?.description.contains("DOCKER_HOST (unix:///tmp/dindlab-no-such-host.sock)") == true)
    }
}
