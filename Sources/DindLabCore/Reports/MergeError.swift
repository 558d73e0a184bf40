/// Why `dindlab merge` refused to combine some runs.
package struct MergeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The facts of the problem; the executable words the options they came from.
    package enum Code: Sendable, Hashable {
        /// No run folder was given.
        case noRuns
        /// Different seeds; `"<run>: seed <s>"` entries.
        case seedsDiffer([String])
        /// Different scenario files; `path (sha256 prefix)` entries.
        case scenariosDiffer(first: String, other: String, onlyInFirst: [String], onlyInOther: [String])
        /// Whole plans of different sizes; one entry a run.
        case plansDiffer([String])
        /// Splits into different shard counts; one entry a run.
        case shardCountsDiffer([String])
        /// One shard given twice.
        case sameShardTwice(shard: String, runs: [String])
        /// A trial recorded by two runs.
        case duplicateTrial(trialID: String, runs: [String])
        /// An output folder whose name cannot be a run id.
        case invalidDestination(path: String)
    }

    /// What went wrong, with its facts.
    package let code: Code

    /// No run folder was given.
    package static let noRuns = MergeError(code: .noRuns)

    /// The runs were planned from different seeds; `runs` are `"<run>: seed <s>"` entries.
    static func seedsDiffer(_ runs: [String]) -> MergeError { MergeError(code: .seedsDiffer(runs)) }

    /// Two runs read different scenario files; the lists are `path (sha256 prefix)` entries.
    static func scenariosDiffer(first: String, other: String, onlyInFirst: [String], onlyInOther: [String])
        -> MergeError
    {
        MergeError(
            code: .scenariosDiffer(first: first, other: other, onlyInFirst: onlyInFirst, onlyInOther: onlyInOther))
    }

    /// The runs' whole plans have different trial counts (another --repeat or --only).
    static func plansDiffer(_ runs: [String]) -> MergeError { MergeError(code: .plansDiffer(runs)) }

    /// The runs are shards of different splits (`--shard 1/3` and `--shard 2/4`).
    static func shardCountsDiffer(_ runs: [String]) -> MergeError { MergeError(code: .shardCountsDiffer(runs)) }

    /// The same shard was given twice.
    static func sameShardTwice(_ shard: String, runs: [String]) -> MergeError {
        MergeError(code: .sameShardTwice(shard: shard, runs: runs))
    }

    /// Two runs both recorded a trial.
    static func duplicateTrial(_ trialID: String, runs: [String]) -> MergeError {
        MergeError(code: .duplicateTrial(trialID: trialID, runs: runs))
    }

    /// The output folder's name cannot be a run id.
    static func invalidDestination(_ path: String) -> MergeError { MergeError(code: .invalidDestination(path: path)) }

    package var description: String {
        switch code {
        case .noRuns:
            return "No run folder was given, so there is nothing to merge."
        case .seedsDiffer(let runs):
            return
                "The runs were planned from different seeds (\(runs.joined(separator: "; "))), so they are not parts of one plan; run every shard with the same seed."
        case .scenariosDiffer(let first, let other, let onlyInFirst, let onlyInOther):
            var parts: [String] = []
            if !onlyInFirst.isEmpty { parts.append("only \(first) read \(onlyInFirst.joined(separator: ", "))") }
            if !onlyInOther.isEmpty { parts.append("only \(other) read \(onlyInOther.joined(separator: ", "))") }
            return
                "The runs \(first) and \(other) did not run the same scenario files (compared by sha256): \(parts.joined(separator: "; ")); run every shard from the same checkout."
        case .plansDiffer(let runs):
            return
                "The runs' plans differ in size (\(runs.joined(separator: "; "))), so they are not parts of one plan; give every shard the same files, repeat count and cell filters."
        case .shardCountsDiffer(let runs):
            return
                "The runs split the plan into different numbers of shards (\(runs.joined(separator: "; "))); give every shard the same shard count."
        case .sameShardTwice(let shard, let runs):
            return "Shard \(shard) was given twice (\(runs.joined(separator: " and "))); give each shard once."
        case .duplicateTrial(let trialID, let runs):
            return
                "The trial \(trialID) was recorded by both \(runs.joined(separator: " and ")); a merged run holds each trial once, so these runs overlap."
        case .invalidDestination(let path):
            return
                "The output folder \(path) cannot be a run folder: its name becomes the run id, so use letters, digits, '.', '_' and '-', not starting with '.'."
        }
    }
}
