import Testing

@testable import DindLabCore

/// Plans: which trials, their ids, and an order that depends on the seed alone.
@Suite("Plan order")
struct PlanOrderTests {
    static func scenario(_ name: String, repeatCount: Int = 3, matrix: String? = nil, extra: String = "") throws
        -> Scenario
    {
        var text = "version: 1\nname: \(name)\nrepeat: \(repeatCount)\nouter: {image: i}\n\(extra)"
        if let matrix { text += "matrix:\n\(matrix)" }
        return try ScenarioLoader.load(yaml: text, file: "\(name).yaml")
    }

    static let modes = "  daemon.start: [cmd, exec]\n  inner.mode: [ti, d]\n"

    @Test("SplitMix64 gives the published reference sequence")
    func referenceSequence() {
        var generator = SplitMix64(seed: 1_234_567)
        #expect(
            (0..<5).map { _ in generator.next() }
                == [
                    6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                    4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
                ])
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 16_294_208_416_658_607_535)
    }

    @Test("bounded draws stay in range and reach every value")
    func boundedDraws() {
        var generator = SplitMix64(seed: 42)
        for bound in [1, 2, 3, 7, 10, 1000] {
            let draws = (0..<(bound * 50)).map { _ in generator.next(below: bound) }
            #expect(draws.allSatisfy { (0..<bound).contains($0) })
            #expect(Set(draws).count == bound)
        }
    }

    @Test("every cell gets repeat trials, numbered t0... in run order, with unique ids")
    func trialsPerCell() throws {
        let plan = try Plan(scenarios: [Self.scenario("m", repeatCount: 5, matrix: Self.modes)], seed: 7)
        #expect(plan.trials.count == 20)
        #expect(plan.trials.map(\.sequence) == Array(0..<20))
        #expect(Set(plan.trials.map(\.id)).count == 20)
        for cell in plan.scenarios[0].cells {
            let trials = plan.trials(of: cell, in: "m")
            #expect(trials.map(\.index) == [0, 1, 2, 3, 4])
            #expect(trials.map(\.id) == (0..<5).map { "m-c\(cell.index)-t\($0)" })
            #expect(trials.allSatisfy { $0.cell == cell && $0.scenarioName == "m" })
        }
    }

    @Test("the same seed gives the same order; different seeds give different orders")
    func seeds() throws {
        let scenarios = [
            try Self.scenario("m", repeatCount: 10, matrix: Self.modes), try Self.scenario("s", repeatCount: 4),
        ]
        let order = { (seed: UInt64) throws -> [String] in try Plan(scenarios: scenarios, seed: seed).trials.map(\.id) }
        #expect(try order(1) == order(1))
        #expect(try order(2025) == order(2025))
        let orders = try (0..<20).map { try order(UInt64($0)) }
        #expect(Set(orders).count == 20)
        #expect(Set(try order(1)) == Set(try order(2)))  // the same trials, in another order
    }

    @Test("the order is pinned: a change to the generator or shuffle would break reproducibility")
    func pinnedOrder() throws {
        // Derived by hand from the SplitMix64 reference outputs for seed 1234567 (see
        // referenceSequence): Fisher-Yates from the back over 4 slots [c0, c1, c2, c3] draws
        // below 4, 3, 2 with Lemire's high 64 bits of output * bound.
        var generator = SplitMix64(seed: 1_234_567)
        let draws = [4, 3, 2].map { generator.next(below: $0) }
        let expected = [
            Int((UInt64(6_457_827_717_110_365_317).multipliedFullWidth(by: 4)).high),
            Int((UInt64(3_203_168_211_198_807_973).multipliedFullWidth(by: 3)).high),
            Int((UInt64(9_817_491_932_198_370_423).multipliedFullWidth(by: 2)).high),
        ]
        #expect(draws == expected)
        var slots = ["c0", "c1", "c2", "c3"]
        for (index, draw) in zip([3, 2, 1], expected) { slots.swapAt(index, draw) }
        let plan = try Plan(scenarios: [Self.scenario("m", repeatCount: 1, matrix: Self.modes)], seed: 1_234_567)
        #expect(plan.trials.map { "c\($0.cell.index)" } == slots)
    }

    @Test("trials of all cells and scenarios are interleaved, not run cell after cell")
    func interleaved() throws {
        let plan = try Plan(
            scenarios: [Self.scenario("m", repeatCount: 10, matrix: Self.modes), Self.scenario("s", repeatCount: 10)],
            seed: 3)
        let cells = plan.trials.map { "\($0.scenarioName)/\($0.cell.index)" }
        let runs = zip(cells, cells.dropFirst()).filter { $0 != $1 }.count + 1
        #expect(runs > 20)  // 50 trials in 5 cells: grouped would be 5 runs
        // Each quarter of the run holds trials of at least 4 of the 5 cells.
        for quarter in 0..<4 {
            let part = cells[(quarter * 12)..<(quarter * 12 + 12)]
            #expect(Set(part).count >= 4)
        }
    }

    @Test("--repeat replaces every cell's repeat")
    func repeatOverride() throws {
        let plan = try Plan(
            scenarios: [Self.scenario("m", repeatCount: 5, matrix: Self.modes), Self.scenario("s", repeatCount: 9)],
            repeatOverride: 2, seed: 1)
        #expect(plan.trials.count == 10)
        #expect(throws: PlanError.invalidRepeat(0)) { try Plan(scenarios: [Self.scenario("s")], repeatOverride: 0) }
    }

    @Test("a matrix over repeat gives cells different trial counts")
    func repeatInMatrix() throws {
        let plan = try Plan(scenarios: [Self.scenario("m", matrix: "  repeat: [1, 4]\n")], seed: 1)
        #expect(plan.trials.filter { $0.cell.index == 0 }.count == 1)
        #expect(plan.trials.filter { $0.cell.index == 1 }.count == 4)
    }

    @Test("no seed draws one, and the plan keeps it so the order can be reproduced")
    func drawnSeed() throws {
        let scenarios = [try Self.scenario("m", repeatCount: 10, matrix: Self.modes)]
        let first = try Plan(scenarios: scenarios)
        let again = try Plan(scenarios: scenarios, seed: first.seed)
        #expect(again.trials == first.trials)
    }

    @Test("--only filters across scenarios by each cell's resolved value")
    func onlyAcrossScenarios() throws {
        let matrix = try Self.scenario("m", repeatCount: 1, matrix: Self.modes)
        let fixedExec = try Self.scenario("e", repeatCount: 1, extra: "daemon: {start: exec}\n")
        let fixedCmd = try Self.scenario("c", repeatCount: 1)
        let plan = try Plan(
            scenarios: [matrix, fixedExec, fixedCmd], seed: 1, only: [CellFilter(key: "daemon.start", value: "exec")])
        #expect(
            plan.scenarios.map { $0.cells.map(\.id) } == [
                ["daemon.start=exec,inner.mode=ti", "daemon.start=exec,inner.mode=d"], ["default"], [],
            ])
        #expect(Set(plan.trials.map(\.scenarioName)) == ["m", "e"])
        #expect(plan.report().split(separator: "\n").contains("c (c.yaml): no cell selected"))
    }

    /// Plans that can't be made.
    enum BadPlan: String, CaseIterable {
        case duplicateNames, noScenarios, nothingSelected

        func make() throws {
            switch self {
            case .duplicateNames:
                _ = try Plan(scenarios: [PlanOrderTests.scenario("s"), PlanOrderTests.scenario("s")])
            case .noScenarios:
                _ = try Plan(scenarios: [])
            case .nothingSelected:
                // Each value is in some matrix, but no cell has both: exec only comes with d,
                // ti only with cmd.
                let a = try PlanOrderTests.scenario(
                    "a", matrix: "  daemon.start: [cmd, exec]\n", extra: "inner: {mode: d}\n")
                let b = try PlanOrderTests.scenario("b", matrix: "  inner.mode: [ti, d]\n")
                _ = try Plan(
                    scenarios: [a, b],
                    only: [CellFilter(key: "daemon.start", value: "exec"), CellFilter(key: "inner.mode", value: "ti")])
            }
        }

        var expected: String {
            switch self {
            case .duplicateNames:
                return "Two scenarios are named s (s.yaml, s.yaml); trial ids would clash, so rename one."
            case .noScenarios: return "No scenario was given, so there is nothing to plan."
            case .nothingSelected:
                return "No cell has all of daemon.start=exec, inner.mode=ti at once, so there is nothing to run."
            }
        }
    }

    @Test("plans that can't be made say why", arguments: BadPlan.allCases)
    func failures(bad: BadPlan) throws {
        do {
            try bad.make()
            Issue.record("the plan was made")
        } catch let error as PlanError {
            #expect(error.description == bad.expected)
        }
    }

    @Test("the report lists each cell with its values and trials, the totals and the seed")
    func report() throws {
        let plan = try Plan(
            scenarios: [Self.scenario("m", repeatCount: 2, matrix: Self.modes), Self.scenario("s", repeatCount: 1)],
            seed: 99)
        let lines = plan.report().split(separator: "\n").map(String.init)
        #expect(lines.first == "m (m.yaml): 4 cells, 8 trials")
        #expect(lines[1] == "  c0  daemon.start=cmd inner.mode=ti")
        let order = plan.trials.filter { $0.scenarioName == "m" && $0.cell.index == 0 }.map { String($0.sequence) }
        #expect(lines[2] == "      2 trials m-c0-t0…t1, run order \(order.joined(separator: " "))")
        #expect(lines.contains("s (s.yaml): 1 cell, 1 trial"))
        #expect(lines.contains("  c0  (no matrix)"))
        #expect(lines.suffix(2) == ["total: 2 scenarios, 5 cells, 9 trials", "seed: 99"])
    }
}
