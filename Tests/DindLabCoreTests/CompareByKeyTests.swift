import Foundation
import Testing

@testable import DindLabCore

@Suite("Compare: levels of one key within a run")
struct CompareByKeyTests {
    typealias F = CompareFixtures

    /// A 2 x 3 matrix, daemon.start varying slowest: cells 0-2 are cmd, 3-5 exec; images
    /// in the order 20.10.5, 20.10.24, 26.1.5. Trials are listed in another order than the
    /// matrix to show that the report follows the matrix.
    var run: RunRecords {
        let images = ["dindlab/outer:bullseye", "dindlab/outer:bookworm", "dindlab/outer:trixie"]
        var records: [TrialRecord] = []
        for (startIndex, start) in ["cmd", "exec"].enumerated() {
            for (imageIndex, image) in images.enumerated() {
                let index = startIndex * 3 + imageIndex
                let values: CellValues = ["daemon.start": start, "outer.image": image]
                let fails = start == "exec" && image.hasSuffix("trixie") ? 10 : 1
                records += F.cell(
                    "matrix", index: index, id: values.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                    values: values, passes: 20 - fails, fails: fails, firstSequence: (5 - index) * 100)
            }
        }
        return F.run("R", records)
    }

    @Test("each level is compared with the first level of the matrix, within groups that agree on the other keys")
    func baselineIsFirstLevel() throws {
        let comparison = try Comparison(run, by: "outer.image")
        #expect(
            comparison.rows.map(\.group) == [
                "daemon.start=cmd", "daemon.start=cmd", "daemon.start=exec", "daemon.start=exec",
            ])
        #expect(
            comparison.rows.map(\.baseline.label) == Array(repeating: "outer.image=dindlab/outer:bullseye", count: 4))
        #expect(
            comparison.rows.map(\.other.label) == [
                "outer.image=dindlab/outer:bookworm", "outer.image=dindlab/outer:trixie",
                "outer.image=dindlab/outer:bookworm", "outer.image=dindlab/outer:trixie",
            ])
        // Only exec on trixie (10 of 20 fail, against 1 of 20) stands out.
        #expect(comparison.significantRows.map(\.other.label) == ["outer.image=dindlab/outer:trixie"])
        #expect(comparison.significantRows.first?.group == "daemon.start=exec")
        #expect(comparison.unmatched.isEmpty)
        #expect(comparison.title.contains("baseline outer.image=dindlab/outer:bullseye"))
    }

    @Test("--baseline picks another level")
    func chosenBaseline() throws {
        let comparison = try Comparison(run, by: "daemon.start", baseline: "exec")
        #expect(comparison.rows.count == 3)
        #expect(
            comparison.rows.allSatisfy {
                $0.baseline.label == "daemon.start=exec" && $0.other.label == "daemon.start=cmd"
            })
        #expect(
            comparison.rows.map(\.group) == [
                "outer.image=dindlab/outer:bullseye", "outer.image=dindlab/outer:bookworm",
                "outer.image=dindlab/outer:trixie",
            ])
    }

    @Test("an unknown key or baseline is an error that lists what there is")
    func errors() {
        #expect(throws: CompareError.unknownKey("inner.mode", keys: ["engine", "daemon.start", "outer.image"])) {
            try Comparison(run, by: "inner.mode")
        }
        #expect(throws: CompareError.unknownBaseline("kubelet", key: "daemon.start", levels: ["cmd", "exec"])) {
            try Comparison(run, by: "daemon.start", baseline: "kubelet")
        }
        #expect(
            CompareError.unknownKey("inner.mode", keys: ["engine", "outer.image"]).description
                == "The run's cells have no key \"inner.mode\" to compare by; use one of: engine, outer.image.")
    }

    @Test("by engine: each cell on each engine against the first engine of the manifest")
    func byEngine() throws {
        let records =
            F.cell(engine: "good", passes: 19, fails: 1)
            + F.cell(engine: "bad", passes: 2, fails: 18, firstSequence: 20)
            + F.cell(index: 1, id: "other", engine: "bad", passes: 5, fails: 0, firstSequence: 40)
        let comparison = try Comparison(F.run("R", records, engines: ["good", "bad"]), by: "engine")
        #expect(comparison.rows.count == 1)
        let row = try #require(comparison.rows.first)
        #expect(row.baseline.label == "engine=good" && row.other.label == "engine=bad")
        #expect(row.isSignificant())
        // "other" ran on the bad engine only: no baseline to compare with.
        #expect(comparison.unmatched.map(\.cellID) == ["other"])
        #expect(ComparisonReport.terminal(comparison).contains("Cells without the baseline level"))
    }

    @Test("by engine when the matrix names the engine: the engine is the level, the other keys the group")
    func engineInMatrix() throws {
        let records =
            F.cell(index: 0, id: "engine=v17", values: ["engine": "v17"], engine: "v17", passes: 0, fails: 10)
            + F.cell(
                index: 1, id: "engine=modern", values: ["engine": "modern"], engine: "modern", passes: 10, fails: 0,
                firstSequence: 10)
        let comparison = try Comparison(F.run("R", records, engines: ["modern", "v17"]), by: "engine")
        #expect(comparison.rows.map(\.group) == ["(all)"])
        #expect(comparison.rows.first?.baseline.label == "engine=modern")
        #expect(comparison.rows.first?.isSignificant() == true)
    }
}
