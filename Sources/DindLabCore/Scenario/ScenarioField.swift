import Foundation

/// One field of the scenario schema: where it sits (`daemon.start`), how its YAML is read and
/// checked, and how its value is put into and read out of a `Scenario`.
///
/// The schema is this one table (`ScenarioField.all`): the loader reads the base scenario through
/// it, the matrix type-checks each value through the same decoder (so a bad matrix value gets the
/// same message as a bad field, at the value's own line), cells apply values through it, and
/// `--only` compares through it.
struct ScenarioField: Sendable {
    /// Whether the field's value is a scalar or a list; `--only` reads its text accordingly.
    enum Shape: Sendable {
        case scalar
        case list
    }

    /// The dotted path, e.g. `daemon.ready-timeout`.
    let key: String
    /// The path's parts: one for top-level fields, two for fields of a section.
    let components: [String]
    let shape: Shape
    /// Whether a matrix may vary this field (scalar- and list-valued fields only).
    let isMatrixable: Bool
    /// Reads and checks the field's YAML.
    let decode: @Sendable (YAMLNode) throws(YAMLError) -> FieldValue
    /// Puts a value (one `decode` produced) into a scenario.
    let apply: @Sendable (FieldValue, inout Scenario) -> Void
    /// The scenario's value of the field; nil when an optional field is unset.
    let read: @Sendable (Scenario) -> FieldValue?

    /// A field whose Swift property always has a value.
    static func field<T: FieldValueConvertible>(
        _ key: String, _ keyPath: any WritableKeyPath<Scenario, T> & Sendable, shape: Shape = .scalar,
        matrix: Bool = true,
        decode: @escaping @Sendable (YAMLNode) throws(YAMLError) -> T
    ) -> ScenarioField {
        ScenarioField(
            key: key, components: key.split(separator: ".").map(String.init), shape: shape, isMatrixable: matrix,
            decode: { node throws(YAMLError) in try decode(node).fieldValue },
            apply: { value, scenario in
                if let typed = T(fieldValue: value) { scenario[keyPath: keyPath] = typed }
            },
            read: { $0[keyPath: keyPath].fieldValue }
        )
    }

    /// A field whose Swift property is nil when the file leaves it out.
    static func optionalField<T: FieldValueConvertible>(
        _ key: String, _ keyPath: any WritableKeyPath<Scenario, T?> & Sendable, shape: Shape = .scalar,
        matrix: Bool = true,
        decode: @escaping @Sendable (YAMLNode) throws(YAMLError) -> T
    ) -> ScenarioField {
        ScenarioField(
            key: key, components: key.split(separator: ".").map(String.init), shape: shape, isMatrixable: matrix,
            decode: { node throws(YAMLError) in try decode(node).fieldValue },
            apply: { value, scenario in
                if let typed = T(fieldValue: value) { scenario[keyPath: keyPath] = typed }
            },
            read: { $0[keyPath: keyPath]?.fieldValue }
        )
    }

    /// One variable of `outer.env`, so a matrix can vary it: `outer.env.STORAGE_DRIVER`.
    static func environmentVariable(_ name: String) -> ScenarioField {
        ScenarioField(
            key: "outer.env.\(name)", components: ["outer", "env", name], shape: .scalar, isMatrixable: true,
            decode: { node throws(YAMLError) in .text(try node.string()) },
            apply: { value, scenario in
                if case .text(let text) = value { scenario.outer.env[name] = text }
            },
            read: { $0.outer.env[name].map(FieldValue.text) }
        )
    }

    /// Reads a value written on the command line (`--only key=value`): scalars as plain text,
    /// lists in YAML flow style (`[sh, -c, "echo ok"]`), then checks it like a file's value.
    func parse(_ text: String) throws(YAMLError) -> FieldValue {
        let label = "\(key)=\(text)"
        switch shape {
        case .scalar:
            let location = YAMLLocation(file: label, line: 1, column: 1)
            return try decode(YAMLNode(.scalar(YAMLScalar(text: text, style: .plain)), location: location, path: .root))
        case .list:
            return try decode(YAMLDocument.parse(text, file: label).root)
        }
    }
}

// MARK: - The schema

