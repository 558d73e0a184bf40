import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// Judging cells and runs: expectations by rate or (with --strict) by interval, exit statuses
/// 0/1/2, and the expectations the manifest records per cell.
@Suite("Reports: judgements and exit status")
struct ReportJudgementTests {
    static func cell(passes: Int, fails: Int = 0, timeouts: Int = 0, errors: Int = 0, expect: String?) throws
        -> CellTally
    {
        var records: [TrialRecord] = []
        for (outcome, count) in [(TrialOutcome.pass, passes), (.fail, fails), (.timeout, timeouts), (.error, errors)] {
            for _ in 0..<count {
                records.append(
                    ResultsFixtures.record(
                        records.count, outcome: outcome, signature: outcome == .pass ? nil : "inner: \(outcome)"))
            }
        }
        let expectations = try expect.map { ["exec-vs-cmd": try SuccessRateExpectation(parsing: $0)] } ?? [:]
        return try #require(Tally(records: records, expectations: expectations).scenarios.first?.cells.first)
    }

    @Test(
        "cells are judged by rate, or by interval with strict",
        arguments: [
            // passes, fails, timeouts, errors, expectation, strict, verdict
            (10, 0, 0, 0, ">= 0.9", false, CellJudgement.Verdict.passed),
            (8, 2, 0, 0, ">= 0.9", false, .expectationFailed),  // 80% [49%, 94%]
            (8, 2, 0, 0, ">= 0.9", true, .passed),  // the interval reaches 90%
            (2, 8, 0, 0, ">= 0.9", true, .expectationFailed),  // 20% [6%, 51%]: all of it misses
            (0, 0, 0, 3, ">= 0.9", false, .notJudged),
            (0, 0, 0, 3, nil, true, .notJudged),
            (4, 0, 1, 5, nil, false, .trialsFailed),  // errors don't count; a timeout does
            (4, 0, 0, 5, nil, false, .passed),
            (0, 5, 0, 0, "<= 0.1", false, .passed),  // an expected failure holds
            (3, 2, 0, 0, "== 1", true, .expectationFailed),  // 60% [23%, 88%] excludes 1
        ] as [(Int, Int, Int, Int, String?, Bool, CellJudgement.Verdict)])
    func judgements(
        passes: Int, fails: Int, timeouts: Int, errors: Int, expect: String?, strict: Bool,
        verdict: CellJudgement.Verdict
    ) throws {
        let tally = try Self.cell(passes: passes, fails: fails, timeouts: timeouts, errors: errors, expect: expect)
        let judgement = CellJudgement(tally, strict: strict)
        #expect(judgement.verdict == verdict, "\(judgement.explanation)")
        #expect(!judgement.explanation.hasSuffix("."))
    }

