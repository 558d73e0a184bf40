import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// `dindlab history`'s core: reading trials.jsonl lines, classifying cells, grouping run
/// folders into nights.
@Suite("History: scanning, classes, nights")
struct HistoryTests {
    // MARK: - Scanning trials.jsonl

    /// Scans a line; the fields kept as places in the line are made into text.
    static func scan(_ line: Data) throws -> (fields: TrialLineScanner.Fields, trialID: String, artifactsPath: String?)
    {
        try line.withUnsafeBytes { bytes in
            let fields = try TrialLineScanner.scan(bytes)
            return (fields, fields.trialID.text(in: bytes), fields.artifactsPath?.text(in: bytes))
        }
    }

    static let nasty = "daemon: \"quoted\" \\ back/slash\ttab\nline é ✓ 𝄞 \u{1}"

    @Test(
        "the scanner reads what JSONDecoder reads from records the encoder wrote",
        arguments: [
            (TrialOutcome.pass, nil as String?, nil as String?),
            (.fail, nasty, "artifacts/x-c1-t0"),
            (.timeout, "inner: timed out after <n>s", nil),
            (.error, "", "artifacts/e"),
        ])
    func scansEncodedRecords(outcome: TrialOutcome, signature: String?, artifacts: String?) throws {
        var record = ResultsFixtures.record(
            7, scenario: "modes", cell: "daemon.start=exec,inner.mode=ti", engine: "v17", outcome: outcome,
            signature: signature)
        record.artifactsPath = artifacts
        record.notes = ["privileged emulated", "{\"not\": [\"a key\"]}"]
        record.innerRuns = [InnerRunResult(index: 1, exitCode: nil, outputMatched: false, durationSeconds: 0.5)]
        let line = try ResultsJSON.encoder().encode(record)
        let (fields, trialID, artifactsPath) = try Self.scan(line)
        #expect(fields.scenario == "modes" && fields.cellID == record.cellID && fields.engine == "v17")
        #expect(fields.outcome == outcome && trialID == "t7")
        #expect(fields.signature == signature)
        #expect(artifactsPath == artifacts)
        let values = try #require(fields.cellValues)
        #expect(try JSONDecoder().decode(CellValues.self, from: line[values]) == record.cellValues)
    }

    @Test("escapes are decoded: \\u, surrogate pairs, \\/ and the short ones")
    func escapes() throws {
        let line =
            #"{"scenario":"s\u00e9","cellID":"a\/b","engine":"e\n\"x\"","outcome":"f\u0061il","trialID":"t\ud834\udd1e","signature":"\\\t\b\f\r"}"#
        let (fields, trialID, _) = try Self.scan(Data(line.utf8))
        #expect(fields.scenario == "sé" && fields.cellID == "a/b" && fields.engine == "e\n\"x\"")
        #expect(trialID == "t𝄞" && fields.signature == "\\\t\u{8}\u{C}\r" && fields.outcome == .fail)
    }