extension ScenarioField {
    /// Every field of schema version 1, in the order the documentation lists them.
    static let all: [ScenarioField] = [
        .field("version", \.version, matrix: false) { node throws(YAMLError) in
            let version = try node.integer()
            guard version == 1 else {
                throw .badValue(node, "expected 1, the only schema version this dindlab reads, got \(version)")
            }
            return version
        },
        .field("name", \.name, matrix: false, decode: scenarioName),
        .optionalField("description", \.description, matrix: false) { node throws(YAMLError) in try node.string() },
        .field("repeat", \.repeatCount) { node throws(YAMLError) in try node.integer(in: 1...Scenario.maxRepeat) },
        .field("timeout", \.timeout) { node throws(YAMLError) in try node.duration(in: limitsOfTimeouts) },
        .field("isolation", \.isolation) { node throws(YAMLError) in try node.oneOf(Scenario.Isolation.self) },
        .optionalField("engine", \.engine) { node throws(YAMLError) in try node.string(allowEmpty: false) },
        .field("forensics", \.forensics) { node throws(YAMLError) in try node.oneOf(Scenario.Forensics.self) },

        .field("outer.image", \.outer.image) { node throws(YAMLError) in try node.string(allowEmpty: false) },
        .field("outer.privileged", \.outer.privileged) { node throws(YAMLError) in try node.boolean() },
        .field("outer.cgroups", \.outer.cgroups) { node throws(YAMLError) in try node.oneOf(Scenario.Outer.Cgroups.self)
        },
        .field("outer.cgroup-nesting", \.outer.cgroupNesting) { node throws(YAMLError) in try node.boolean() },
        .field("outer.network", \.outer.network) { node throws(YAMLError) in try node.oneOf(Scenario.Outer.Network.self)
        },
        .field("outer.env", \.outer.env, matrix: false, decode: environment),
        .field("outer.setup", \.outer.setup, shape: .list) { node throws(YAMLError) in
            try node.stringList(hint: "write the lines as a list, one shell line per item")
        },
        .optionalField("outer.cgroup-parent", \.outer.cgroupParent, decode: cgroupParent),
        .optionalField("outer.cgroup-tmpfs", \.outer.cgroupTmpfs) { node throws(YAMLError) in
            try node.oneOf(Scenario.Outer.CgroupTmpfs.self)
        },

        .field("daemon.start", \.daemon.start) { node throws(YAMLError) in try node.oneOf(Scenario.Daemon.Start.self) },
        .optionalField("daemon.command", \.daemon.command, shape: .list) { node throws(YAMLError) in
            try node.stringList(allowEmpty: false, hint: "write a command as a list, e.g. [dockerd, --debug]")
        },
        .field("daemon.ready-timeout", \.daemon.readyTimeout) { node throws(YAMLError) in
            try node.duration(in: limitsOfTimeouts)
        },
        .optionalField("daemon.cgroup-divergence", \.daemon.cgroupDivergence, decode: cgroupDivergence),
        .optionalField("daemon.cgroup-parent", \.daemon.cgroupParent) { node throws(YAMLError) in
            try node.oneOf(Scenario.Daemon.InnerCgroupParent.self)
        },

        .field("inner.image", \.inner.image) { node throws(YAMLError) in try node.string(allowEmpty: false) },
        .field("inner.mode", \.inner.mode) { node throws(YAMLError) in try node.oneOf(Scenario.Inner.Mode.self) },
        .field("inner.command", \.inner.command, shape: .list) { node throws(YAMLError) in
            try node.stringList(allowEmpty: false, hint: "write a command as a list, e.g. [sh, -c, \"echo ok\"]")
        },
        .field("inner.runs", \.inner.runs) { node throws(YAMLError) in try node.integer(in: 1...Scenario.Inner.maxRuns)
        },
        .optionalField("inner.expect-output", \.inner.expectOutput, decode: regularExpression),
        .optionalField("inner.check-placement", \.inner.checkPlacement) { node throws(YAMLError) in try node.boolean()
        },

        .field("faults.kill-daemon-at-trial", \.faults.killDaemonAtTrial) { node throws(YAMLError) in
            try node.integer(in: 0...Scenario.maxRepeat)
        },
        .field("faults.kill-after", \.faults.killAfter) { node throws(YAMLError) in
            try node.duration(in: limitsOfTimeouts)
        },
        .field("faults.restart-daemon", \.faults.restartDaemon) { node throws(YAMLError) in try node.boolean() },

        .optionalField("expect.success-rate", \.expect.successRate) { node throws(YAMLError) in
            guard case .scalar(let scalar) = node.content, !scalar.isNull else {
                throw .wrongType(node, expected: "an expectation such as \">= 0.95\"")
            }
            do throws(ExpectationError) {
                return try SuccessRateExpectation(parsing: scalar.text)
            } catch {
                // The parser's sentence says what is wrong; the YAML error adds where (and no period).
                var message = error.description
                if message.hasSuffix(".") { message.removeLast() }
                throw .badValue(node, message)
            }
        },
    ]

    /// The sections (`outer`, `daemon`, ...) with their keys, in schema order.
    static let sections: [(name: String, keys: [String])] = {
        var sections: [(name: String, keys: [String])] = []
        for field in all where field.components.count == 2 {
            if let index = sections.firstIndex(where: { $0.name == field.components[0] }) {
                sections[index].keys.append(field.components[1])
            } else {
                sections.append((field.components[0], [field.components[1]]))
            }
        }
        return sections
    }()

