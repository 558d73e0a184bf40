/// Typed reads of nodes for schema decoders. Each throws a `YAMLError` located at the node, with
/// the node's key path, worded the same way for every schema built on this layer.
extension YAMLNode {
    /// This node as a mapping.
    /// - Throws: `YAMLError` (wrong type) when it is not a mapping.
    package func mapping() throws(YAMLError) -> YAMLMapping {
        guard case .mapping(let entries) = content else { throw .wrongType(self, expected: "a mapping") }
        return YAMLMapping(node: self, entries: entries)
    }

    /// This node as a list.
    /// - Parameters:
    ///   - allowEmpty: Whether `[]` is acceptable.
    ///   - hint: Appended to the error when the node is not a list, e.g. how to write one.
    /// - Throws: `YAMLError` when it is not a list, or is empty and must not be.
    package func list(allowEmpty: Bool = true, hint: String? = nil) throws(YAMLError) -> [YAMLNode] {
        guard case .list(let items) = content else {
            throw .wrongType(self, expected: allowEmpty ? "a list" : "a non-empty list", hint: hint)
        }
        guard allowEmpty || !items.isEmpty else {
            throw .badValue(self, "expected a non-empty list, got an empty list")
        }
        return items
    }

    /// This node's text: any scalar but null (numbers and booleans count as their text, so
    /// `[sleep, 10]` is a list of two strings).
    /// - Parameter allowEmpty: Whether `""` is acceptable.
    /// - Throws: `YAMLError` when it is not a scalar, is null, or is empty and must not be.
    package func string(allowEmpty: Bool = true) throws(YAMLError) -> String {
        guard case .scalar(let scalar) = content, !scalar.isNull else {
            let hint = isMapping ? "quote the text if it contains \": \"" : nil
            throw .wrongType(self, expected: "a string", hint: hint)
        }
        guard allowEmpty || !scalar.text.isEmpty else { throw .badValue(self, "expected a non-empty string, got \"\"") }
        return scalar.text
    }

    /// This node as a list of strings.
    /// - Parameters:
    ///   - allowEmpty: Whether `[]` is acceptable.
    ///   - hint: Appended to the error when the node is not a list.
    /// - Throws: `YAMLError` for the first element that is not a string, or as `list` does.
    package func stringList(allowEmpty: Bool = true, hint: String? = nil) throws(YAMLError) -> [String] {
        var strings: [String] = []
        for item in try list(allowEmpty: allowEmpty, hint: hint) {
            strings.append(try item.string())
        }
        return strings
    }

    /// This node as a decimal integer, written without quotes.
    /// - Parameter range: The accepted values.
    /// - Throws: `YAMLError` when it is not an integer or lies outside `range`.
    package func integer(in range: ClosedRange<Int> = Int.min...Int.max) throws(YAMLError) -> Int {
        guard case .scalar(let scalar) = content, scalar.style == .plain, let value = Int(scalar.text) else {
            throw .wrongType(self, expected: "an integer")
        }
        guard range.contains(value) else {
            let bounds =
                range.upperBound == Int.max
                ? "of at least \(range.lowerBound)"
                : range.lowerBound == range.upperBound
                    ? "equal to \(range.lowerBound)"
                    : "from \(range.lowerBound) to \(range.upperBound)"
            throw .badValue(self, "expected an integer \(bounds), got \(value)")
        }
        return value
    }

    /// This node as a boolean: `true` or `false` (any capitalisation YAML accepts), without quotes.
    /// - Throws: `YAMLError` when it is anything else.
    package func boolean() throws(YAMLError) -> Bool {
        if case .scalar(let scalar) = content, scalar.style == .plain {
            if ["true", "True", "TRUE"].contains(scalar.text) { return true }
            if ["false", "False", "FALSE"].contains(scalar.text) { return false }
        }
        throw .wrongType(self, expected: "a boolean (true or false)")
    }

    /// This node as one of an enumeration's raw values, e.g. `cmd` or `exec`.
    /// - Parameter type: The enumeration; its cases, in declaration order, are the allowed words.
    /// - Throws: `YAMLError` naming the allowed words when the node is not one of them.
    package func oneOf<Choice: CaseIterable & RawRepresentable>(_ type: Choice.Type) throws(YAMLError) -> Choice
    where Choice.RawValue == String {
        if case .scalar(let scalar) = content, !scalar.isNull, let choice = Choice(rawValue: scalar.text) {
            return choice
        }
        throw .notOneOf(self, allowed: Choice.allCases.map(\.rawValue))
    }

    /// This node as a duration: `500ms`, `120s`, `1.5m`, `2m30s` (`DurationText`).
    /// - Parameter range: The accepted durations.
    /// - Throws: `YAMLError` when the text is not a duration or lies outside `range`.
    package func duration(in range: ClosedRange<Duration>) throws(YAMLError) -> Duration {
        guard case .scalar(let scalar) = content, !scalar.isNull else {
            throw .wrongType(self, expected: "a duration such as 500ms, 120s, 1.5m or 2m30s")
        }
        guard let duration = DurationText.parse(scalar.text) else {
            let hint = Double(scalar.text) != nil ? "; add a unit: ms, s, m or h" : ""
            throw .badValue(
                self, "expected a duration such as 500ms, 120s, 1.5m or 2m30s, got \(kindDescription)\(hint)")
        }
        guard range.contains(duration) else {
            throw .badValue(
                self,
                "expected a duration from \(DurationText.format(range.lowerBound)) "
                    + "to \(DurationText.format(range.upperBound)), got \(kindDescription)")
        }
        return duration
    }

    private var isMapping: Bool {
        if case .mapping = content { return true }
        return false
    }
}

/// A mapping node, with lookups by key and a check for keys the schema doesn't know.
package struct YAMLMapping: Sendable {
    /// The mapping node itself (for its location and path).
    package let node: YAMLNode
    /// The entries, in file order.
    package let entries: [YAMLEntry]

    /// The value of a key, if present.
    /// - Parameter key: The key.
    package subscript(key: String) -> YAMLNode? {
        entries.first { $0.key == key }?.value
    }

    /// The value of a key that must be present.
    /// - Parameter key: The key.
    /// - Throws: `YAMLError` (missing key), located at this mapping.
    package func required(_ key: String) throws(YAMLError) -> YAMLNode {
        guard let value = self[key] else { throw .missingKey(key, in: node) }
        return value
    }

    /// One error per key that is not allowed, located at the key.
    /// - Parameters:
    ///   - allowed: The keys the schema accepts, in the order to list them.
    ///   - what: What a key is called in the message (`key`, `matrix key`).
    /// - Returns: The errors; empty when every key is allowed.
    package func unknownKeys(allowed: [String], what: String = "key") -> [YAMLError] {
        entries.filter { !allowed.contains($0.key) }.map { .unknownKey($0, allowed: allowed, what: what) }
    }
}
