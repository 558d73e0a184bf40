/// Why a plan (or a selection of cells) could not be made from the scenarios and options given.
package struct PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case malformedFilter(String)
        case unknownFilterKey(CellFilter, matrixKeys: [String])
        case badFilterValue(CellFilter, String)
        case filterValueNeverTaken(CellFilter, values: [String])
        case nothingSelected([CellFilter])
        case invalidRepeat(Int)
        case duplicateScenarioName(String, sources: [String])
        case noScenarios
        case invalidShard(Int, of: Int)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// Tells the kinds of problem apart. Compare with `==` against the static members.
    package struct Code: Sendable, Hashable {
        fileprivate let name: String
        /// An `--only` argument is not `key=value`, or its key or value doesn't fit the scenarios.
        package static let badFilter = Code(name: "bad filter")
        /// The filters together leave no cell.
        package static let nothingSelected = Code(name: "nothing selected")
        /// `--repeat` is below 1.
        package static let invalidRepeat = Code(name: "invalid repeat")
        /// Two scenarios share a name, so their trial ids would clash.
        package static let duplicateScenarioName = Code(name: "duplicate scenario name")
        /// No scenario was given.
        package static let noScenarios = Code(name: "no scenarios")
        /// A shard number outside 1...count.
        package static let invalidShard = Code(name: "invalid shard")
    }

    /// Which kind of problem this is.
    package var code: Code {
        switch kind {
        case .malformedFilter, .unknownFilterKey, .badFilterValue, .filterValueNeverTaken: return .badFilter
        case .nothingSelected: return .nothingSelected
        case .invalidRepeat: return .invalidRepeat
        case .duplicateScenarioName: return .duplicateScenarioName
        case .noScenarios: return .noScenarios
        case .invalidShard: return .invalidShard
        }
    }

    /// The problem in a full sentence, naming the argument at fault.
    package var description: String {
        switch kind {
        case .malformedFilter(let argument):
            return "--only \(YAMLQuoting.quoted(argument)): expected key=value, e.g. --only inner.mode=ti."
        case .unknownFilterKey(let filter, let keys):
            let known = keys.isEmpty ? "no scenario given has a matrix" : "the matrix keys are \(keys.joined(separator: ", "))"
            return "--only \(filter): \(filter.key) is not a matrix key of the scenarios given (\(known))."
        case .badFilterValue(let filter, let message):
            return "--only \(filter): \(message)."
        case .filterValueNeverTaken(let filter, let values):
            return "--only \(filter): the matrix never gives \(filter.key) the value \(YAMLQuoting.quoted(filter.value)); "
                + "its values are \(values.joined(separator: ", "))."
        case .nothingSelected(let filters):
            return "No cell has all of " + filters.map { "\($0)" }.joined(separator: ", ") + " at once, so there is nothing to run."
        case .invalidRepeat(let count):
            return "--repeat \(count): a cell needs at least 1 trial."
        case .duplicateScenarioName(let name, let sources):
            return "Two scenarios are named \(name) (\(sources.joined(separator: ", "))); trial ids would clash, so rename one."
        case .noScenarios:
            return "No scenario was given, so there is nothing to plan."
        case .invalidShard(let index, let count):
            return "Shard \(index) of \(count) does not exist; shards are numbered 1 to the count, and the count is at least 1."
        }
    }

    static func malformedFilter(_ argument: String) -> PlanError { PlanError(.malformedFilter(argument)) }
    static func unknownFilterKey(_ filter: CellFilter, matrixKeys: [String]) -> PlanError {
        PlanError(.unknownFilterKey(filter, matrixKeys: matrixKeys))
    }
    static func badFilterValue(_ filter: CellFilter, _ message: String) -> PlanError { PlanError(.badFilterValue(filter, message)) }
    static func filterValueNeverTaken(_ filter: CellFilter, values: [String]) -> PlanError {
        PlanError(.filterValueNeverTaken(filter, values: values))
    }
    static func nothingSelected(_ filters: [CellFilter]) -> PlanError { PlanError(.nothingSelected(filters)) }
    static func invalidRepeat(_ count: Int) -> PlanError { PlanError(.invalidRepeat(count)) }
    static func duplicateScenarioName(_ name: String, sources: [String]) -> PlanError {
        PlanError(.duplicateScenarioName(name, sources: sources))
    }
    static let noScenarios = PlanError(.noScenarios)
    static func invalidShard(_ index: Int, of count: Int) -> PlanError { PlanError(.invalidShard(index, of: count)) }
}