    /// The keys a scenario file's top level accepts, in schema order.
    static let topLevelKeys: [String] = {
        var keys: [String] = []
        for field in all where !keys.contains(field.components[0]) { keys.append(field.components[0]) }
        return keys + ["matrix"]
    }()

    /// What matrix keys may be, for error messages.
    static let matrixKeys: [String] = all.filter(\.isMatrixable).map(\.key) + ["outer.env.NAME"]

    /// The field a matrix key or `--only` key names, if any (including `outer.env.NAME`).
    static func named(_ key: String) -> ScenarioField? {
        if let field = all.first(where: { $0.key == key }) { return field }
        let prefix = "outer.env."
        if key.hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            if isEnvironmentName(name) { return environmentVariable(name) }
        }
        return nil
    }

    // MARK: Field decoders

    static let limitsOfTimeouts: ClosedRange<Duration> = .milliseconds(1)...(.seconds(24 * 3600))

    /// The longest name accepted: names become parts of container labels and file names.
    static let maxNameLength = 63

    private static func scenarioName(_ node: YAMLNode) throws(YAMLError) -> String {
        let name = try node.string()
        let isLowercaseOrDigit = { (scalar: Unicode.Scalar) in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        guard let first = name.unicodeScalars.first, isLowercaseOrDigit(first), name.count <= maxNameLength,
            name.unicodeScalars.allSatisfy({ isLowercaseOrDigit($0) || $0 == "-" })
        else {
            throw .badValue(
                node,
                "expected a name of lowercase letters, digits and dashes that starts with a letter or digit "
                    + "([a-z0-9][a-z0-9-]*, at most \(maxNameLength) characters), got \(node.kindDescription)")
        }
        return name
    }

    private static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
        }
    }

    private static func environment(_ node: YAMLNode) throws(YAMLError) -> [String: String] {
        var variables: [String: String] = [:]
        for entry in try node.mapping().entries {
            guard isEnvironmentName(entry.key) else {
                let key = YAMLNode(
                    .scalar(YAMLScalar(text: entry.key, style: .plain)), location: entry.keyLocation,
                    path: entry.value.path)
                throw .badValue(
                    key, "expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got \(key.kindDescription)")
            }
            variables[entry.key] = try entry.value.string()
        }
        return variables
    }

    /// A cgroup parent: an absolute path of plain names (`/f2.slice`, `/ci/dind`), or a systemd
    /// slice (`f2.slice`) for engines with the systemd cgroup driver.
    private static func cgroupParent(_ node: YAMLNode) throws(YAMLError) -> String {
        let text = try node.string(allowEmpty: false)
        let isPlain = { (part: Substring) in
            !part.isEmpty && part != "." && part != ".."
                && part.unicodeScalars.allSatisfy {
                    $0.isASCII
                        && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                            || "_.-@".unicodeScalars.contains($0))
                }
        }
        let slice = !text.contains("/") && text.hasSuffix(".slice") && isPlain(Substring(text))
        let path =
            text.hasPrefix("/") && text.count > 1
            && text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isPlain)
        guard slice || path else {
            throw .badValue(
                node,
                "expected a cgroup parent: an absolute path of names (letters, digits, '_', '.', '-', '@') such as /f2.slice, or a systemd slice such as f2.slice, got \(node.kindDescription)"
            )
        }
        return text
    }

    /// `none`, one hierarchy, or a list of hierarchies (`[name=systemd, cpu]`).
    private static func cgroupDivergence(_ node: YAMLNode) throws(YAMLError) -> CgroupDivergence {
        let words: [YAMLNode]
        switch node.content {
        case .scalar:
            words = [node]
        default:
            words = try node.list(
                allowEmpty: false, hint: "write none, one hierarchy such as name=systemd, or a list of them")
        }
        var hierarchies: [String] = []
        for word in words {
            let text = try word.string(allowEmpty: false)
            if text == "none", words.count == 1 { return .none }
            for part in text.split(whereSeparator: \.isWhitespace).map(String.init) {
                if let problem = CgroupDivergence.problem(with: part) {
                    throw .badValue(
                        word,
                        "expected none or cgroup hierarchies such as name=systemd, cpu or unified (\(problem)), got \(word.kindDescription)"
                    )
                }
                guard !hierarchies.contains(part) else {
                    throw .badValue(word, "the hierarchy \(part) is listed twice")
                }
                hierarchies.append(part)
            }
        }
        return CgroupDivergence(hierarchies: hierarchies)
    }

    private static func regularExpression(_ node: YAMLNode) throws(YAMLError) -> String {
        let pattern = try node.string()
        do {
            _ = try NSRegularExpression(pattern: pattern)
        } catch {
            throw .badValue(node, "expected a regular expression, got \(node.kindDescription), which does not compile")
        }
        return pattern
    }
}
