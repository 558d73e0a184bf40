import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

@Suite("Results: records and manifest coding")
struct ResultsRecordTests {
    @Test("a full trial record survives a JSON round trip")
    func recordRoundTrip() throws {
        var record = ResultsFixtures.record(3, outcome: .fail, signature: "inner: boom")
        record.firstError = "boom 4d5f"
        record.lastError = "docker: Error response from daemon: boom"
        record.errorLineCount = 4
        record.phaseDurations = [.outer: 0.5, .daemon: 2.25, .inner: 1]
        record.innerRuns = [
            InnerRunResult(index: 1, exitCode: 125, outputMatched: false, durationSeconds: 0.75),
            InnerRunResult(index: 2, exitCode: nil),
        ]
        record.artifactsPath = try ResultStore.artifactsPath(for: record.trialID)
        record.notes = ["privileged emulated"]
        let data = try ResultsJSON.encoder().encode(record)
        #expect(!data.contains(UInt8(ascii: "\n")))
        #expect(try ResultsJSON.decoder().decode(TrialRecord.self, from: data) == record)
    }

    @Test("times are ISO 8601 in UTC with milliseconds")
    func isoTimes() throws {
        let json = String(decoding: try ResultsJSON.encoder().encode(ResultsFixtures.record(1)), as: UTF8.self)
        #expect(json.contains(#""startedAt":"2026-11-18T11:06:41.125Z""#))
        #expect(json.contains(#""durationSeconds":1.5"#))
        // Times written without fractions (by hand, or by another tool) are read too.
        let plain = json.replacingOccurrences(of: "41.125Z", with: "41Z")
        #expect(
            try ResultsJSON.decoder().decode(TrialRecord.self, from: Data(plain.utf8)).startedAt
                == Date(timeIntervalSince1970: 1_795_000_001))
    }

    @Test("cell values keep the matrix order through JSON")
    func cellValuesOrder() throws {
        let values: CellValues = ["outer.image": "dindlab/outer:trixie", "daemon.start": "exec", "inner.mode": "d"]
        let data = try ResultsJSON.encoder().encode(values)
        #expect(
            String(decoding: data, as: UTF8.self)
                == #"[{"key":"outer.image","value":"dindlab/outer:trixie"},{"key":"daemon.start","value":"exec"},{"key":"inner.mode","value":"d"}]"#
        )
        let back = try ResultsJSON.decoder().decode(CellValues.self, from: data)
        #expect(back.map(\.key) == ["outer.image", "daemon.start", "inner.mode"])
        #expect(back["daemon.start"] == "exec")
        #expect(back["nope"] == nil)
        #expect(back.description == "outer.image=dindlab/outer:trixie, daemon.start=exec, inner.mode=d")
        #expect(throws: DecodingError.self) {
            try ResultsJSON.decoder().decode(
                CellValues.self, from: Data(#"[{"key":"a","value":"1"},{"key":"a","value":"2"}]"#.utf8))
        }
    }

    @Test("phase durations are an object keyed by phase; unknown phases are refused")
    func phaseDurations() throws {
        let durations: PhaseDurations = [.cleanup: 0.5, .outer: 1.25]
        #expect(
            String(decoding: try ResultsJSON.encoder().encode(durations), as: UTF8.self)
                == #"{"cleanup":0.5,"outer":1.25}"#)
        #expect(durations.inOrder.map(\.phase) == [.outer, .cleanup])
        let error = #expect(throws: DecodingError.self) {
            try ResultsJSON.decoder().decode(PhaseDurations.self, from: Data(#"{"warmup":1}"#.utf8))
        }
        #expect(ResultsJSON.explain(error!).contains("\"warmup\" is not a phase"))
    }

    @Test("a diagnosis fills the failure fields of a record")
    func recordsDiagnosis() {
        var record = ResultsFixtures.record(1, outcome: .fail)
        let diagnosis = FirstErrorFinder().diagnose(
            FailureEvidence(
                phase: .daemon,
                daemonLog: [
                    "ERRO[0000] AUFS was not found in /proc/filesystems",
                    "FATA[0000] Error starting daemon: Devices cgroup isn't mounted",
                ],
                daemonDied: true))
        record.record(diagnosis)
        #expect(record.failingPhase == .daemon)
        #expect(record.signature == "daemon: Error starting daemon: Devices cgroup isn't mounted")
        #expect(record.firstError == "Error starting daemon: Devices cgroup isn't mounted")
        #expect(record.errorLineCount == 2)
    }

    @Test("generated run ids are the UTC time and a random suffix")
    func generatedRunID() {
        var generator = ResultsFixtures.SeededGenerator(seed: 7)
        let id = RunID.generate(at: Date(timeIntervalSince1970: 1_795_000_000.9), using: &generator)
        #expect(id.rawValue.hasPrefix("20261118T110640Z-"))
        #expect(id.rawValue.count == "20261118T110640Z-ab12".count)
        #expect(id.rawValue.suffix(4).allSatisfy { $0.isLowercase || $0.isNumber })
        var again = ResultsFixtures.SeededGenerator(seed: 7)
        #expect(RunID.generate(at: Date(timeIntervalSince1970: 1_795_000_000.9), using: &again) == id)
    }

    @Test(
        "run ids must be able to name a directory",
        arguments: ["", ".", "..", ".hidden", "a/b", "a b", "ü", String(repeating: "x", count: 101)])
    func invalidRunIDs(text: String) {
        #expect(RunID(text) == nil)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([RunID].self, from: JSONEncoder().encode([text]))
        }
    }

    @Test("the manifest survives a JSON round trip")
    func manifestRoundTrip() throws {
        let manifest = RunManifest(
            runID: ResultsFixtures.runID, startedAt: ResultsFixtures.start,
            finishedAt: ResultsFixtures.start.addingTimeInterval(60),
            commandLine: ["dindlab", "run", "Scenarios/exec-vs-cmd.yaml", "--seed", "42"], seed: 42,
            scenarioFiles: [.init(path: "Scenarios/exec-vs-cmd.yaml", sha256: String(repeating: "ab", count: 32))],
            engines: [
                .init(
                    name: "host", endpoint: "unix:///var/run/docker.sock",
                    fingerprint: EngineFingerprint(
                        daemonVersion: "20.10.24", apiVersion: "1.41", minAPIVersion: "1.12",
                        kernelVersion: "6.1.0-18-amd64",
                        operatingSystem: "Debian GNU/Linux 12 (bookworm)", storageDriver: "overlay2",
                        cgroupDriver: "systemd",
                        cgroupVersion: "2", daemonCgroupLines: ["0::/system.slice/docker.service"],
                        privilegedSupported: false, privilegedEmulated: true))
            ])
        #expect(manifest.harnessVersion == Harness.version)
        let data = try ResultsJSON.encoder(pretty: true).encode(manifest)
        #expect(try ResultsJSON.decoder().decode(RunManifest.self, from: data) == manifest)
    }
}

@Suite("Results: timestamps")
struct ResultsTimestampTests {
    @Test(
        "reads ISO 8601 with any fraction and offset",
        arguments: [
            ("2026-11-18T11:06:41.125Z", 1_795_000_001.125),
            ("2026-11-18T11:06:41Z", 1_795_000_001.0),
            ("2016-10-14T15:36:08.573444334+08:00", 1_476_430_568.573),
            ("2022-12-11T09:32:02.718328123+03:30", 1_670_738_522.718),
            ("1969-12-31T23:59:59.500Z", -0.5),
        ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(date == Date(timeIntervalSince1970: seconds))
    }

    @Test(
        "refuses what is not a time", arguments: ["", "yesterday", "2026-11-18 11:06:41", "2026-11-18T11:06:41+0800"])
    func refuses(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("any time survives writing and reading back, to the millisecond")
    func roundTrip() {
        var generator = ResultsFixtures.SeededGenerator(seed: 11)
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -1e9...4e9, using: &generator))
            let back = Timestamp.parse(Timestamp.format(date))
            #expect(back == Timestamp.rounded(date))
            #expect(abs(date.timeIntervalSince(back!)) <= 0.0005 + 1e-9)
        }
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }
}
