import Foundation
import Testing

@testable import DindLabCore

/// The YAML layer: locations, paths, and hostile or broken input that must fail with a clear,
/// located error rather than a crash or a hang.
@Suite("Scenario YAML layer")
struct ScenarioYAMLTests {
    private func load(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> YAMLDocument {
        try YAMLDocument.parse(text, file: "t.yaml", limits: limits)
    }

    private func loadError(_ text: String, limits: YAMLLimits = .default) -> YAMLError? {
        do {
            _ = try load(text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test("nodes carry their line, column and key path")
    func locationsAndPaths() throws {
        let document = try load(
            """
            outer:
              image: dindlab/outer:bookworm
              setup:
                - echo one
                - "echo two"
            matrix:
              inner.mode: [ti, d]
            """)
        let outer = try document.root.mapping()["outer"]!.mapping()
        let setup = try outer["setup"]!.list()
        #expect(setup[1].location == YAMLLocation(file: "t.yaml", line: 5, column: 7))
        #expect(setup[1].path.description == "outer.setup[1]")
        #expect(try setup[1].string() == "echo two")
        let modes = try document.root.mapping()["matrix"]!.mapping()["inner.mode"]!.list()
        #expect(modes[1].location == YAMLLocation(file: "t.yaml", line: 7, column: 20))
        #expect(modes[1].path.description == "matrix.inner.mode[1]")
        #expect(outer.entries[0].keyLocation == YAMLLocation(file: "t.yaml", line: 2, column: 3))
    }

    @Test("scalars keep their text; null is only plain ~, null or nothing")
    func scalars() throws {
        let root = try load(
            """
            a: 10
            b: "10"
            c: ~
            d:
            e: "null"
            f: |
              two
              lines
            """
        ).root.mapping()
        #expect(try root["a"]!.integer() == 10)
        #expect(try root["a"]!.string() == "10")
        #expect(throws: YAMLError.self) { try root["b"]!.integer() }
        #expect(root["c"]!.isNull && root["d"]!.isNull)
        #expect(!root["e"]!.isNull)
        #expect(try root["f"]!.string() == "two\nlines")  // the text ends without a line break
    }

    @Test("a billion-laughs alias bomb is refused at the alias that crosses the node limit", .timeLimit(.minutes(1)))
    func aliasBomb() throws {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
        for (previous, name) in zip(names, names.dropFirst()) {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let error = try #require(loadError(text))
        #expect(error.code == .tooComplex)
        #expect(
            error.message
                == "the document has more than 100000 nodes once its aliases are expanded; refusing to load it")
        // Keys count too: lines a..d hold 12 + 112 + 1112 + 11112 nodes and e's key and list 2
        // more, 12350; each of e's aliases adds 11111, so the eighth (index 7, at column
        // 8 + 7 * 4) is the first past 100000.
        #expect(error.location == YAMLLocation(file: "t.yaml", line: 5, column: 36))
        #expect(error.path.description == "e[7]")
    }

    @Test("an alias bomb used as a mapping key is refused at the key, before it is expanded", .timeLimit(.minutes(1)))
    func aliasBombAsKey() throws {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        text += "? *b\n: 1\nz: 2\n"
        let error = try #require(loadError(text))
        #expect(error.code == .unsupported)
        #expect(
            error.description == "t.yaml:3:3: an alias is used as a mapping key; only plain text keys are supported")
    }

    /// Documents nested far past the limit, in each style YAML has, with where the 65th level
    /// starts.
    enum DeepDocument: String, CaseIterable {
        case flowLists, flowMappings, blockMappings, blockLists

        var text: String {
            switch self {
            case .flowLists: return String(repeating: "[", count: 100_000)
            case .flowMappings: return String(repeating: "{a: ", count: 5_000)
            case .blockMappings:
                return (0..<200).map { String(repeating: "  ", count: $0) + "a:" }.joined(separator: "\n") + " x"
            case .blockLists:
                return (0..<200).map { String(repeating: " ", count: $0) + "-" }.joined(separator: "\n") + " x"
            }
        }

        var expected: (line: Int, column: Int) {
            switch self {
            case .flowLists: return (1, 65)
            case .flowMappings: return (1, 4 * 64 + 1)
            case .blockMappings: return (65, 2 * 64 + 1)
            case .blockLists: return (65, 65)
            }
        }
    }

    @Test(
        "deep nesting is refused at the first level past the limit, in every style", .timeLimit(.minutes(1)),
        arguments: DeepDocument.allCases)
    func deepNesting(document: DeepDocument) throws {
        let error = try #require(loadError(document.text))
        #expect(error.code == .tooComplex)
        #expect(error.message == "the document nests deeper than 64 levels; refusing to load it")
        let location = try #require(error.location)
        #expect(
            location.line == document.expected.line && location.column == document.expected.column,
            "at \(location.line):\(location.column)")
    }

    @Test("an alias that puts a deep structure deeper still is refused")
    func deepThroughAlias() throws {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        let text =
            "a: &deep \(deep)\nb: " + String(repeating: "[", count: 30) + "*deep" + String(repeating: "]", count: 30)
        let error = try #require(loadError(text))
        #expect(error.code == .tooComplex)
        #expect(error.location == YAMLLocation(file: "t.yaml", line: 2, column: 34))
    }

    @Test("bytes that are not UTF-8 are refused with the place of the first bad byte")
    func invalidUTF8() throws {
        let bytes = Array("name: a\nouter: ".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        #expect(throws: YAMLError.invalidUTF8(at: YAMLLocation(file: "t.yaml", line: 2, column: 8))) {
            try YAMLDocument.parse(bytes: bytes, file: "t.yaml")
        }
        let utf16 = [UInt8(0xFF), 0xFE] + Array("a: 1".utf8)
        #expect(throws: YAMLError.invalidUTF8(at: YAMLLocation(file: "t.yaml", line: 1, column: 1))) {
            try YAMLDocument.parse(bytes: utf16, file: "t.yaml")
        }
    }

    @Test("a UTF-8 byte order mark first is not text: the file loads, its lines and columns as without it")
    func byteOrderMark() throws {
        let text = "version: 1\nname: bom\nouter:\n  image: x\n"
        let document = try YAMLDocument.parse(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8), file: "t.yaml")
        let plain = try YAMLDocument.parse(text, file: "t.yaml")
        #expect(document.root == plain.root)
        #expect(document.sha256 != plain.sha256, "the sha256 is the file's, mark included")
        // A mark anywhere else is text, and not a key the schema has.
        #expect(throws: YAMLErrors.self) {
            try ScenarioLoader.load(yaml: "version: 1\n\u{FEFF}name: bom\nouter:\n  image: x\n", file: "t.yaml")
        }
    }

    @Test(
        "broken or unsupported YAML yields one located error",
        arguments: [
            (
                "a: [1, 2\nb: 3\n",
                "t.yaml:2:2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 1, column 4)"
            ),
            (
                "a:\n\tb: 3\n",
                "t.yaml:2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token that starts at line 2, column 1)"
            ),
            ("a: b\u{0}\n", "t.yaml:1:5: YAML syntax error: control characters are not allowed (U+0000)"),
            ("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: a: duplicate key \"a\" (first given at line 1, column 1)"),
            ("o:\n  k: 1\n  k: 2\n", "t.yaml:3:3: o.k: duplicate key \"k\" (first given at line 2, column 3)"),
            (
                "a: 1\n---\nb: 2\n",
                "t.yaml:2:1: a second YAML document starts here; expected exactly one document per file"
            ),
            ("a: *nowhere\n", "t.yaml:1:4: YAML syntax error: found undefined alias *nowhere"),
            ("base: &b {x: 1}\nc:\n  <<: *b\n", "t.yaml:3:3: c: merge keys (<<) are not supported; write the keys out"),
            ("? [a, b]\n: 1\n", "t.yaml:1:3: a list is used as a mapping key; only plain text keys are supported"),
            ("", "t.yaml:1:1: the file is empty; expected a YAML mapping"),
            ("# just a comment\n\n", "t.yaml:1:1: the file is empty; expected a YAML mapping"),
            ("---\n", "t.yaml:1:1: the file is empty; expected a YAML mapping"),
        ])
    func brokenYAML(text: String, expected: String) throws {
        let error = try #require(loadError(text))
        #expect(error.description == expected)
    }

    @Test("anchors and aliases are fine within the limits, on keys and values alike")
    func aliases() throws {
        let root = try load("&k a: &v [x, y]\nb: *v\nc: *k\n").root.mapping()
        #expect(try root["b"]!.stringList() == ["x", "y"])
        #expect(try root["c"]!.string() == "a")
        #expect(root["b"]!.path.description == "b")
        #expect(root["b"]!.location == YAMLLocation(file: "t.yaml", line: 1, column: 7))  // where the text is written
    }

    @Test("a file larger than the limit is refused without being parsed")
    func tooLarge() throws {
        let error = try #require(loadError("a: 1234567890\n", limits: YAMLLimits(maxBytes: 8)))
        #expect(error.description == "t.yaml: the file is larger than 8 bytes; refusing to load it")
    }

    @Test("files that can't be read say why")
    func unreadable() throws {
        let missing = "/nonexistent/dindlab-\(UUID().uuidString).yaml"
        #expect(throws: YAMLError.unreadable(file: missing, reason: "no such file")) {
            try YAMLDocument.load(contentsOfFile: missing)
        }
        #expect(throws: YAMLError.unreadable(file: "/tmp", reason: "it is a directory")) {
            try YAMLDocument.load(contentsOfFile: "/tmp")
        }
    }

    @Test("every prefix of a valid file either loads or fails with a located error")
    func everyPrefix() throws {
        let text = try String(
            contentsOf: ScenarioFiles.directory.appendingPathComponent("start-and-run-modes.yaml"), encoding: .utf8)
        let bytes = Array(text.utf8)
        var loaded = 0
        for end in 0...bytes.count {
            do {
                let document = try YAMLDocument.parse(bytes: Array(bytes[..<end]), file: "p.yaml")
                do {
                    _ = try ScenarioLoader.decode(document)
                    loaded += 1
                } catch {
                    #expect(error.errors.allSatisfy { $0.location != nil }, "prefix of \(end) bytes: \(error)")
                }
            } catch {
                #expect(error.location != nil, "prefix of \(end) bytes: \(error)")
            }
        }
        #expect(loaded >= 1)  // at least the whole file
    }

    @Test(
        "flow text written for a list reads back as the same list",
        arguments: [
            ["sh", "-c", "echo ok"],
            ["dockerd", "--debug", "--storage-driver=vfs"],
            [
                "", "null", "~", "a: b", "#x", "[x]", "-", "- x", "x:", "'q'", "\"dq\"", "tab\there", "new\nline", "é",
                "10", "true",
            ],
            [
                "dindlab/outer:bookworm", "/usr/bin/env", "key=value", "a,b", "@at", "%pct", "*star", "&amp", "!bang",
                "|", ">",
            ],
        ])
    func flowRoundTrip(items: [String]) throws {
        let text = YAMLQuoting.flowList(items)
        let node = try load("v: \(text)").root.mapping()["v"]!
        #expect(try node.stringList() == items, "\(text)")
    }
}

/// The repository's Scenarios/ folder, found from this source file.
enum ScenarioFiles {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scenarios")
}