    @Test(
        "lines that are not records are refused with the reason",
        arguments: [
            ("", "not a JSON object"),
            ("[1, 2]", "not a JSON object"),
            (#"{"scenario":"s","cellID":"c","engine":"e","trialID":"t"}"#, "no outcome field"),
            (
                #"{"scenario":"s","cellID":"c","engine":"e","trialID":"t","outcome":"maybe"}"#,
                "\"maybe\" is not an outcome"
            ),
            (
                #"{"scenario":"s","cellID":"c","engine":"e","trialID":"t","outcome":"pass"} x"#,
                "unexpected text after the record"
            ),
            (#"{"scenario":"s","cellID":"c","engine":"e","trialID":"t","outcome":"pa"#, "a string does not end"),
            (#"{"scenario":"s","cellID":3,"engine":"e","trialID":"t","outcome":"pass"}"#, "cellID is not a string"),
            (#"{"scenario":"s","notes":["a",{"b":[1,2}"#, "does not end"),
            (#"{"scenario" "s"}"#, "expected ':'"),
            (#"{"signature":"\q"}"#, "not a JSON escape"),
            (
                #"{"scenario":"s","cellID":"c","engine":"e","trialID":"t","outcome":"pass","signature":nul}"#,
                "expected a string or null"
            ),
            (
                #"{"scenario":"s","cellID":"c","engine":"e","trialID":"t","outcome":"fail","signature":null,"x":1#}"#,
                "unexpected character '#'"
            ),
        ])
    func refusesBadLines(line: String, reason: String) {
        do {
            _ = try Self.scan(Data(line.utf8))
            Issue.record("the line was read as a record: \(line)")
        } catch let error as TrialLineScanner.Failure {
            #expect(error.reason.contains(reason), "\(error.reason)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    // MARK: - Classes

    static func entry(_ passes: Int, _ fails: Int, errors: Int = 0, skipped: String? = nil) -> HistoryEntry? {
        HistoryEntry(passes: passes, fails: fails, errors: errors, skippedReason: skipped)
    }

    @Test(
        "each class from a cell's nights (oldest first)",
        arguments: [
            ([entry(10, 0), entry(10, 0), entry(10, 0), entry(10, 0), entry(4, 6)], HistoryClass.regressed),
            ([entry(7, 3), entry(7, 3), entry(7, 3), entry(7, 3), entry(7, 3)], .flaky),
            ([entry(7, 3), entry(7, 3), entry(7, 3), entry(7, 3), entry(10, 0)], .flaky),
            ([entry(10, 0), entry(10, 0), entry(10, 0)], .passing),
            ([entry(0, 10), entry(0, 10), entry(0, 10)], .failing),
            ([entry(0, 10), entry(0, 10), entry(0, 10), entry(10, 0)], .recovered),
            ([nil, nil, entry(3, 0)], .new),
            ([entry(10, 0), entry(10, 0), nil], .gone),
            (
                [entry(10, 0), entry(0, 0, skipped: "the outer image dindlab/outer:1.7.1 is not on the engine")],
                .noRate
            ),
            ([entry(10, 0), entry(0, 0, errors: 4)], .noRate),
            // Fewer than 10 trials over the recent nights: the latest night alone decides.
            ([entry(0, 2), entry(2, 0)], .passing),
            ([entry(2, 0), entry(1, 1)], .flaky),
        ])
    func classes(entries: [HistoryEntry?], expected: HistoryClass) {
        var cells = [
            HistoryCell(
                scenario: "s", cellID: "c", cellValues: [:], engine: nil, entries: entries,
                trend: CellTrend(classification: .passing))
        ]
        HistoryClassifier(window: 7).classify(&cells)
        #expect(cells[0].trend.classification == expected)
    }

    @Test("the window pools only the nights in which the cell ran, up to its size")
    func window() {
        // 20 passing nights, then 6 failing ones, then a night of 5 of 10: against the last
        // three nights (all failing) it recovered; against all of them it is only flaky.
        let entries =
            Array(repeating: Self.entry(10, 0), count: 20) + [nil] + Array(repeating: Self.entry(0, 10), count: 6) + [
                Self.entry(5, 5)
            ]
        var short = [
            HistoryCell(
                scenario: "s", cellID: "c", cellValues: [:], engine: nil, entries: entries,
                trend: CellTrend(classification: .passing))
        ]
        HistoryClassifier(window: 3).classify(&short)
        #expect(short[0].trend.classification == .recovered)
        #expect(short[0].trend.window == HistoryCounts(passes: 0, failures: 30, nights: 3))
        var long = short
        HistoryClassifier(window: 30).classify(&long)
        #expect(long[0].trend.window == HistoryCounts(passes: 200, failures: 60, nights: 26))
        #expect(long[0].trend.classification == .flaky)
    }

    @Test("Holm's adjustment is over every tested cell: one borderline regression among many cells is not called")
    func holmOverCells() throws {
        // 2 of 10 failed against 0 of 40: Fisher p = 0.04 alone, but not after adjusting over 20 cells.
        let borderline: [HistoryEntry?] = Array(repeating: Self.entry(10, 0), count: 4) + [Self.entry(8, 2)]
        let steady: [HistoryEntry?] = Array(repeating: Self.entry(10, 0), count: 5)
        var alone = [
            HistoryCell(
                scenario: "s", cellID: "b", cellValues: [:], engine: nil, entries: borderline,
                trend: CellTrend(classification: .passing))
        ]
        HistoryClassifier(window: 7).classify(&alone)
        let p = try #require(alone[0].trend.pValue)
        #expect(abs(p - 45.0 / 1225) < 1e-9)
        #expect(alone[0].trend.classification == .regressed)
        var many =
            alone
            + (0..<19).map {
                HistoryCell(
                    scenario: "s", cellID: "c\($0)", cellValues: [:], engine: nil, entries: steady,
                    trend: CellTrend(classification: .passing))
            }
        HistoryClassifier(window: 7).classify(&many)
        #expect(many[0].trend.classification == .flaky)
        #expect(many[0].trend.adjustedPValue.map { abs($0 - min(1, 20 * p)) < 1e-12 } == true)
        #expect(many[0].trend.testedCells == 20)
    }

    // MARK: - Reading run folders

    @Test("the Done-when's five nights: steady regressed with its p-value, flaky not")
    func fiveNights() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        try await HistoryFixtures.fiveNights(in: root.url)
        let history = try HistoryReader.read([root.url])
        #expect(history.nights.map(\.runID.rawValue) == ["night-1", "night-2", "night-3", "night-4", "night-5"])
        let steady = try #require(history.cells.first { $0.cellID == "role=steady" })
        let flaky = try #require(history.cells.first { $0.cellID == "role=flaky" })
        #expect(steady.trend.classification == .regressed)
        #expect(flaky.trend.classification == .flaky)
        // [[4, 6], [40, 0]]: p = C(10,6)/C(50,6) ≈ 1.3e-5, doubled by Holm over two cells.
        let p = try #require(steady.trend.pValue)
        #expect(abs(p - 210.0 / 15_890_700) < 1e-9)
        #expect(abs((steady.trend.adjustedPValue ?? 0) - 2 * p) < 1e-9)
        #expect(
            history.explanation(of: steady).contains("6 of 10 failed, against 0 of 40 failed in the 4 nights before"))
        // The steady cell's signature first appeared on the fifth night.
        let new = try #require(history.signatures.first)
        #expect(
            new.signature == "inner: umount <path>/shm: device or resource busy" && new.firstNight == 4
                && new.cells == ["role=steady"])
        #expect(new.exampleArtifactsPath == "artifacts/nightly-c0-t0")
        #expect(history.signatures.last?.firstNight == 0 && history.signatures.last?.nightCount == 5)
        #expect(history.recentSignatures(nights: 1).map(\.signature) == [new.signature])
    }

    @Test("nights are ordered by start time, not by folder name; --last keeps the newest")
    func order() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        for (name, day) in [("b-first", 0.0), ("a-third", 2), ("c-second", 1)] {
            try await HistoryFixtures.night(
                in: root.url, runID: name, day: day, cells: [.role("x", passes: 5, fails: 0)])
        }
        #expect(try HistoryReader.read([root.url]).nights.map(\.runID.rawValue) == ["b-first", "c-second", "a-third"])
        #expect(try HistoryReader.read([root.url], last: 2).nights.map(\.runID.rawValue) == ["c-second", "a-third"])
        #expect(throws: HistoryError.badLast(0)) { try HistoryReader.read([root.url], last: 0) }
    }

    @Test(
        "a merged run stands for its shards; unmerged shards of one plan make one night; a run found twice counts once")
    func shardsAndMerges() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let shards = root.url.appendingPathComponent("shards")
        let merged = root.url.appendingPathComponent("merged")
        // Night 1: two shards and their merge. Night 2: two shards, never merged.
        for (index, name) in ["s1", "s2"].enumerated() {
            try await HistoryFixtures.night(
                in: shards, runID: name, day: 0, cells: [.role("a\(index)", passes: 5, fails: 0)],
                seed: 1, shard: Plan.Shard(index: index + 1, count: 2), cellIndexOffset: index)
            try await HistoryFixtures.night(
                in: shards, runID: "u\(index + 1)", day: 1.01 + Double(index) / 100,
                cells: [.role("a\(index)", passes: 4, fails: 1)],
                seed: 2, shard: Plan.Shard(index: index + 1, count: 2), cellIndexOffset: index)
        }
        try await HistoryFixtures.night(
            in: merged, runID: "nightly-1", day: 0,
            cells: [.role("a0", passes: 5, fails: 0), .role("a1", passes: 5, fails: 0)],
            seed: 1, mergedFrom: ["s1", "s2"])
        // The same merged run again, as a CI cache restored beside a fresh download would hold it.
        let copy = root.url.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: merged.appendingPathComponent("nightly-1"), to: copy.appendingPathComponent("nightly-1"))

        let history = try HistoryReader.read([merged, shards, copy])
        #expect(history.nights.count == 2)
        #expect(
            history.nights[0].runIDs.map(\.rawValue) == ["nightly-1"]
                && history.nights[0].provenance == "merged from 2 shards")
        #expect(
            history.nights[1].runIDs.map(\.rawValue) == ["u1", "u2"]
                && history.nights[1].provenance == "shards 1/2, 2/2 (not merged)")
        #expect(history.nights.map(\.trialCount) == [10, 10])
        #expect(history.cells.map(\.cellID) == ["role=a0", "role=a1"])
        #expect(history.cells.allSatisfy { $0.entries.map { $0?.counted } == [5, 5] })
        #expect(history.warnings.contains { $0.contains("2 shard runs were read through the merged run") })
        #expect(history.warnings.contains { $0.contains("nightly-1 is in both") })
    }

