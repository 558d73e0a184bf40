/// One key of a scenario's matrix and the values it takes, in file order.
package struct MatrixDimension: Sendable, Hashable, Codable {
    /// The field the dimension varies, as a dotted path: `daemon.start`, `outer.env.DRIVER`.
    package let key: String
    /// The values, checked and typed by the field they name.
    let fieldValues: [FieldValue]

    /// The values as users see them (`cmd`, `90s`, `[sh, -c, "echo ok"]`), in file order.
    package var values: [String] { fieldValues.map(\.description) }

    init(key: String, fieldValues: [FieldValue]) {
        self.key = key
        self.fieldValues = fieldValues
    }

    /// Creates a dimension from values as users write them.
    /// - Parameters:
    ///   - key: A matrix key (a field of the schema that takes a scalar or a list).
    ///   - values: The values: scalars as plain text, lists in YAML flow style.
    /// - Throws: `YAMLError` when the key names no such field or a value doesn't fit it.
    package init(key: String, values: [String]) throws(YAMLError) {
        guard let field = ScenarioField.named(key), field.isMatrixable else {
            throw .badArgument(
                "matrix key \(YAMLQuoting.quoted(key))",
                "expected one of \(ScenarioField.matrixKeys.joined(separator: ", "))")
        }
        var parsed: [FieldValue] = []
        for value in values { parsed.append(try field.parse(value)) }
        self.init(key: key, fieldValues: parsed)
    }

    private enum CodingKeys: String, CodingKey {
        case key, values
    }

    /// Reads `{"key": ..., "values": [...]}` with values as users write them.
    /// - Throws: `DecodingError.dataCorrupted` when the key or a value doesn't fit the schema.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let key = try container.decode(String.self, forKey: .key)
        let values = try container.decode([String].self, forKey: .values)
        do {
            try self.init(key: key, values: values)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .values, in: container, debugDescription: error.message)
        }
    }

    /// Writes `{"key": ..., "values": [...]}` with values as users write them.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(values, forKey: .values)
    }
}
