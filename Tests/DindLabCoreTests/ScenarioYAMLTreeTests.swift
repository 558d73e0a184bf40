import Foundation
import Testing

@testable import DindLabCore

/// The node tree the YAML layer builds from libyaml's events: for each kind of YAML a scenario
/// may hold, every node's path, where it starts, and what it holds. The expected trees are the
/// ones the loader built before it built its own (through Yams), so they pin that behaviour.
@Suite("Scenario YAML trees")
struct ScenarioYAMLTreeTests {
    /// A document and some of its nodes, as `path → "line:column what"` (see `summary`).
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let nodes: [String: String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "aliases in nested places: the anchored node's locations, the alias's paths",
            text: """
                a: &x {b: [1, &y {c: d}], e: f}
                list:
                  - *x
                  - nested:
                      deep: *y
                m: {k: *x}
                """,
            nodes: [
                "a.b[1]": "1:15 mapping [c@1:19]",
                "list": "3:3 list 2",
                "list[0]": "1:4 mapping [b@1:8, e@1:27]",
                "list[0].b[1].c": "1:22 plain \"d\"",
                "list[1].nested": "5:7 mapping [deep@5:7]",
                "list[1].nested.deep": "1:15 mapping [c@1:19]",
                "list[1].nested.deep.c": "1:22 plain \"d\"",
                "m.k": "1:4 mapping [b@1:8, e@1:27]",
                "m.k.e": "1:30 plain \"f\"",
            ]),
        Case(
            name: "a later anchor of the same name wins; an anchored scalar keeps its style",
            text: "a: &a 1\nb: *a\na2: &a \"2\"\nc: *a\n",
            nodes: ["b": "1:4 plain \"1\"", "c": "3:5 quoted \"2\""]),
        Case(
            name: "literal and folded blocks keep their text, with their chomping",
            text:
                "lit: |\n  one\n   two\n\n  three\nfold: >\n  one\n  two\n\n  three\nkeep: |+\n  x\n\nstrip: >-\n  y\n  z\n",
            nodes: [
                "lit": "1:6 block \"one\\n two\\n\\nthree\\n\"",
                "fold": "6:7 block \"one two\\nthree\\n\"",
                "keep": "11:7 block \"x\\n\\n\"",
                "strip": "14:8 block \"y z\"",
            ]),
        Case(
            name: "only plain ~, null, NULL or nothing is null; quoted text never is",
            text: "a: null\nb: \"null\"\nc: 'null'\nd: ~\ne:\nf: \"\"\ng: NULL\n",
            nodes: [
                "a": "1:4 plain \"null\" null", "b": "2:4 quoted \"null\"", "c": "3:4 quoted \"null\"",
                "d": "4:4 plain \"~\" null", "e": "5:3 plain \"\" null", "f": "6:4 quoted \"\"",
                "g": "7:4 plain \"NULL\" null",
            ]),
        Case(
            name: "flow lists and mappings, nested and empty",
            text: "f: [a, {b: c}, [d, e], \"q\", 's']\ng: {x: [1, 2], \"y z\": {}}\nh: []\n",
            nodes: [
                "f": "1:4 list 5", "f[1]": "1:8 mapping [b@1:9]", "f[1].b": "1:12 plain \"c\"",
                "f[2][1]": "1:20 plain \"e\"", "f[4]": "1:29 quoted \"s\"", "g": "2:4 mapping [x@2:5, y z@2:16]",
                "g.x[1]": "2:12 plain \"2\"", "g.y z": "2:23 mapping []", "h": "3:4 list 0",
            ]),
        Case(
            name: "a document between --- and ... starts after the marker",
            text: "--- \na: 1\nb: [x]\n...\n# the end\n",
            nodes: ["": "2:1 mapping [a@2:1, b@3:1]", "b[0]": "3:5 plain \"x\""]),
        Case(
            name: "quoted keys are plain text keys, a quoted << is no merge key",
            text: "\"quoted key\": 1\n'single key': 2\n\"<<\": 3\n? explicit\n: 4\n",
            nodes: [
                "": "1:1 mapping [quoted key@1:1, single key@2:1, <<@3:1, explicit@4:3]",
                "quoted key": "1:15 plain \"1\"", "<<": "3:7 plain \"3\"", "explicit": "5:3 plain \"4\"",
            ]),
        Case(
            name: "a key with nothing after it holds null, located where its value would start",
            text: "a:\nb:\n  c:\n  d: x\n",
            nodes: [
                "a": "1:3 plain \"\" null", "b": "3:3 mapping [c@3:3, d@4:3]", "b.c": "3:5 plain \"\" null",
            ]),
        Case(
            name: "multi-line plain and quoted scalars are folded",
            text: "a: this is a\n  multi-line\n  plain scalar\nb: \"double\n  quoted\n\n  lines\"\n",
            nodes: [
                "a": "1:4 plain \"this is a multi-line plain scalar\"", "b": "4:4 quoted \"double quoted\\nlines\"",
            ]),
        Case(
            name: "UTF-8 text and escapes; columns count characters",
            text: "name: \"Grüße, 日本語 🐳\"\nkey_é: value ü\nl: [日本, x]\nx: \"\\u00e9\\t\\x41\"\n",
            nodes: [
                "name": "1:7 quoted \"Grüße, 日本語 🐳\"", "key_é": "2:8 plain \"value ü\"",
                "l[1]": "3:9 plain \"x\"", "x": "4:4 quoted \"é\\tA\"",
            ]),
        Case(
            name: "a root that is a list",
            text: "- a\n- [b]\n",
            nodes: ["": "1:1 list 2", "[1][0]": "2:4 plain \"b\""]),
        Case(
            name: "block lists of mappings and of lists",
            text: "x:\n  - a: 1\n    b: 2\n  - - nested\n    - list\n",
            nodes: [
                "x": "2:3 list 2", "x[0]": "2:5 mapping [a@2:5, b@3:5]", "x[0].b": "3:8 plain \"2\"",
                "x[1]": "4:5 list 2", "x[1][1]": "5:7 plain \"list\"",
            ]),
    ]

    @Test("every node has its location, path and content", arguments: cases)
    func tree(of example: Case) throws {
        let root = try YAMLDocument.parse(example.text, file: "t.yaml").root
        let nodes = Self.flatten(root)
        for (path, expected) in example.nodes {
            #expect(nodes[path] == expected, "at \(path)")
        }
    }

    @Test("a root scalar is a document of its own")
    func rootScalar() throws {
        let root = try YAMLDocument.parse("just text\n", file: "t.yaml").root
        #expect(Self.summary(root) == "1:1 plain \"just text\"")
    }

    /// Every node by its path, checking on the way that each node's path is the one it sits at.
    private static func flatten(_ root: YAMLNode) -> [String: String] {
        var nodes: [String: String] = [:]
        var pending: [(node: YAMLNode, path: YAMLPath)] = [(root, .root)]
        while let (node, path) = pending.popLast() {
            #expect(node.path == path, "\(node.path) sits at \(path)")
            nodes[path.description] = summary(node)
            switch node.content {
            case .scalar: break
            case .list(let items):
                pending += items.enumerated().map { ($1, path.appending(index: $0)) }
            case .mapping(let entries):
                pending += entries.map { ($0.value, path.appending(key: $0.key)) }
            }
        }
        return nodes
    }

    /// `line:column` and what the node holds: `list 2`, `mapping [key@line:column, ...]`,
    /// `plain "text"` (with ` null` when it reads as null), `quoted "text"`, `block "text"`.
    private static func summary(_ node: YAMLNode) -> String {
        let place = "\(node.location.line):\(node.location.column) "
        switch node.content {
        case .list(let items):
            return place + "list \(items.count)"
        case .mapping(let entries):
            let keys = entries.map { "\($0.key)@\($0.keyLocation.line):\($0.keyLocation.column)" }
            return place + "mapping [" + keys.joined(separator: ", ") + "]"
        case .scalar(let scalar):
            let text = scalar.text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(
                of: "\t", with: "\\t")
            return place + "\(scalar.style) \"\(text)\"" + (scalar.isNull ? " null" : "")
        }
    }
}
