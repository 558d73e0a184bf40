import Foundation
import Testing

@testable import DindLabCore

/// Good scenario files load with the defaults DESIGN.md gives, and every field is read.
@Suite("Scenario loading")
struct ScenarioLoadingTests {
    @Test("a minimal file gets every default")
    func defaults() throws {
        let yaml = "version: 1\nname: minimal\nouter:\n  image: img\n"
        let scenario = try ScenarioLoader.load(yaml: yaml, file: "m.yaml")
        var expected = Scenario(name: "minimal", outer: Scenario.Outer(image: "img"), source: "m.yaml")
        expected.sourceSHA256 = SHA256.hexDigest(of: Array(yaml.utf8))
        #expect(scenario == expected)
        // The defaults themselves, as DESIGN.md states them.
        #expect(scenario.repeatCount == 10)
        #expect(scenario.timeout == .seconds(300))
        #expect(scenario.isolation == .trial)
        #expect(scenario.engine == nil)
        #expect(scenario.forensics == .onFailure)
        #expect(scenario.outer.privileged)
        #expect(scenario.outer.cgroups == .bind)
        #expect(scenario.outer.network == .none)
        #expect(scenario.outer.env.isEmpty && scenario.outer.setup.isEmpty)
        #expect(scenario.daemon.start == .cmd)
        #expect(scenario.daemon.command == nil)
        #expect(scenario.daemon.readyTimeout == .seconds(60))
        #expect(scenario.inner.image == "busybox")
        #expect(scenario.inner.mode == .d)
        #expect(scenario.inner.command == ["sh", "-c", "echo ok"])
        #expect(scenario.inner.runs == 1)
        #expect(scenario.inner.expectOutput == nil)
        #expect(scenario.expect.successRate == nil)
        #expect(scenario.matrix.isEmpty)
        #expect(scenario.cells().map(\.id) == ["default"])
    }

    static let everyField = """
        version: 1
        name: exec-vs-cmd
        description: free text
        repeat: 20
        timeout: 1.5m
        isolation: cell
        engine: unix:///run/dindlab/engine.sock
        forensics: always
        outer:
          image: dindlab/outer:docker-1.7
          privileged: false
          cgroups: none
          network: host
          env: {DOCKER_DRIVER: vfs, LEVEL: 3}
          setup:
            - mount -t tmpfs none /mnt
            - "echo 'a: b'"
        daemon:
          start: exec
          command: [docker, -d, --debug]
          ready-timeout: 500ms
        inner:
          image: alpine
          mode: ti
          command: [sh, -c, "echo ok; exit 0"]
          runs: 3
          expect-output: "^ok$"
        expect:
          success-rate: "> 0.5"

        """

    @Test("every field is read")
    func everyField() throws {
        let scenario = try ScenarioLoader.load(yaml: Self.everyField, file: "all.yaml")
        var expected = Scenario(
            name: "exec-vs-cmd", description: "free text", repeatCount: 20, timeout: .seconds(90), isolation: .cell,
            engine: "unix:///run/dindlab/engine.sock", forensics: .always,
            outer: .init(
                image: "dindlab/outer:docker-1.7", privileged: false, cgroups: .none, network: .host,
                env: ["DOCKER_DRIVER": "vfs", "LEVEL": "3"], setup: ["mount -t tmpfs none /mnt", "echo 'a: b'"]),
            daemon: .init(start: .exec, command: ["docker", "-d", "--debug"], readyTimeout: .milliseconds(500)),
            inner: .init(
                image: "alpine", mode: .ti, command: ["sh", "-c", "echo ok; exit 0"], runs: 3, expectOutput: "^ok$"),
            expect: .init(successRate: try SuccessRateExpectation(.greaterThan, 0.5)),
            source: "all.yaml")
        expected.sourceSHA256 = SHA256.hexDigest(of: Array(Self.everyField.utf8))
        #expect(scenario == expected)
    }

    @Test("a scenario survives a trip through JSON, durations written as text")
    func codable() throws {
        var scenario = try ScenarioLoader.load(yaml: Self.everyField, file: "all.yaml")
        scenario.matrix = [
            try MatrixDimension(key: "inner.command", values: ["[sh, -c, \"echo a\"]", "[true]"]),
            try MatrixDimension(key: "timeout", values: ["1.5m", "500ms"]),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(scenario)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains(#""timeout":"90s""#))
        #expect(json.contains(#""ready-timeout":"500ms""#))
        #expect(json.contains(#""success-rate":"> 0.5""#))
        #expect(json.contains(#""repeat":20"#))
        #expect(json.contains(#"{"key":"timeout","values":["90s","500ms"]}"#))
        #expect(try JSONDecoder().decode(Scenario.self, from: data) == scenario)
    }

    @Test(
        "durations read as people write them",
        arguments: [
            ("500ms", 500), ("120s", 120_000), ("1.5m", 90_000), ("0.25s", 250), ("2m", 120_000), ("1ms", 1),
            ("0.001s", 1), ("10.50s", 10_500), ("007s", 7_000), ("2h", 7_200_000), ("1m30s", 90_000),
            ("1h30m", 5_400_000), ("1h0.5m", 3_630_000), ("2m30s500ms", 150_500), ("1s1ms", 1_001),
        ])
    func durations(text: String, milliseconds: Int64) {
        #expect(DurationText.parse(text) == .milliseconds(milliseconds))
    }

    @Test(
        "text that is not a duration is refused",
        arguments: [
            "", "120", "s", "ms", "1.s", ".5s", "1.5", "1 s", "-1s", "+1s", "1e3ms", "0.5ms", "1,5s", "1.2.3s",
            "10S", "9999999999s", "1.0000001s",
            // Several terms: larger units first, each once, each with its unit.
            "30s1m", "1m1m", "1m30", "1m 30s", "1m-30s", "1d", "1hm",
            // Too long to count in milliseconds: refused, not a crash.
            "999999999.999999m", "999999999.999999h",
        ])
    func notDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(
        "durations are written in the largest whole unit and read back the same",
        arguments: [
            (Duration.milliseconds(90_000), "90s"), (.seconds(120), "2m"), (.milliseconds(1_500), "1500ms"),
            (.seconds(300), "5m"), (.milliseconds(1), "1ms"), (.zero, "0ms"),
        ])
    func formatDurations(duration: Duration, text: String) {
        #expect(DurationText.format(duration) == text)
        #expect(DurationText.parse(text) == duration)
    }
}