    @Test("explanations give the rate, the interval and the expectation")
    func explanations() throws {
        let failing = CellJudgement(try Self.cell(passes: 2, fails: 8, expect: ">= 0.9"), strict: true)
        #expect(
            failing.explanation
                == "success rate 20.0% [5.7%, 51.0%] over 10 trials does not satisfy >= 0.9, and neither does any rate in its 95% interval"
        )
        let lenient = CellJudgement(try Self.cell(passes: 8, fails: 2, expect: ">= 0.9"), strict: true)
        #expect(lenient.explanation.contains("misses >= 0.9, but its 95% interval reaches it"))
        let errors = CellJudgement(try Self.cell(passes: 0, errors: 1, expect: nil), strict: false)
        #expect(errors.explanation == "all 1 trial was a harness or engine error, so there is no success rate to judge")
    }

    @Test(
        "exit status: 0 all hold, 1 an expectation failed, 2 nothing to judge; 1 wins over 2",
        arguments: [
            // cells as (passes, fails, errors), expectation, strict, missing trials, exit code
            ([(10, 0, 0)], ">= 0.9", false, 0, Int32(0)),
            ([(10, 0, 0), (8, 2, 0)], ">= 0.9", false, 0, 1),
            ([(10, 0, 0), (8, 2, 0)], ">= 0.9", true, 0, 0),
            ([(10, 0, 0), (0, 0, 4)], ">= 0.9", false, 0, 2),
            ([(9, 0, 1)], ">= 0.9", false, 0, 0),  // some errors, still judged
            ([(2, 8, 0), (0, 0, 4)], ">= 0.9", false, 0, 1),
            ([(1, 9, 0)], nil, false, 0, 0),  // failures without an expectation
            ([(10, 0, 0)], ">= 0.9", false, 3, 2),  // a shard never reported
        ] as [([(Int, Int, Int)], String?, Bool, Int, Int32)])
    func exitStatus(cells: [(Int, Int, Int)], expect: String?, strict: Bool, missing: Int, code: Int32) throws {
        var records: [TrialRecord] = []
        for (index, cell) in cells.enumerated() {
            for (outcome, count) in [(TrialOutcome.pass, cell.0), (.fail, cell.1), (.error, cell.2)] {
                for _ in 0..<count {
                    records.append(ResultsFixtures.record(records.count, cell: "c\(index)", outcome: outcome))
                }
            }
        }
        let expectations = try expect.map { ["exec-vs-cmd": try SuccessRateExpectation(parsing: $0)] } ?? [:]
        let summary = RunSummary(
            runID: ResultsFixtures.runID, tally: Tally(records: records, expectations: expectations))
        let verdict = RunVerdict(summary, strict: strict, missingTrials: missing)
        #expect(verdict.exitCode == code, "\(verdict.description)")
        #expect(verdict.reasons.isEmpty == (code == 0))
    }

    @Test("a matrix that varies expect.success-rate gives each cell its own expectation, recorded in the manifest")
    func perCellExpectations() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan(
            [
                """
                version: 1
                name: graded
                repeat: 2
                outer: {image: i}
                expect: {success-rate: ">= 0.9"}
                matrix:
                  inner.mode: [ti, d]
                  expect.success-rate: [">= 0.9", "<= 0.5"]

                """
            ], in: root.url)
        let expectations = RunExpectations(of: plan)
        #expect(expectations.expectation(scenario: "graded") == (try SuccessRateExpectation(.atLeast, 0.9)))
        #expect(
            expectations.expectation(scenario: "graded", cellID: "inner.mode=d,expect.success-rate=<= 0.5")
                == (try SuccessRateExpectation(.atMost, 0.5)))
        #expect(
            expectations.expectation(scenario: "graded", cellID: "inner.mode=d,expect.success-rate=>= 0.9")
                == (try SuccessRateExpectation(.atLeast, 0.9)))
        #expect(expectations.scenarios["graded"]?.cells.count == 2, "only the cells that differ are listed")

        // Every trial fails: the ">= 0.9" cells violate, the "<= 0.5" cells hold; read back from the folder.
        let directory = try await ReportFixtures.writeRun(
            plan, files: files, in: root.url, runID: ResultsFixtures.runID
        ) { _ in (.fail, "inner: no") }
        let report = try await RunReport.load(runDirectory: directory, strict: false)
        #expect(report.manifest.expectations == expectations)
        let verdicts = Dictionary(
            uniqueKeysWithValues: report.cells.map { ($0.cell.cellID, report.judgement(of: $0.cell).verdict) })
        #expect(
            verdicts == [
                "inner.mode=ti,expect.success-rate=>= 0.9": .expectationFailed,
                "inner.mode=ti,expect.success-rate=<= 0.5": .passed,
                "inner.mode=d,expect.success-rate=>= 0.9": .expectationFailed,
                "inner.mode=d,expect.success-rate=<= 0.5": .passed,
            ])
    }

    @Test("a manifest without the new fields (an older run) still reads, judged without expectations")
    func olderManifest() throws {
        let json = """
            {"commandLine":["dindlab","run"],"engines":[],"harnessVersion":"0.1.0","runID":"20261129T112233Z-ab12",
             "scenarioFiles":[],"seed":7,"startedAt":"2026-11-29T11:22:33.000Z"}
            """
        let manifest = try ResultsJSON.decoder().decode(RunManifest.self, from: Data(json.utf8))
        #expect(
            manifest.expectations == nil && manifest.shard == nil && manifest.plannedTrials == nil
                && manifest.mergedFrom == nil)
    }
}
