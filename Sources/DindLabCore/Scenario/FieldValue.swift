/// The value of one scenario field, whatever its type: what a matrix dimension lists, what a
/// cell applies, what `--only` compares. Two values are equal when they mean the same thing
/// (`1.5m` and `90s` are one duration).
enum FieldValue: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case list([String])
    case integer(Int)
    case boolean(Bool)
    case duration(Duration)
    case successRate(SuccessRateExpectation)
    case stringMap([String: String])

    /// The value as users see it in cell ids and `--only`: scalars bare (`cmd`, `90s`), lists in
    /// YAML flow style (`[sh, -c, "echo ok"]`). Reading it back gives the same value.
    var description: String {
        switch self {
        case .text(let text): return text
        case .list(let items): return YAMLQuoting.flowList(items)
        case .integer(let value): return String(value)
        case .boolean(let value): return String(value)
        case .duration(let duration): return DurationText.format(duration)
        case .successRate(let expectation): return expectation.description
        case .stringMap(let map):
            let pairs = map.sorted { $0.key < $1.key }.map {
                "\(YAMLQuoting.flowScalar($0.key)): \(YAMLQuoting.flowScalar($0.value))"
            }
            return "{" + pairs.joined(separator: ", ") + "}"
        }
    }
}

/// A Swift type that a scenario field holds, and how it travels as a `FieldValue`.
protocol FieldValueConvertible: Sendable {
    init?(fieldValue: FieldValue)
    var fieldValue: FieldValue { get }
}

extension String: FieldValueConvertible {
    init?(fieldValue: FieldValue) {
        guard case .text(let text) = fieldValue else { return nil }
        self = text
    }
    var fieldValue: FieldValue { .text(self) }
}

extension Array: FieldValueConvertible where Element == String {
    init?(fieldValue: FieldValue) {
        guard case .list(let items) = fieldValue else { return nil }
        self = items
    }
    var fieldValue: FieldValue { .list(self) }
}

extension Int: FieldValueConvertible {
    init?(fieldValue: FieldValue) {
        guard case .integer(let value) = fieldValue else { return nil }
        self = value
    }
    var fieldValue: FieldValue { .integer(self) }
}

extension Bool: FieldValueConvertible {
    init?(fieldValue: FieldValue) {
        guard case .boolean(let value) = fieldValue else { return nil }
        self = value
    }
    var fieldValue: FieldValue { .boolean(self) }
}

extension Duration: FieldValueConvertible {
    init?(fieldValue: FieldValue) {
        guard case .duration(let value) = fieldValue else { return nil }
        self = value
    }
    var fieldValue: FieldValue { .duration(self) }
}

extension SuccessRateExpectation: FieldValueConvertible {
    init?(fieldValue: FieldValue) {
        guard case .successRate(let value) = fieldValue else { return nil }
        self = value
    }
    var fieldValue: FieldValue { .successRate(self) }
}

extension Dictionary: FieldValueConvertible where Key == String, Value == String {
    init?(fieldValue: FieldValue) {
        guard case .stringMap(let map) = fieldValue else { return nil }
        self = map
    }
    var fieldValue: FieldValue { .stringMap(self) }
}

/// Enumerations travel as their raw text.
extension FieldValueConvertible where Self: RawRepresentable, RawValue == String {
    init?(fieldValue: FieldValue) {
        guard case .text(let text) = fieldValue else { return nil }
        self.init(rawValue: text)
    }
    var fieldValue: FieldValue { .text(rawValue) }
}

extension Scenario.Isolation: FieldValueConvertible {}
extension Scenario.Forensics: FieldValueConvertible {}
extension Scenario.Outer.Cgroups: FieldValueConvertible {}
extension Scenario.Outer.Network: FieldValueConvertible {}
extension Scenario.Daemon.Start: FieldValueConvertible {}
extension Scenario.Inner.Mode: FieldValueConvertible {}
extension Scenario.Outer.CgroupTmpfs: FieldValueConvertible {}
extension Scenario.Daemon.InnerCgroupParent: FieldValueConvertible {}
extension CgroupDivergence: FieldValueConvertible {}
