import Testing

@testable import DindLabCore

/// Reference values from scipy 1.17: `fisher_exact([[a, b], [c, d]]).pvalue` (two-sided).
private let fisherReference: [(a: Int, b: Int, c: Int, d: Int, p: Double)] = [
    (1, 9, 11, 3, 0.0027594561852200836),
    (8, 2, 1, 5, 0.034965034965034975),
    (0, 10, 10, 0, 1.082508822446903e-05),
    (5, 5, 5, 5, 1.0),
    (3, 1, 1, 3, 0.48571428571428565),
    (20, 0, 15, 5, 0.047124047124047136),
    (0, 0, 0, 0, 1.0),
    (10, 0, 0, 0, 1.0),
    (19, 1, 2, 18, 5.81951541955411e-08),
    (100, 0, 95, 5, 0.059383210468586585),
    (2, 7, 8, 2, 0.02301413756522116),
    (1, 0, 0, 1, 1.0),
    (12, 8, 12, 8, 1.0),
    (500, 500, 450, 550, 0.02820356890423392),
    (0, 5, 0, 5, 1.0),
    // Tables whose mirror image is mathematically as likely but computes a hair
    // different: without the 1e-7 tie tolerance their p-value halves.
    (0, 1, 4, 3, 1.0),
    (0, 2, 2, 3, 1.0),
    (0, 1, 9, 8, 1.0),
]

@Suite("Statistics: Fisher exact test")
struct StatisticsFisherTests {
    @Test("matches scipy's two-sided p-value", arguments: fisherReference)
    func matchesReference(_ row: (a: Int, b: Int, c: Int, d: Int, p: Double)) {
        let p = FisherExactTest(a: row.a, b: row.b, c: row.c, d: row.d).twoSidedPValue
        #expect(abs(p - row.p) <= 1e-9 * row.p, "p = \(p), expected \(row.p)")
    }

    @Test("swapping rows or columns does not change the p-value")
    func symmetric() {
        let base = FisherExactTest(a: 2, b: 7, c: 8, d: 2).twoSidedPValue
        let rowsSwapped = FisherExactTest(a: 8, b: 2, c: 2, d: 7).twoSidedPValue
        let columnsSwapped = FisherExactTest(a: 7, b: 2, c: 2, d: 8).twoSidedPValue
        #expect(abs(base - rowsSwapped) < 1e-15)
        #expect(abs(base - columnsSwapped) < 1e-15)
    }
}
