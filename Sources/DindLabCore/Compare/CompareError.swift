/// Why a comparison could not be made.
package struct CompareError: Error, Hashable, CustomStringConvertible {
    /// The facts of the problem; the executable words the options they came from.
    package enum Code: Hashable, Sendable {
        /// The key to compare by is not one of the run's; the keys it has.
        case unknownKey(key: String, keys: [String])
        /// The baseline is not a level of the key; the levels there are.
        case unknownBaseline(key: String, value: String, levels: [String])
        /// A run folder without a readable manifest.json.
        case noManifest(path: String, reason: String)
        /// Fewer than two engines to compare.
        case tooFewEngines(count: Int)
    }

    /// What went wrong, with its facts.
    package let code: Code

    /// `--by KEY` names neither a matrix key of the run's cells nor `engine`.
    package static func unknownKey(_ key: String, keys: [String]) -> CompareError {
        CompareError(code: .unknownKey(key: key, keys: keys))
    }

    /// `--baseline VALUE` is not a level of the key.
    package static func unknownBaseline(_ value: String, key: String, levels: [String]) -> CompareError {
        CompareError(code: .unknownBaseline(key: key, value: value, levels: levels))
    }

    /// A run folder has no readable manifest.json (fingerprints live there).
    package static func noManifest(_ path: String, reason: String) -> CompareError {
        CompareError(code: .noManifest(path: path, reason: reason))
    }

    /// Fewer than two engines to compare.
    package static func tooFewEngines(_ count: Int) -> CompareError {
        CompareError(code: .tooFewEngines(count: count))
    }

    package var description: String {
        switch code {
        case .unknownKey(let key, let keys):
            "The run's cells have no key \"\(key)\" to compare by; use one of: \(keys.joined(separator: ", "))."
        case .unknownBaseline(let key, let value, let levels):
            "\"\(value)\" is not a value of \(key) in the run; its values are: \(levels.joined(separator: ", "))."
        case .noManifest(let path, let reason):
            "The run folder \(path) has no readable manifest.json, which holds the engines' fingerprints: \(reason)"
        case .tooFewEngines(let count):
            "A fingerprint diff needs at least two engines, but \(count == 0 ? "none was" : "only one was") given: name a run folder whose run used several engines, several run folders, or two engines."
        }
    }
}
