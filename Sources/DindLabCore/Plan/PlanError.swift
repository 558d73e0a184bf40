/// Why a plan (or a selection of cells) could not be made from the scenarios and options given.
package struct PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The facts of the problem; the executable words the options they came from.
    package enum Kind: Sendable, Hashable {
        /// A cell filter that is not `key=value`, as given.
        case malformedFilter(String)
        /// A filter's key that no scenario's matrix has, and the keys there are.
        case unknownFilterKey(CellFilter, matrixKeys: [String])
        /// A filter's value that does not fit its key's type, and why.
        case badFilterValue(CellFilter, String)
        /// A filter's value that the matrix never gives its key, and the values it gives.
        case filterValueNeverTaken(CellFilter, values: [String])
        /// Filters that no cell matches all at once.
        case nothingSelected([CellFilter])
        /// A repeat count below 1.
        case invalidRepeat(Int)
        /// A scenario name given by several files.
        case duplicateScenarioName(String, sources: [String])
        /// No scenario at all.
        case noScenarios
        /// A shard number outside 1...count.
        case invalidShard(Int, of: Int)
    }

    /// What went wrong, with its facts.
    package let kind: Kind

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

    /// What is wrong with a cell filter, after the filter itself (`expected key=value, e.g.
    /// inner.mode=ti.`); nil when the problem is not one filter's. The executable puts the
    /// option before it.
    package var filterProblem: (argument: String, problem: String)? {
        switch kind {
        case .malformedFilter(let argument):
            return (YAMLQuoting.quoted(argument), "expected key=value, e.g. inner.mode=ti.")
        case .unknownFilterKey(let filter, let keys):
            let known =
                keys.isEmpty ? "no scenario given has a matrix" : "the matrix keys are \(keys.joined(separator: ", "))"
            return ("\(filter)", "\(filter.key) is not a matrix key of the scenarios given (\(known)).")
        case .badFilterValue(let filter, let message):
            return ("\(filter)", "\(message).")
        case .filterValueNeverTaken(let filter, let values):
            return (
                "\(filter)",
                "the matrix never gives \(filter.key) the value \(YAMLQuoting.quoted(filter.value)); its values are \(values.joined(separator: ", "))."
            )
        default:
            return nil
        }
    }

    /// The problem in a full sentence, naming the argument at fault.
    package var description: String {
        if let (argument, problem) = filterProblem {
            return "The cell filter \(argument): \(problem)"
        }
        switch kind {
        case .malformedFilter, .unknownFilterKey, .badFilterValue, .filterValueNeverTaken:
            return "The cell filter is wrong."  // worded by filterProblem above
        case .nothingSelected(let filters):
            return "No cell has all of " + filters.map { "\($0)" }.joined(separator: ", ")
                + " at once, so there is nothing to run."
        case .invalidRepeat(let count):
            return "A repeat count of \(count) was asked for, but a cell needs at least 1 trial."
        case .duplicateScenarioName(let name, let sources):
            return
                "Two scenarios are named \(name) (\(sources.joined(separator: ", "))); trial ids would clash, so rename one."
        case .noScenarios:
            return "No scenario was given, so there is nothing to plan."
        case .invalidShard(let index, let count):
            return
                "Shard \(index) of \(count) does not exist; shards are numbered 1 to the count, and the count is at least 1."
        }
    }

    static func malformedFilter(_ argument: String) -> PlanError { PlanError(.malformedFilter(argument)) }
    static func unknownFilterKey(_ filter: CellFilter, matrixKeys: [String]) -> PlanError {
        PlanError(.unknownFilterKey(filter, matrixKeys: matrixKeys))
    }
    static func badFilterValue(_ filter: CellFilter, _ message: String) -> PlanError {
        PlanError(.badFilterValue(filter, message))
    }
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
