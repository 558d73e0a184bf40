import Testing

@testable import DindLabCore

/// Matrix expansion into cells, and `--only` filtering.
@Suite("Scenario matrix")
struct ScenarioMatrixTests {
    static func scenario(_ matrix: String, extra: String = "") throws -> Scenario {
        try ScenarioLoader.load(
            yaml: "version: 1\nname: m\nouter: {image: base}\n\(extra)matrix:\n\(matrix)", file: "m.yaml")
    }

    static let threeKeys = """
          daemon.start: [cmd, exec]
          inner.mode: [ti, d]
          outer.image: [a, b, c]

        """

    @Test("cells are the cartesian product, first key slowest, values in file order")
    func order() throws {
        let cells = try Self.scenario(Self.threeKeys).cells()
        #expect(cells.count == 12)
        #expect(cells.map(\.index) == Array(0..<12))
        #expect(
            cells.prefix(4).map(\.id) == [
                "daemon.start=cmd,inner.mode=ti,outer.image=a",
                "daemon.start=cmd,inner.mode=ti,outer.image=b",
                "daemon.start=cmd,inner.mode=ti,outer.image=c",
                "daemon.start=cmd,inner.mode=d,outer.image=a",
            ])
        #expect(cells.last?.id == "daemon.start=exec,inner.mode=d,outer.image=c")
        #expect(Set(cells.map(\.id)).count == 12)
        #expect(
            cells[7].values == [
                MatrixAssignment(key: "daemon.start", value: "exec"),
                MatrixAssignment(key: "inner.mode", value: "ti"),
                MatrixAssignment(key: "outer.image", value: "b"),
            ])
    }

    @Test("the order of keys in the file decides the order of cells")
    func keyOrderMatters() throws {
        let cells = try Self.scenario("  inner.mode: [ti, d]\n  daemon.start: [cmd, exec]\n").cells()
        #expect(
            cells.map(\.id) == [
                "inner.mode=ti,daemon.start=cmd", "inner.mode=ti,daemon.start=exec",
                "inner.mode=d,daemon.start=cmd", "inner.mode=d,daemon.start=exec",
            ])
    }

    @Test("each cell's scenario has its values applied and no matrix left; the rest is the base")
    func resolved() throws {
        let scenario = try Self.scenario(Self.threeKeys, extra: "repeat: 4\ninner: {command: [echo, hi]}\n")
        for cell in scenario.cells() {
            let values = Dictionary(uniqueKeysWithValues: cell.values.map { ($0.key, $0.value) })
            #expect(cell.scenario.daemon.start.rawValue == values["daemon.start"])
            #expect(cell.scenario.inner.mode.rawValue == values["inner.mode"])
            #expect(cell.scenario.outer.image == values["outer.image"])
            #expect(cell.scenario.matrix.isEmpty)
            #expect(cell.scenario.repeatCount == 4 && cell.scenario.inner.command == ["echo", "hi"])
            #expect(cell.scenario.name == "m" && cell.scenario.source == "m.yaml")
        }
    }

    @Test(
        "matrix values of every kind of field are typed and applied",
        arguments: [
            ("  outer.privileged: [true, false]", 2, "outer.privileged=false"),
            ("  timeout: [500ms, 1.5m]", 2, "timeout=90s"),
            ("  repeat: [1, 5]", 2, "repeat=5"),
            ("  inner.command: [[sh, -c, \"echo a\"], [\"true\"]]", 2, "inner.command=[true]"),
            (
                "  outer.setup: [[], [\"mount -t cgroup none /sys/fs/cgroup\"]]", 2,
                "outer.setup=[\"mount -t cgroup none /sys/fs/cgroup\"]"
            ),
            ("  outer.env.DRIVER: [vfs, overlay2]", 2, "outer.env.DRIVER=overlay2"),
            ("  expect.success-rate: [\">= 0.5\", \"== 1\"]", 2, "expect.success-rate=== 1"),
            ("  engine: [docker-1.7, docker-1.8]", 2, "engine=docker-1.8"),
        ])
    func kinds(matrix: String, count: Int, lastID: String) throws {
        let cells = try Self.scenario(matrix + "\n").cells()
        #expect(cells.count == count)
        #expect(cells.last?.id == lastID)
    }

    @Test("values applied reach the right field, and the rest of a section stays")
    func appliedValues() throws {
        let cells = try ScenarioLoader.load(
            yaml: """
                version: 1
                name: m
                outer:
                  image: base
                  env: {KEEP: "1"}
                matrix:
                  outer.privileged: [false]
                  timeout: [1.5m]
                  inner.command: [[sh, -c, "echo a"]]
                  outer.env.DRIVER: [vfs]
                  expect.success-rate: [">= 0.5"]

                """, file: "m.yaml"
        ).cells()
        let scenario = try #require(cells.first).scenario
        #expect(!scenario.outer.privileged)
        #expect(scenario.outer.image == "base")
        #expect(scenario.timeout == .seconds(90))
        #expect(scenario.inner.command == ["sh", "-c", "echo a"])
        #expect(scenario.outer.env == ["KEEP": "1", "DRIVER": "vfs"])
        #expect(scenario.expect.successRate == (try SuccessRateExpectation(.atLeast, 0.5)))
    }

    // MARK: --only

    @Test(
        "--only keeps the cells with the value; same key is either, different keys are both",
        arguments: [
            (["inner.mode=ti"], 6),
            (["inner.mode=ti", "inner.mode=d"], 12),
            (["inner.mode=ti", "daemon.start=exec"], 3),
            (["inner.mode=ti", "daemon.start=exec", "outer.image=b"], 1),
            ([String](), 12),
        ])
    func only(arguments: [String], count: Int) throws {
        let filters = try arguments.map { argument throws(PlanError) in try CellFilter(parsing: argument) }
        let scenario = try Self.scenario(Self.threeKeys)
        let selected = try scenario.cells(only: filters)
        #expect(selected.count == count)
        // The selected cells keep their index and id from the full expansion.
        let all = scenario.cells()
        #expect(selected.allSatisfy { all[$0.index] == $0 })
        for filter in filters where !filters.contains(where: { $0.key == filter.key && $0 != filter }) {
            #expect(selected.allSatisfy { $0.values.contains(MatrixAssignment(key: filter.key, value: filter.value)) })
        }
    }

    @Test("--only compares values by meaning, not spelling")
    func onlyByMeaning() throws {
        let scenario = try Self.scenario("  timeout: [90s, 2m]\n  inner.command: [[sh, -c, \"echo a\"], [\"true\"]]\n")
        #expect(
            try scenario.cells(only: [CellFilter(key: "timeout", value: "1.5m")]).map(\.id)
                == ["timeout=90s,inner.command=[sh, -c, \"echo a\"]", "timeout=90s,inner.command=[true]"])
        #expect(try scenario.cells(only: [CellFilter(key: "inner.command", value: "[ sh, '-c', echo a ]")]).count == 2)
    }

    @Test(
        "a bad cell filter says what is wrong (with --only: FrontendTests)",
        arguments: [
            ("inner.mode", "The cell filter \"inner.mode\": expected key=value, e.g. inner.mode=ti."),
            ("=ti", "The cell filter \"=ti\": expected key=value, e.g. inner.mode=ti."),
            (
                "isolation=cell",
                "The cell filter isolation=cell: isolation is not a matrix key of the scenarios given (the matrix keys are daemon.start, inner.mode, outer.image)."
            ),
            ("inner.mode=x", "The cell filter inner.mode=x: expected one of ti, d, got \"x\"."),
            (
                "outer.image=z",
                "The cell filter outer.image=z: the matrix never gives outer.image the value \"z\"; its values are a, b, c."
            ),
            ("outer.image=", "The cell filter outer.image=: expected a string, got null."),
        ])
    func badOnly(argument: String, expected: String) throws {
        let scenario = try Self.scenario(Self.threeKeys)
        do {
            _ = try scenario.cells(only: [CellFilter(parsing: argument)])
            Issue.record("--only \(argument) was accepted")
        } catch {
            #expect(error.description == expected)
            #expect(error.code == .badFilter)
        }
    }

    @Test("a scenario without a matrix has no key to filter on")
    func onlyWithoutMatrix() throws {
        let scenario = try ScenarioLoader.load(yaml: "version: 1\nname: m\nouter: {image: base}\n", file: "m.yaml")
        #expect(throws: PlanError.self) { try scenario.cells(only: [CellFilter(key: "inner.mode", value: "d")]) }
    }

    @Test("dimensions built in code are checked like the file's")
    func dimensionsInCode() throws {
        let dimension = try MatrixDimension(key: "timeout", values: ["1.5m", "2s"])
        #expect(dimension.values == ["90s", "2s"])
        #expect(
            throws: YAMLError.badArgument("matrix key \"outer\"", "expected one of \(ScenarioErrorTests.matrixKeys)")
        ) {
            try MatrixDimension(key: "outer", values: ["x"])
        }
        #expect(throws: YAMLError.self) { try MatrixDimension(key: "inner.mode", values: ["x"]) }
    }
}
