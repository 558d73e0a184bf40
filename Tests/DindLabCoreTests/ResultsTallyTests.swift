import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

@Suite("Results: tally")
struct ResultsTallyTests {
    typealias R = ResultsFixtures

    /// Cell c1: 6 passes, 2 fails (one signature twice... and another once), 1 timeout, 1 error.
    private var mixedCell: [TrialRecord] {
        (1...6).map { R.record($0) } + [
            R.record(7, outcome: .fail, signature: "inner: umount shm: device or resource busy"),
            R.record(8, outcome: .fail, signature: "inner: umount shm: device or resource busy"),
            R.record(9, outcome: .timeout, signature: "inner: (no error output)"),
            R.record(10, outcome: .error, signature: "outer: engine unreachable"),
        ]
    }

    @Test("counts outcomes; the rate leaves errors out")
    func counts() throws {
        let tally = Tally(records: mixedCell)
        let cell = try #require(tally.scenarios.first?.cells.first)
        #expect((cell.trials, cell.passes, cell.fails, cell.timeouts, cell.errors) == (10, 6, 2, 1, 1))
        #expect(cell.successRate == 6.0 / 9.0)
        #expect(cell.interval == ProportionInterval.wilson(successes: 6, trials: 9))
        #expect(cell.cellValues.map(\.key) == ["daemon.start", "inner.mode"])
        #expect(cell.expectation == nil)
    }

    @Test("signatures are counted per outcome, most frequent first, with the earliest trial as example")
    func signatures() throws {
        let shuffled =
            mixedCell.reversed() + [
                R.record(11, outcome: .fail, signature: "inner: (no error output)"),
                R.record(12, outcome: .fail),
            ]
        let cell = try #require(Tally(records: shuffled).scenarios.first?.cells.first)
        #expect(
            cell.signatures == [
                SignatureCount(
                    signature: "inner: umount shm: device or resource busy", outcome: .fail, count: 2,
                    exampleTrialID: "t7"),
                SignatureCount(signature: "(no signature)", outcome: .fail, count: 1, exampleTrialID: "t12"),
                SignatureCount(signature: "inner: (no error output)", outcome: .fail, count: 1, exampleTrialID: "t11"),
                SignatureCount(
                    signature: "inner: (no error output)", outcome: .timeout, count: 1, exampleTrialID: "t9"),
                SignatureCount(
                    signature: "outer: engine unreachable", outcome: .error, count: 1, exampleTrialID: "t10"),
            ])
    }

    @Test("scenarios, cells and engines keep plan order and stay apart")
    func grouping() {
        let records = [
            R.record(4, scenario: "b", cell: "x"),
            R.record(1, scenario: "a", cell: "c2", values: ["daemon.start": "cmd"]),
            R.record(2, scenario: "a", cell: "c1", values: ["daemon.start": "exec"]),
            R.record(3, scenario: "a", cell: "c2", values: ["daemon.start": "cmd"], engine: "engine-1.7"),
            R.record(5, scenario: "a", cell: "c2", values: ["daemon.start": "cmd"], outcome: .fail, signature: "s"),
        ]
        let tally = Tally(records: records)
        #expect(tally.scenarios.map(\.name) == ["a", "b"])
        let a = tally.scenarios[0].cells
        #expect(a.map(\.cellID) == ["c2", "c1", "c2"])
        #expect(a.map(\.engine) == ["host", "host", "engine-1.7"])
        #expect(a.map(\.trials) == [2, 1, 1])
        #expect(a[0].successRate == 0.5)
    }

    @Test("a cell with only errors has no rate, no interval and no verdict")
    func onlyErrors() throws {
        let expectation = try SuccessRateExpectation(parsing: ">= 0.95")
        let tally = Tally(
            records: [R.record(1, outcome: .error, signature: "outer: image missing")],
            expectations: ["exec-vs-cmd": expectation])
        let cell = try #require(tally.scenarios.first?.cells.first)
        #expect(cell.successRate == nil && cell.interval == nil)
        #expect(cell.expectation == ExpectationCheck(expectation: expectation, rateHolds: nil, intervalHolds: nil))
        #expect(tally.violations.isEmpty)
    }

    @Test("expectations are checked per cell, with the strict reading alongside")
    func expectations() throws {
        let expectation = try SuccessRateExpectation(parsing: ">= 0.95")
        // c1: 9 of 10 (rate misses, interval 0.60-0.98 does not prove it); c2: 2 of 10 (proven); c3: 10 of 10.
        let records =
            (1...10).map { R.record($0, cell: "c1", outcome: $0 == 10 ? .fail : .pass, signature: "s") }
            + (11...20).map { R.record($0, cell: "c2", outcome: $0 <= 12 ? .pass : .fail, signature: "s") }
            + (21...30).map { R.record($0, cell: "c3") }
        let tally = Tally(records: records, expectations: ["exec-vs-cmd": expectation])
        let checks = tally.scenarios[0].cells.map(\.expectation)
        #expect(checks.map { $0?.rateHolds } == [false, false, true])
        #expect(checks.map { $0?.intervalHolds } == [true, false, true])
        #expect(tally.violations.map(\.cellID) == ["c1", "c2"])
        #expect(tally.violations.map(\.provenByInterval) == [false, true])
        #expect(tally.violations[1].successRate == 0.2)
        #expect(tally.scenarios[0].expectation == expectation)
    }

    @Test("a summary survives a JSON round trip")
    func summaryRoundTrip() throws {
        let tally = Tally(
            records: mixedCell, expectations: ["exec-vs-cmd": try SuccessRateExpectation(parsing: "> 0.5")])
        let summary = RunSummary(
            runID: R.runID, tally: tally,
            corruptLines: [CorruptLine(lineNumber: 3, reason: "the line is empty", excerpt: "")],
            generatedAt: Date(timeIntervalSince1970: 1_795_000_123.4567))
        let data = try ResultsJSON.encoder(pretty: true).encode(summary)
        #expect(try ResultsJSON.decoder().decode(RunSummary.self, from: data) == summary)
        #expect(String(decoding: data, as: UTF8.self).contains(#""expectation" : "> 0.5""#))
    }
}

@Suite("Results: comparing two cells")
struct ResultsCompareCellsTests {
    @Test("Fisher's test over two cells uses passes against fails and timeouts")
    func compareCells() throws {
        typealias R = ResultsFixtures
        // A good host: 19 passes, 1 fail, 3 errors; a bad one: 2 passes, 17 fails, 1 timeout.
        let good = (1...23).map { R.record($0, engine: "good", outcome: $0 <= 19 ? .pass : $0 == 20 ? .fail : .error) }
        let bad = (24...43).map { R.record($0, engine: "bad", outcome: $0 <= 25 ? .pass : $0 <= 42 ? .fail : .timeout) }
        let cells = Tally(records: good + bad).scenarios[0].cells
        let test = FisherExactTest(comparing: cells[0], with: cells[1])
        #expect((test.a, test.b, test.c, test.d) == (19, 1, 2, 18))
        #expect(abs(test.twoSidedPValue - 5.81951541955411e-08) < 1e-15)  // scipy, as in the Statistics tests
    }
}
