/// Why a history could not be read.
package struct HistoryError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case noSuchPath(path: String)
        case noRuns(paths: [String])
        case noTrials(paths: [String])
        case badWindow(value: Int)
        case badLast(value: Int)
    }

    private let code: Code

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
            "--last must be at least one night, got \(value)."
        }
    }
}
