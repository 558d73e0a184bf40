/// Reads scenario files (schema version 1) into `Scenario` values.
///
/// Every problem in a file is reported at once, each naming the file, line, column and key
/// path: unknown keys, wrong types, bad values, missing keys, bad matrix keys and values.
package enum ScenarioLoader {
    /// Loads one scenario file.
    /// - Parameters:
    ///   - path: The file's path; errors and `Scenario.source` show it as given.
    ///   - limits: Bounds on the YAML's size, depth and node count.
    /// - Returns: The scenario, defaults applied, matrix checked.
    /// - Throws: `YAMLErrors` with every problem found.
    package static func load(file path: String, limits: YAMLLimits = .default) throws(YAMLErrors) -> Scenario {
        let document: YAMLDocument
        do {
            document = try YAMLDocument.load(contentsOfFile: path, limits: limits)
        } catch {
            throw YAMLErrors([error])
        }
        return try decode(document)
    }

    /// Loads scenario files, reporting the problems of all of them together.
    /// - Parameters:
    ///   - paths: The files' paths.
    ///   - limits: Bounds on each file's YAML.
    /// - Returns: The scenarios, in the order of `paths`.
    /// - Throws: `YAMLErrors` with every problem in every file.
    package static func load(files paths: [String], limits: YAMLLimits = .default) throws(YAMLErrors) -> [Scenario] {
        var scenarios: [Scenario] = []
        var errors: [YAMLError] = []
        for path in paths {
            do {
                scenarios.append(try load(file: path, limits: limits))
            } catch {
                errors += error.errors
            }
        }
        if !errors.isEmpty { throw YAMLErrors(errors) }
        return scenarios
    }

    /// Loads a scenario from YAML text.
    /// - Parameters:
    ///   - yaml: The text.
    ///   - file: The name errors and `Scenario.source` show.
    ///   - limits: Bounds on the YAML's size, depth and node count.
    /// - Returns: The scenario.
    /// - Throws: `YAMLErrors` with every problem found.
    package static func load(yaml: String, file: String, limits: YAMLLimits = .default) throws(YAMLErrors) -> Scenario {
        let document: YAMLDocument
        do {
            document = try YAMLDocument.parse(yaml, file: file, limits: limits)
        } catch {
            throw YAMLErrors([error])
        }
        return try decode(document)
    }

    /// Decodes a loaded document against the schema.
    /// - Parameter document: The document.
    /// - Returns: The scenario.
    /// - Throws: `YAMLErrors` with every problem found.
    package static func decode(_ document: YAMLDocument) throws(YAMLErrors) -> Scenario {
        let root: YAMLMapping
        do {
            root = try document.root.mapping()
        } catch {
            throw YAMLErrors([error])
        }
        var diagnostics = YAMLDiagnostics()
        diagnostics.record(root.unknownKeys(allowed: ScenarioField.topLevelKeys))

        // Sections that are mappings; one that isn't is reported once and its fields skipped.
        var sections: [String: YAMLMapping] = [:]
        for (name, keys) in ScenarioField.sections {
            guard let node = root[name],
                let section = diagnostics.attempt({ () throws(YAMLError) in try node.mapping() })
            else { continue }
            diagnostics.record(section.unknownKeys(allowed: keys))
            sections[name] = section
        }

        var scenario = Scenario(name: "", outer: Scenario.Outer(image: ""), source: document.file)
        scenario.sourceSHA256 = document.sha256
        var fieldNodes: [String: YAMLNode] = [:]
        for field in ScenarioField.all {
            let container = field.components.count == 1 ? root : sections[field.components[0]]
            guard let node = container?[field.components[field.components.count - 1]] else { continue }
            if let value = diagnostics.attempt({ () throws(YAMLError) in try field.decode(node) }) {
                field.apply(value, &scenario)
                fieldNodes[field.key] = node
            }
        }
        var matrixNodes: [String: [(FieldValue, YAMLNode)]] = [:]
        scenario.matrix = matrix(in: root, diagnostics: &diagnostics, nodes: &matrixNodes)
        if diagnostics.errors.isEmpty {
            diagnostics.record(
                ScenarioCombinations.check(scenario, fieldNodes: fieldNodes, matrixNodes: matrixNodes, root: root.node))
        }

        for key in ["version", "name"] where root[key] == nil {
            diagnostics.record(.missingKey(key, in: root.node))
        }
        // outer.image is required, but a matrix over outer.image gives it too.
        if !scenario.matrix.contains(where: { $0.key == "outer.image" }) {
            if let outer = sections["outer"] {
                if outer["image"] == nil { diagnostics.record(.missingKey("image", in: outer.node)) }
            } else if root["outer"] == nil {
                diagnostics.record(.missingKey("outer", in: root.node, note: "with at least outer.image"))
            }
        }
        try diagnostics.check()
        return scenario
    }

    /// Reads `matrix:`: each key must name a field that takes a scalar or a list, each value must
    /// be a valid value of that field (checked by the field's own decoder), and nothing may be
    /// empty or repeated.
    private static func matrix(
        in root: YAMLMapping, diagnostics: inout YAMLDiagnostics, nodes: inout [String: [(FieldValue, YAMLNode)]]
    ) -> [MatrixDimension] {
        guard let node = root["matrix"],
            let matrix = diagnostics.attempt({ () throws(YAMLError) in try node.mapping() })
        else { return [] }
        guard !matrix.entries.isEmpty else {
            diagnostics.record(
                .badValue(
                    node,
                    "expected at least one matrix key with its list of values, got an empty mapping; remove matrix or fill it"
                ))
            return []
        }
        var dimensions: [MatrixDimension] = []
        for entry in matrix.entries {
            guard let field = ScenarioField.named(entry.key), field.isMatrixable else {
                diagnostics.record(.unknownKey(entry, allowed: ScenarioField.matrixKeys, what: "matrix key"))
                continue
            }
            guard
                let items = diagnostics.attempt({ () throws(YAMLError) in
                    try entry.value.list(
                        allowEmpty: false, hint: "list the values the matrix gives \(entry.key), e.g. [a, b]")
                })
            else { continue }
            var values: [FieldValue] = []
            var seen = Set<FieldValue>()  // a matrix may list tens of thousands of values
            for item in items {
                if field.shape == .list, case .scalar = item.content {
                    // Most likely one value written flat: say so once, not once per word.
                    diagnostics.record(
                        .wrongType(
                            item, expected: "a list",
                            hint:
                                "each value of \(entry.key) is itself a list, e.g. [[sh, -c, \"echo a\"], [sh, -c, \"echo b\"]]"
                        ))
                    break
                }
                guard let value = diagnostics.attempt({ () throws(YAMLError) in try field.decode(item) }) else {
                    continue
                }
                if !seen.insert(value).inserted {
                    diagnostics.record(.badValue(item, "the value \(value) is listed twice; each value makes one cell"))
                    continue
                }
                values.append(value)
                nodes[entry.key, default: []].append((value, item))
            }
            dimensions.append(MatrixDimension(key: entry.key, fieldValues: values))
        }
        return dimensions
    }
}
