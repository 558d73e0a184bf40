/// Why a comparison could not be made.
package struct CompareError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case unknownKey(key: String, keys: [String])
        case unknownBaseline(key: String, value: String, levels: [String])
        case noManifest(path: String, reason: String)
        case tooFewEngines(count: Int)
    }

    private let code: Code

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
            "A fingerprint diff needs at least two engines, but \(count == 0 ? "none was" : "only one was") given: name a run folder whose run used several engines, several run folders, or --engine twice."
        }
    }
}
