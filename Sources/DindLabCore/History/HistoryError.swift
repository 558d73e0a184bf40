/// Why a history could not be read.
package struct HistoryError: Error, Hashable, CustomStringConvertible {
    /// The facts of the problem; the executable words the options they came from.
    package enum Code: Hashable, Sendable {
        /// A path given does not exist.
        case noSuchPath(path: String)
        /// No run folder under the paths given.
        case noRuns(paths: [String])
        /// Run folders without a trial.
        case noTrials(paths: [String])
        /// A window of fewer than one night.
        case badWindow(value: Int)
        /// A count of latest nights below one.
        case badLast(value: Int)
    }

    /// What went wrong, with its facts.
    package let code: Code

    /// A path given does not exist.
    package static func noSuchPath(_ path: String) -> HistoryError {
        HistoryError(code: .noSuchPath(path: path))
    }

    /// No run folder was found under the paths given.
    package static func noRuns(_ paths: [String]) -> HistoryError {
        HistoryError(code: .noRuns(paths: paths))
    }

    /// Run folders were found, but none recorded a trial or skipped a cell.
    package static func noTrials(_ paths: [String]) -> HistoryError {
        HistoryError(code: .noTrials(paths: paths))
    }

    /// A window of fewer than one night.
    package static func badWindow(_ value: Int) -> HistoryError {
        HistoryError(code: .badWindow(value: value))
    }

    /// `--last` of fewer than one night.
    package static func badLast(_ value: Int) -> HistoryError {
        HistoryError(code: .badLast(value: value))
    }

    package var description: String {
        switch code {
        case .noSuchPath(let path):
            "\(path) does not exist: give run folders (results/<run id>/) or folders that hold them."
        case .noRuns(let paths):
            "No run folder (a folder with manifest.json) was found in \(paths.joined(separator: ", ")), nor in the folders below \(paths.count == 1 ? "it" : "them") (up to \(HistoryReader.searchDepth) levels)."
        case .noTrials(let paths):
            "The run folders in \(paths.joined(separator: ", ")) recorded no trial (each stopped before its first trial ended): there is no history to read."
        case .badWindow(let value):
            "The window must be at least one night, got \(value)."
        case .badLast(let value):
            "The number of latest nights to keep must be at least one, got \(value)."
        }
    }
}