    @Test("skipped cells are entries without a rate; a cell missing from the latest night is gone; a new one is new")
    func skippedGoneNew() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        try await HistoryFixtures.night(
            in: root.url, runID: "n1", day: 0,
            cells: [.role("old", passes: 10, fails: 0), .role("v17", passes: 10, fails: 0)])
        try await HistoryFixtures.night(
            in: root.url, runID: "n2", day: 1, cells: [.role("new", passes: 3, fails: 1)],
            skipped: [("role=v17", "the outer image dindlab/outer:1.7.1 is not on the engine default")])
        let history = try HistoryReader.read([root.url])
        let classes = Dictionary(uniqueKeysWithValues: history.cells.map { ($0.cellID, $0.trend.classification) })
        #expect(classes == ["role=old": .gone, "role=v17": .noRate, "role=new": .new])
        let skipped = try #require(history.cells.first { $0.cellID == "role=v17" }?.entries.last ?? nil)
        #expect(skipped.skippedReason?.contains("1.7.1") == true && skipped.successRate == nil)
        #expect(
            history.explanation(of: history.cells.first { $0.cellID == "role=v17" }!).contains(
                "skipped: the outer image"))
    }

    @Test("a scenario file that changed is marked at the night it changed, and the history is not split")
    func scenarioChange() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        for day in 0..<3 {
            try await HistoryFixtures.night(
                in: root.url, runID: "n\(day)", day: Double(day), cells: [.role("x", passes: 10, fails: 0)],
                scenarioSHA: String(repeating: day < 2 ? "a" : "b", count: 64))
        }
        let history = try HistoryReader.read([root.url])
        #expect(history.cells.count == 1 && history.cells[0].entries.allSatisfy { $0 != nil })
        #expect(
            history.scenarioChanges == [
                ScenarioFileChange(
                    scenario: "nightly", night: 2, previousSHA256: String(repeating: "a", count: 64),
                    sha256: String(repeating: "b", count: 64))
            ])
        #expect(
            HistoryReport.terminal(history).contains(
                "the scenario file changed on \(history.columnLabels[2]) (run n2; sha256 aaaaaaaaaaaa… → bbbbbbbbbbbb…)"
            ))
    }

    @Test("cells are told apart by engine only when some night ran on several")
    func engines() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        try await HistoryFixtures.night(
            in: root.url, runID: "n1", day: 0, cells: [.role("x", passes: 10, fails: 0)], engine: "old-host")
        try await HistoryFixtures.night(
            in: root.url, runID: "n2", day: 1, cells: [.role("x", passes: 10, fails: 0)], engine: "new-host")
        let history = try HistoryReader.read([root.url])
        #expect(!history.showsEngines && history.cells.count == 1 && history.cells[0].trend.classification == .passing)
    }

    @Test("a corrupt line is named and skipped; an unreadable manifest leaves its run out; a missing path is an error")
    func badInput() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let good = try await HistoryFixtures.night(
            in: root.url, runID: "n1", day: 0, cells: [.role("x", passes: 3, fails: 0)])
        let handle = try FileHandle(forWritingTo: good.appendingPathComponent("trials.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"scenario\": \"nightly\", \"cellID\"\n".utf8))
        try handle.close()
        let broken = try await HistoryFixtures.night(
            in: root.url, runID: "n2", day: 1, cells: [.role("x", passes: 3, fails: 0)])
        try Data("{".utf8).write(to: broken.appendingPathComponent("manifest.json"))
        let history = try HistoryReader.read([root.url])
        let expected = HistoryEntry(passes: 3, expectation: try SuccessRateExpectation(parsing: ">= 0.9"))
        #expect(history.nights.count == 1 && history.cells[0].entries == [expected])
        #expect(
            history.warnings.contains {
                $0.contains("n1/trials.jsonl: 1 line is not a trial record") && $0.contains("line 4")
            })
        #expect(history.warnings.contains { $0.contains("n2/manifest.json is not valid") })
        #expect(throws: HistoryError.noSuchPath(root.url.appendingPathComponent("nope").path)) {
            try HistoryReader.read([root.url.appendingPathComponent("nope")])
        }
        let empty = root.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: HistoryError.noRuns([empty.path])) { try HistoryReader.read([empty]) }
    }

    @Test("the JSON has one entry per night per cell, null where absent, and paths relative to the file")
    func json() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        try await HistoryFixtures.fiveNights(in: root.url.appendingPathComponent("history"))
        try await HistoryFixtures.night(
            in: root.url.appendingPathComponent("history"), runID: "night-6", day: 5,
            cells: [.role("steady", passes: 10, fails: 0)])
        let history = try HistoryReader.read([root.url.appendingPathComponent("history")])
        let file = root.url.appendingPathComponent("site/history.json")
        try history.write(json: file)
        let document = try ResultsJSON.decoder().decode(HistoryJSON.self, from: Data(contentsOf: file))
        #expect(document.nights.map(\.report) == (1...6).map { "../history/night-\($0)/report.html" })
        let flaky = try #require(document.cells.first { $0.cellID == "role=flaky" })
        #expect(flaky.classification == .gone && flaky.entries.count == 6 && flaky.entries[5] == nil)
        #expect(flaky.entries[0]?.fails == 3 && flaky.entries[0]?.expectationHolds == false)
        let steady = try #require(document.cells.first { $0.cellID == "role=steady" })
        // One clean night after the regression is not evidence of recovery: passes and failures both.
        #expect(steady.classification == .flaky)
        #expect(document.signatures.first?.exampleArtifacts == "../history/night-5/artifacts/nightly-c0-t0/")
    }
}

