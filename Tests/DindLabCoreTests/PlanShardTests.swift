import Testing

@testable import DindLabCore

/// Shards: disjoint, complete, deterministic, balanced, and whole cells for `isolation: cell`.
@Suite("Plan shards")
struct PlanShardTests {
    static func plan(isolation: String = "trial", repeatCount: Int = 7) throws -> Plan {
        let matrix = try ScenarioLoader.load(
            yaml: """
                version: 1
                name: m
                repeat: \(repeatCount)
                isolation: \(isolation)
                outer: {image: i}
                matrix:
                  daemon.start: [cmd, exec]
                  inner.mode: [ti, d]
                  outer.image: [a, b, c]

                """, file: "m.yaml")
        let single = try ScenarioLoader.load(
            yaml: "version: 1\nname: s\nrepeat: 5\nouter: {image: i}\n", file: "s.yaml")
        return try Plan(scenarios: [matrix, single], seed: 11)
    }

    @Test(
        "shards are disjoint and together hold the whole plan, in its order",
        arguments: [
            ("trial", 1), ("trial", 2), ("trial", 3), ("trial", 5), ("trial", 200), ("cell", 2), ("cell", 4),
            ("cell", 30),
        ])
    func disjointAndComplete(isolation: String, count: Int) throws {
        let plan = try Self.plan(isolation: isolation)
        let shards = try (1...count).map { try plan.shard($0, of: count) }
        let ids = shards.flatMap { $0.trials.map(\.id) }
        #expect(ids.count == plan.trials.count)
        #expect(Set(ids) == Set(plan.trials.map(\.id)))
        for (index, shard) in shards.enumerated() {
            #expect(shard.shard == Plan.Shard(index: index + 1, count: count))
            #expect(shard.seed == plan.seed)
            #expect(shard.trials.map(\.sequence) == shard.trials.map(\.sequence).sorted())
            #expect(shard.trials.allSatisfy { plan.trials[$0.sequence] == $0 })
        }
    }

    @Test("the same plan splits the same way every time")
    func deterministic() throws {
        let first = try Self.plan().shard(2, of: 3)
        let second = try Self.plan().shard(2, of: 3)
        #expect(first == second)
    }

    @Test("trial-isolated shards differ in size by at most one trial")
    func balanced() throws {
        let plan = try Self.plan()
        for count in [2, 3, 4, 7] {
            let sizes = try (1...count).map { try plan.shard($0, of: count).trials.count }
            #expect(sizes.max()! - sizes.min()! <= 1, "\(count) shards: \(sizes)")
        }
    }

    @Test("an isolation: cell cell stays whole in one shard")
    func cellsStayWhole() throws {
        let plan = try Self.plan(isolation: "cell")
        let shards = try (1...4).map { try plan.shard($0, of: 4) }
        for cell in plan.scenarios[0].cells {
            let holders = shards.filter { $0.trials.contains { $0.scenarioName == "m" && $0.cell.index == cell.index } }
            #expect(holders.count == 1)
            #expect(holders.first?.trials(of: cell, in: "m").map(\.index) == Array(0..<7))
        }
        // The shard's own scenario list names exactly the cells it runs.
        for shard in shards {
            let listed = Set(
                shard.scenarios.flatMap { entry in entry.cells.map { "\(entry.scenario.name)/\($0.index)" } })
            #expect(listed == Set(shard.trials.map { "\($0.scenarioName)/\($0.cell.index)" }))
        }
    }

    @Test("shards outside 1...count don't exist", arguments: [(0, 3), (4, 3), (1, 0), (-1, 2)])
    func invalid(index: Int, count: Int) throws {
        let plan = try Self.plan()
        #expect(throws: PlanError.invalidShard(index, of: count)) { try plan.shard(index, of: count) }
    }
}
