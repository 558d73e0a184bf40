import Testing

@testable import DindLabCore

/// Reference values from scipy 1.17: `binomtest(k, n).proportion_ci(0.95, method="wilson")`.
private let wilsonReference: [(successes: Int, trials: Int, lower: Double, upper: Double)] = [
    (0, 1, 0.0, 0.7934506856227626),
    (1, 1, 0.20654931437723745, 1.0),
    (0, 10, 0.0, 0.27753279986288926),
    (10, 10, 0.7224672001371109, 1.0),
    (5, 10, 0.236593090512564, 0.7634069094874361),
    (19, 20, 0.763868806553258, 0.9911185511992047),
    (1, 20, 0.008881448800795402, 0.23613119344674205),
    (95, 100, 0.8882495307680809, 0.978456320845632),
    (0, 3, 0.0, 0.5614970317550454),
    (3, 3, 0.4385029682449546, 1.0),
    (7, 13, 0.29143795714506016, 0.767939321904617),
    (1, 1000, 0.00017654637062607809, 0.0056425585979579355),
    (999, 1000, 0.9943574414020421, 0.9998234536293739),
    (50, 100, 0.4038315303659956, 0.5961684696340044),
]

@Suite("Statistics: Wilson interval")
struct StatisticsWilsonTests {
    @Test("matches scipy's Wilson interval", arguments: wilsonReference)
    func matchesReference(_ row: (successes: Int, trials: Int, lower: Double, upper: Double)) throws {
        let interval = try #require(ProportionInterval.wilson(successes: row.successes, trials: row.trials))
        #expect(abs(interval.lower - row.lower) < 1e-12)
        #expect(abs(interval.upper - row.upper) < 1e-12)
    }

    @Test("no trials, no interval")
    func zeroTrials() {
        #expect(ProportionInterval.wilson(successes: 0, trials: 0) == nil)
    }

    @Test("all-fail and all-pass cells reach exactly 0 and 1", arguments: [1, 2, 7, 20, 500])
    func edgesAreExact(trials: Int) throws {
        let none = try #require(ProportionInterval.wilson(successes: 0, trials: trials))
        let all = try #require(ProportionInterval.wilson(successes: trials, trials: trials))
        #expect(none.lower == 0)
        #expect(all.upper == 1)
        // Symmetry: k of n mirrors n-k of n.
        #expect(abs(none.upper - (1 - all.lower)) < 1e-12)
    }

    @Test("the interval holds the observed rate and narrows with more trials")
    func narrowsWithData() throws {
        let small = try #require(ProportionInterval.wilson(successes: 8, trials: 10))
        let large = try #require(ProportionInterval.wilson(successes: 800, trials: 1000))
        #expect(small.contains(0.8) && large.contains(0.8))
        #expect(large.upper - large.lower < small.upper - small.lower)
    }
}