extension HistoryTests {
    @Test("column headers stay apart: minutes, then seconds, then the night's number")
    func columnLabels() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        for (name, day) in [("a", 0.0), ("b", 1), ("c", 1 + 10.0 / 86_400), ("d", 1 + 10.0 / 86_400)] {
            try await HistoryFixtures.night(
                in: root.url, runID: name, day: day, cells: [.role("x", passes: 1, fails: 0)])
        }
        let all = try HistoryReader.read([root.url]).columnLabels
        #expect(all == ["12-01 03:17:00 #1", "12-02 03:17:00 #2", "12-02 03:17:10 #3", "12-02 03:17:10 #4"])
        #expect(
            try HistoryReader.read([root.url], last: 3).columnLabels == [
                "12-02 03:17:00 #1", "12-02 03:17:10 #2", "12-02 03:17:10 #3",
            ])
        #expect(try HistoryReader.read([root.url], last: 2).columnLabels.count == 2)
        let twoNights = try HistoryReader.read([
            root.url.appendingPathComponent("a"), root.url.appendingPathComponent("b"),
        ])
        #expect(twoNights.columnLabels == ["12-01 03:17", "12-02 03:17"])
    }
}

extension HistoryTests {
    @Test(
        "shards of two nights that share a seed are two nights; a run that recorded nothing is left out, not a night where every cell is gone"
    )
    func reusedSeedAndEmptyRun() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        for day in 0..<2 {
            for index in 1...2 {
                try await HistoryFixtures.night(
                    in: root.url, runID: "d\(day)-s\(index)", day: Double(day) + Double(index) / 1000,
                    cells: [.role("a\(index)", passes: 3, fails: 0)], seed: 7,
                    shard: Plan.Shard(index: index, count: 2), cellIndexOffset: index)
            }
        }
        try await HistoryFixtures.night(in: root.url, runID: "crashed", day: 2, cells: [])
        let history = try HistoryReader.read([root.url])
        #expect(history.nights.map { $0.runIDs.map(\.rawValue) } == [["d0-s1", "d0-s2"], ["d1-s1", "d1-s2"]])
        #expect(history.cells.allSatisfy { $0.trend.classification == .passing })
        #expect(history.warnings.contains { $0.hasSuffix("crashed recorded no trial; left out of the history.") })
        #expect(throws: HistoryError.noTrials([root.url.appendingPathComponent("crashed").path])) {
            try HistoryReader.read([root.url.appendingPathComponent("crashed")])
        }
    }
}
