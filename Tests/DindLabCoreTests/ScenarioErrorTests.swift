import Testing

@testable import DindLabCore

/// Every kind of bad scenario is refused with the precise message: file, line, column, key path.
@Suite("Scenario errors")
struct ScenarioErrorTests {
    /// A valid start that each case extends (4 lines, so added lines start at line 5).
    static let header = """
        version: 1
        name: a
        outer:
          image: i

        """

    /// The descriptions of the errors loading `text` gives (empty when it loads).
    static func errors(_ text: String) -> [String] {
        do {
            _ = try ScenarioLoader.load(yaml: text, file: "x.yaml")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static let allowedTopLevel =
        "version, name, description, repeat, timeout, isolation, engine, forensics, outer, daemon, inner, faults, expect, matrix"
    static let matrixKeys =
        "repeat, timeout, isolation, engine, forensics, outer.image, outer.privileged, outer.cgroups, outer.cgroup-nesting, "
        + "outer.network, outer.setup, outer.cgroup-parent, outer.cgroup-tmpfs, daemon.start, daemon.command, daemon.ready-timeout, "
        + "daemon.cgroup-divergence, daemon.cgroup-parent, inner.image, inner.mode, "
        + "inner.command, inner.runs, inner.expect-output, inner.check-placement, faults.kill-daemon-at-trial, faults.kill-after, faults.restart-daemon, expect.success-rate, outer.env.NAME"

    @Test(
        "a bad field is refused with its location, key path and what was expected",
        arguments: [
            // unknown keys
            (
                "repaet: 3",
                "x.yaml:5:1: repaet: unknown key \"repaet\" (did you mean repeat?); allowed: \(allowedTopLevel)"
            ),
            (
                "daemon:\n  strat: exec",
                "x.yaml:6:3: daemon.strat: unknown key \"strat\" (did you mean start?); allowed: start, command, ready-timeout, cgroup-divergence, cgroup-parent"
            ),
            (
                "inner:\n  volumes: [a]",
                "x.yaml:6:3: inner.volumes: unknown key \"volumes\"; allowed: image, mode, command, runs, expect-output, check-placement"
            ),
            // bad values of enumerations
            ("daemon:\n  start: exce", "x.yaml:6:10: daemon.start: expected one of cmd, exec, got \"exce\""),
            ("inner: {mode: it}", "x.yaml:5:15: inner.mode: expected one of ti, d, got \"it\""),
            ("isolation: container", "x.yaml:5:12: isolation: expected one of trial, cell, got \"container\""),
            ("forensics: never", "x.yaml:5:12: forensics: expected one of on-failure, always, got \"never\""),
            ("daemon:\n  start: [cmd]", "x.yaml:6:10: daemon.start: expected one of cmd, exec, got a list"),
            // wrong types
            ("daemon: cmd", "x.yaml:5:9: daemon: expected a mapping, got \"cmd\""),
            (
                "inner:\n  command: sh -c \"echo ok\"",
                "x.yaml:6:12: inner.command: expected a non-empty list, got \"sh -c \\\"echo ok\\\"\"; write a command as a list, e.g. [sh, -c, \"echo ok\"]"
            ),
            ("repeat: ten", "x.yaml:5:9: repeat: expected an integer, got \"ten\""),
            ("repeat: \"10\"", "x.yaml:5:9: repeat: expected an integer, got \"10\""),
            ("inner: {runs: 1.5}", "x.yaml:5:15: inner.runs: expected an integer, got \"1.5\""),
            ("description: [a, b]", "x.yaml:5:14: description: expected a string, got a list"),
            ("engine:", "x.yaml:5:8: engine: expected a string, got null"),
            ("daemon:\n  command: []", "x.yaml:6:12: daemon.command: expected a non-empty list, got an empty list"),
            (
                "inner:\n  command: [sh, {c: 1}]",
                "x.yaml:6:17: inner.command[1]: expected a string, got a mapping; quote the text if it contains \": \""
            ),
            // integer ranges
            ("repeat: 0", "x.yaml:5:9: repeat: expected an integer from 1 to 100000, got 0"),
            ("inner: {runs: -1}", "x.yaml:5:15: inner.runs: expected an integer from 1 to 10000, got -1"),
            // durations
            ("timeout: 2d", "x.yaml:5:10: timeout: expected a duration such as 500ms, 120s, 1.5m or 2m30s, got \"2d\""),
            (
                "timeout: 120",
                "x.yaml:5:10: timeout: expected a duration such as 500ms, 120s, 1.5m or 2m30s, got \"120\"; add a unit: ms, s, m or h"
            ),
            (
                "daemon: {ready-timeout: 0s}",
                "x.yaml:5:25: daemon.ready-timeout: expected a duration from 1ms to 1440m, got \"0s\""
            ),
            (
                "timeout: 0.5ms",
                "x.yaml:5:10: timeout: expected a duration such as 500ms, 120s, 1.5m or 2m30s, got \"0.5ms\""
            ),
            // patterns and formats
            (
                "inner: {expect-output: \"(ok\"}",
                "x.yaml:5:24: inner.expect-output: expected a regular expression, got \"(ok\", which does not compile"
            ),
            (
                "expect: {success-rate: \"about 0.9\"}",
                "x.yaml:5:24: expect.success-rate: The success-rate expectation \"about 0.9\" does not start with a comparison; write one of >=, >, <=, <, == followed by a rate, as in \">= 0.95\""
            ),
            (
                "expect: {success-rate: \">= 1.5\"}",
                "x.yaml:5:24: expect.success-rate: The success-rate expectation \">= 1.5\" uses the rate 1.5, but a success rate lies between 0 and 1"
            ),
            (
                "expect: {success-rate: [\">= 0.5\"]}",
                "x.yaml:5:24: expect.success-rate: expected an expectation such as \">= 0.95\", got a list"
            ),
            (
                "outer2: x",
                "x.yaml:5:1: outer2: unknown key \"outer2\" (did you mean outer?); allowed: \(allowedTopLevel)"
            ),
            // duplicates
            ("name: b", "x.yaml:5:1: name: duplicate key \"name\" (first given at line 2, column 1)"),
        ])
    func badField(addition: String, expected: String) {
        let errors = Self.errors(Self.header + addition + "\n")
        #expect(errors.first == expected)
    }

    @Test("a boolean field takes only true or false")
    func booleans() {
        let text = "version: 1\nname: a\nouter:\n  image: i\n  privileged: yes\n"
        #expect(Self.errors(text) == ["x.yaml:5:15: outer.privileged: expected a boolean (true or false), got \"yes\""])
    }

    @Test("the environment takes variable names and text values")
    func environment() {
        let text = "version: 1\nname: a\nouter:\n  image: i\n  env: {GOOD: 1, 2BAD: x}\n"
        #expect(
            Self.errors(text) == [
                "x.yaml:5:18: outer.env.2BAD: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got \"2BAD\""
            ])
    }

    @Test(
        "required keys, the schema version and the name are checked",
        arguments: [
            ("name: a\nouter: {image: i}\n", ["x.yaml:1:1: version: missing required key \"version\""]),
            ("version: 1\nouter: {image: i}\n", ["x.yaml:1:1: name: missing required key \"name\""]),
            (
                "version: 1\nname: a\n",
                ["x.yaml:1:1: outer: missing required key \"outer\" (with at least outer.image)"]
            ),
            (
                "version: 1\nname: a\nouter:\n  privileged: true\n",
                ["x.yaml:4:3: outer.image: missing required key \"image\""]
            ),
            (
                "version: 2\nname: a\nouter: {image: i}\n",
                ["x.yaml:1:10: version: expected 1, the only schema version this dindlab reads, got 2"]
            ),
            (
                "version: 1\nname: Exec_vs\nouter: {image: i}\n",
                [
                    "x.yaml:2:7: name: expected a name of lowercase letters, digits and dashes that starts with a letter or digit ([a-z0-9][a-z0-9-]*, at most 63 characters), got \"Exec_vs\""
                ]
            ),
            (
                "version: 1\nname: -a\nouter: {image: i}\n",
                [
                    "x.yaml:2:7: name: expected a name of lowercase letters, digits and dashes that starts with a letter or digit ([a-z0-9][a-z0-9-]*, at most 63 characters), got \"-a\""
                ]
            ),
            ("- version: 1\n", ["x.yaml:1:1: expected a mapping, got a list"]),
            ("just text\n", ["x.yaml:1:1: expected a mapping, got \"just text\""]),
            ("", ["x.yaml:1:1: the file is empty; expected a YAML mapping"]),
        ])
    func requiredAndTopLevel(text: String, expected: [String]) {
        #expect(Self.errors(text) == expected)
    }

    @Test(
        "bad matrices are refused at the key or the value at fault",
        arguments: [
            (
                "matrix:\n  daemon.strat: [cmd]",
                "x.yaml:6:3: matrix.daemon.strat: unknown matrix key \"daemon.strat\" (did you mean daemon.start?); allowed: \(matrixKeys)"
            ),
            ("matrix:\n  name: [a, b]", "x.yaml:6:3: matrix.name: unknown matrix key \"name\"; allowed: \(matrixKeys)"),
            (
                "matrix:\n  outer.env: [a]",
                "x.yaml:6:3: matrix.outer.env: unknown matrix key \"outer.env\"; allowed: \(matrixKeys)"
            ),
            ("matrix:\n  outer: [a]", "x.yaml:6:3: matrix.outer: unknown matrix key \"outer\"; allowed: \(matrixKeys)"),
            (
                "matrix: {}",
                "x.yaml:5:9: matrix: expected at least one matrix key with its list of values, got an empty mapping; remove matrix or fill it"
            ),
            ("matrix:", "x.yaml:5:8: matrix: expected a mapping, got null"),
            (
                "matrix:\n  inner.mode: []",
                "x.yaml:6:15: matrix.inner.mode: expected a non-empty list, got an empty list"
            ),
            (
                "matrix:\n  inner.mode: ti",
                "x.yaml:6:15: matrix.inner.mode: expected a non-empty list, got \"ti\"; list the values the matrix gives inner.mode, e.g. [a, b]"
            ),
            (
                "matrix:\n  daemon.start: [cmd, exce]",
                "x.yaml:6:23: matrix.daemon.start[1]: expected one of cmd, exec, got \"exce\""
            ),
            (
                "matrix:\n  daemon.start:\n    - cmd\n    - exce",
                "x.yaml:8:7: matrix.daemon.start[1]: expected one of cmd, exec, got \"exce\""
            ),
            (
                "matrix:\n  outer.privileged: [true, maybe]",
                "x.yaml:6:28: matrix.outer.privileged[1]: expected a boolean (true or false), got \"maybe\""
            ),
            (
                "matrix:\n  timeout: [10s, 2d]",
                "x.yaml:6:18: matrix.timeout[1]: expected a duration such as 500ms, 120s, 1.5m or 2m30s, got \"2d\""
            ),
            (
                "matrix:\n  inner.mode: [ti, ti]",
                "x.yaml:6:20: matrix.inner.mode[1]: the value ti is listed twice; each value makes one cell"
            ),
            (
                "matrix:\n  timeout: [90s, 1.5m]",
                "x.yaml:6:18: matrix.timeout[1]: the value 90s is listed twice; each value makes one cell"
            ),
            (
                "matrix:\n  inner.command: [sh, -c]",
                "x.yaml:6:19: matrix.inner.command[0]: expected a list, got \"sh\"; each value of inner.command is itself a list, e.g. [[sh, -c, \"echo a\"], [sh, -c, \"echo b\"]]"
            ),
            (
                "matrix:\n  inner.command: [[sh, -c, x], []]",
                "x.yaml:6:32: matrix.inner.command[1]: expected a non-empty list, got an empty list"
            ),
            (
                "matrix:\n  outer.env.1X: [a]",
                "x.yaml:6:3: matrix.outer.env.1X: unknown matrix key \"outer.env.1X\"; allowed: \(matrixKeys)"
            ),
        ])
    func badMatrix(addition: String, expected: String) {
        #expect(Self.errors(Self.header + addition + "\n") == [expected])
    }

    @Test("every problem in a file is reported at once, in file order")
    func allProblemsAtOnce() {
        let text = """
            version: 1
            name: Bad
            repeat: 0
            outer:
              image: i
              cgroups: both
            daemon:
              start: exce
            matrix:
              inner.mode: [ti, x]
            colour: blue

            """
        #expect(
            Self.errors(text) == [
                "x.yaml:2:7: name: expected a name of lowercase letters, digits and dashes that starts with a letter or digit ([a-z0-9][a-z0-9-]*, at most 63 characters), got \"Bad\"",
                "x.yaml:3:9: repeat: expected an integer from 1 to 100000, got 0",
                "x.yaml:6:12: outer.cgroups: expected one of bind, none, engine, private, got \"both\"",
                "x.yaml:8:10: daemon.start: expected one of cmd, exec, got \"exce\"",
                "x.yaml:10:20: matrix.inner.mode[1]: expected one of ti, d, got \"x\"",
                "x.yaml:11:1: colour: unknown key \"colour\"; allowed: \(Self.allowedTopLevel)",
            ])
    }

    @Test("outer.image may come from the matrix instead")
    func imageFromMatrix() throws {
        let scenario = try ScenarioLoader.load(
            yaml: "version: 1\nname: a\nmatrix:\n  outer.image: [x, y]\n", file: "x.yaml")
        #expect(scenario.cells().map(\.scenario.outer.image) == ["x", "y"])
    }
}
