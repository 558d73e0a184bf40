import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

@Suite("Results: streaming reads and tallies")
struct ResultsStreamingTests {
    typealias R = ResultsFixtures

    /// Records over three cells and two engines, with phase durations and signatures.
    static func records(_ count: Int) -> [TrialRecord] {
        (1...count).map { sequence in
            let outcome: TrialOutcome = sequence % 7 == 0 ? .fail : sequence % 11 == 0 ? .timeout : .pass
            var record = R.record(
                sequence, cell: "c\(sequence % 3)", values: ["daemon.start": sequence % 3 == 0 ? "cmd" : "exec"],
                engine: sequence % 5 == 0 ? "old" : "host", outcome: outcome,
                signature: outcome == .pass ? nil : "inner: failure \(sequence % 2)")
            record.phaseDurations = [
                .outer: 0.2 + Double(sequence % 10) / 100, .daemon: 0.5, .inner: Double(sequence) / 1000,
            ]
            return record
        }
    }

    @Test("a tally does not depend on the order of the records")
    func orderIndependent() {
        let records = Self.records(60)
        var generator = R.SeededGenerator(seed: 3)
        #expect(Tally(records: records.shuffled(using: &generator)) == Tally(records: records))
    }

    @Test("accumulators of parts merge into the tally of the whole", arguments: [1, 2, 5, 59])
    func mergeParts(cut: Int) {
        let records = Self.records(60)
        var first = TallyAccumulator()
        var second = TallyAccumulator()
        for record in records[..<cut].reversed() { first.add(record) }
        for record in records[cut...] { second.add(record) }
        first.merge(second)
        #expect(first.tally() == Tally(records: records))
    }

    @Test("phase medians per cell: odd and even counts, phases some trials never reached")
    func phaseMedians() throws {
        var records = (1...4).map { R.record($0) }
        records[0].phaseDurations = [.outer: 1, .daemon: 4]
        records[1].phaseDurations = [.outer: 3, .daemon: 2]
        records[2].phaseDurations = [.outer: 2]
        records[3].phaseDurations = [.outer: 10, .daemon: 3]
        let cell = try #require(Tally(records: records).scenarios.first?.cells.first)
        #expect(cell.phaseMedians == [.outer: 2.5, .daemon: 3])
        #expect(try #require(Tally(records: [R.record(1)]).scenarios.first?.cells.first).phaseMedians == nil)
    }

    @Test("summaries written before phase medians existed still read")
    func oldSummary() throws {
        let summary = RunSummary(runID: R.runID, tally: Tally(records: Self.records(5)))
        var object = try #require(
            try JSONSerialization.jsonObject(with: ResultsJSON.encoder().encode(summary)) as? [String: Any])
        var scenarios = try #require(object["scenarios"] as? [[String: Any]])
        scenarios[0]["cells"] = try #require(scenarios[0]["cells"] as? [[String: Any]]).map { cell in
            var cell = cell
            cell.removeValue(forKey: "phaseMedians")
            return cell
        }
        object["scenarios"] = scenarios
        let old = try ResultsJSON.decoder().decode(
            RunSummary.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.scenarios[0].cells.allSatisfy { $0.phaseMedians == nil })
        #expect(old.scenarios[0].cells.map(\.trials) == summary.scenarios[0].cells.map(\.trials))
    }

    @Test("a file read in parts gives every line once, numbered as in the whole file", arguments: [1, 2, 3, 8])
    func lineRanges(parts: Int) throws {
        let root = try R.TemporaryDirectory()
        defer { root.remove() }
        let url = root.url.appendingPathComponent("lines")
        // Lines of many lengths, one far longer than the reader's buffer, and no final line break.
        var lines = (0..<500).map { String(repeating: "x", count: $0 % 37) + "\($0)" }
        lines[250] = String(repeating: "y", count: 3 << 20)
        try Data(lines.joined(separator: "\n").utf8).write(to: url)

        let ranges = try ResultFiles.lineRanges(of: url, parts: parts, minimumPartBytes: 1)
        #expect(ranges.count <= parts)
        #expect(ranges.first?.lowerBound == 0)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        var read: [String] = []
        var unterminated: [Int] = []
        for range in ranges {
            let base = read.count
            try ResultFiles.forEachLine(in: url, range: range) { bytes, number, last in
                #expect(number == read.count - base + 1)
                read.append(String(decoding: bytes, as: UTF8.self))
                if last { unterminated.append(read.count) }
            }
        }
        #expect(read == lines)
        #expect(unterminated == [lines.count])
    }

    @Test(
        "tallyTrials in parts equals tallying readTrials, corrupt lines numbered as in the file", arguments: [1, 2, 4])
    func tallyInParts(parts: Int) async throws {
        let root = try R.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: R.runID)
        var text = Data()
        for (index, record) in Self.records(300).enumerated() {
            text.append(try ResultsJSON.encoder().encode(record))
            text.append(UInt8(ascii: "\n"))
            if index == 100 { text.append(Data("not a record\n\n".utf8)) }
        }
        text.append(Data(#"{"trialID": "cut"#.utf8))
        try text.write(to: store.trialsURL)

        let log = try await store.readTrials()
        let summary = try await store.tallyTrials(expectations: RunExpectations(), parts: parts, minimumPartBytes: 1)
        #expect(summary.scenarios == Tally(records: log.records).scenarios)
        #expect(summary.corruptLines.map(\.lineNumber) == [102, 103, 303])
        #expect(summary.corruptLines.map(\.lineNumber) == log.corruptLines.map(\.lineNumber))
        #expect(summary.corruptLines.last?.reason.hasPrefix("the last line is incomplete") == true)
    }
}

@Suite("Reports: loaded as a stream")
struct ReportStreamingTests {
    @Test("a report loaded from its folder (records streamed, not kept) equals one made from the records")
    func loadEqualsRecords() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let directory = try await ReportFixtures.mixedRun(in: root.url)
        let store = try ResultStore(opening: directory)
        let log = try await store.readTrials()
        let streamed = try await RunReport.load(runDirectory: directory, strict: false)
        let made = RunReport(directory: directory, manifest: try await store.readManifest(), log: log, strict: false)
        #expect(streamed.trialCount == log.records.count)
        #expect(streamed.summary.scenarios == made.summary.scenarios)
        #expect(streamed.summary.violations == made.summary.violations)
        #expect(streamed.verdict == made.verdict)
        #expect(streamed.missingTrials == made.missingTrials)
        for (scenario, cell) in made.cells {
            #expect(abs(streamed.seconds(of: cell, in: scenario) - made.seconds(of: cell, in: scenario)) < 1e-9)
        }
        #expect(log.records.contains { $0.artifactsPath != nil })
        for record in log.records {
            #expect(streamed.artifactsPath(of: record.trialID) == made.artifactsPath(of: record.trialID))
        }
        #expect(MarkdownReport.render(streamed) == MarkdownReport.render(made))
    }
}
