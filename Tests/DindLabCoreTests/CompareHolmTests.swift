import Testing

@testable import DindLabCore

/// Reference values worked by hand from the definition R's `p.adjust(p, method = "holm")` uses:
/// `pmin(1, cummax((m - i + 1) * p[o]))[order(o)]` with `o = order(p)`.
private let holmReference: [(p: [Double], adjusted: [Double])] = [
    ([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
    ([0.5], [0.5]),
    ([0.2, 0.6, 0.9], [0.6, 1.0, 1.0]),
    ([0.001, 0.001, 0.2], [0.003, 0.003, 0.2]),
    ([], []),
]

@Suite("Compare: Holm's adjustment")
struct CompareHolmTests {
    @Test("matches R's p.adjust(method = \"holm\")", arguments: holmReference)
    func reference(_ row: (p: [Double], adjusted: [Double])) {
        let adjusted = HolmAdjustment.adjust(row.p)
        #expect(adjusted.count == row.adjusted.count)
        for (value, expected) in zip(adjusted, row.adjusted) {
            #expect(abs(value - expected) < 1e-12, "\(adjusted) vs \(row.adjusted)")
        }
    }

    @Test("adjusted values are never below the raw ones and keep their order")
    func monotone() {
        let p = [0.04, 0.001, 0.3, 0.02, 0.02, 0.8]
        let adjusted = HolmAdjustment.adjust(p)
        #expect(zip(p, adjusted).allSatisfy { $0 <= $1 && $1 <= 1 })
        let order = p.indices.sorted { p[$0] < p[$1] }
        #expect(zip(order, order.dropFirst()).allSatisfy { adjusted[$0] <= adjusted[$1] })
    }
}
