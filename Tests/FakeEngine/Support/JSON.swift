import Foundation

/// A JSON value whose objects keep their keys in the order written, so that responses read
/// like a Go daemon's (struct fields in declaration order). Parsed objects are sorted by key.
enum JSON: Sendable, Equatable {
    struct Field: Sendable, Equatable {
        var key: String
        var value: JSON
    }

    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([Field])

    // MARK: Reading

    subscript(key: String) -> JSON? {
        guard case .object(let fields) = self else { return nil }
        return fields.last(where: { $0.key == key })?.value
    }

    var string: String? { if case .string(let value) = self { value } else { nil } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    var int: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value == value.rounded(): Int(exactly: value)
        default: nil
        }
    }
    var array: [JSON]? { if case .array(let value) = self { value } else { nil } }
    var fields: [Field]? { if case .object(let value) = self { value } else { nil } }
    var isNull: Bool { self == .null }

    /// An array of strings, or nil when the value is anything else.
    var stringArray: [String]? {
        guard let array else { return nil }
        let strings = array.compactMap(\.string)
        return strings.count == array.count ? strings : nil
    }

    /// An object of strings (labels), or nil when the value is anything else.
    var stringMap: [String: String]? {
        guard let fields else { return nil }
        var map: [String: String] = [:]
        for field in fields {
            guard let value = field.value.string else { return nil }
            map[field.key] = value
        }
        return map
    }

    // MARK: Building

    init(_ value: String) { self = .string(value) }
    init(_ value: Int) { self = .int(value) }
    init(_ value: Bool) { self = .bool(value) }
    init(_ value: String?) { self = value.map(JSON.string) ?? .null }
    init(_ values: [String]) { self = .array(values.map(JSON.string)) }
    init(_ values: [String]?) { self = values.map { JSON($0) } ?? .null }
    /// Labels and similar maps, sorted by key so output is stable.
    init(_ map: [String: String]) {
        self = .object(map.keys.sorted().map { Field(key: $0, value: .string(map[$0]!)) })
    }

    /// This object with a field replaced or appended.
    func setting(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var fields) = self else { return self }
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = value
        } else {
            fields.append(Field(key: key, value: value))
        }
        return .object(fields)
    }

    /// This object without the named fields.
    func removing(_ keys: Set<String>) -> JSON {
        guard case .object(let fields) = self else { return self }
        return .object(fields.filter { !keys.contains($0.key) })
    }

    // MARK: Text

    /// Compact JSON text, as Go's encoding/json writes it (without HTML escaping).
    var text: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// The compact text followed by a newline, as Go's json.Encoder writes a value.
    var line: Data { Data((text + "\n").utf8) }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value):
            if value == value.rounded(), abs(value) < 1e15 {
                output += String(Int(value))
            } else {
                output += "\(value)"
            }
        case .string(let value): JSON.writeString(value, to: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let fields):
            output += "{"
            for (index, field) in fields.enumerated() {
                if index > 0 { output += "," }
                JSON.writeString(field.key, to: &output)
                output += ":"
                field.value.write(to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                output +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    // MARK: Parsing

    /// Parses JSON text.
    /// - Throws: `DecodingError` when the data is not JSON.
    static func parse(_ data: Data) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: data)
    }
}

extension JSON: Decodable {
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            let object = try container.decode([String: JSON].self)
            self = .object(object.keys.sorted().map { Field(key: $0, value: object[$0]!) })
        }
    }
}

extension JSON: ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(elements.map { Field(key: $0.0, value: $0.1) })
    }
    init(arrayLiteral elements: JSON...) { self = .array(elements) }
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(nilLiteral: ()) { self = .null }
}
