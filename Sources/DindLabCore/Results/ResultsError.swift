import Foundation

/// A failure to create, write or read a run's results.
package struct ResultsError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case runExists(path: String)
        case notARunDirectory(path: String)
        case invalidName(kind: String, name: String)
        case cannotCreateDirectory(path: String, reason: String)
        case cannotWrite(path: String, reason: String)
        case cannotRead(path: String, reason: String)
        case cannotEncode(what: String, reason: String)
        case cannotDecode(path: String, reason: String)
    }

    private let code: Code

    /// A run directory with that run id exists already; runs are never overwritten.
    package static func runExists(_ path: String) -> ResultsError {
        ResultsError(code: .runExists(path: path))
    }

    /// The directory does not exist or is not a run's results directory.
    package static func notARunDirectory(_ path: String) -> ResultsError {
        ResultsError(code: .notARunDirectory(path: path))
    }

    /// A run id or trial id that cannot name a directory (empty, `..`, a slash, ...).
    package static func invalidName(_ kind: String, _ name: String) -> ResultsError {
        ResultsError(code: .invalidName(kind: kind, name: name))
    }

    /// A directory could not be created; `reason` says why (e.g. strerror).
    package static func cannotCreateDirectory(_ path: String, reason: String) -> ResultsError {
        ResultsError(code: .cannotCreateDirectory(path: path, reason: clause(reason)))
    }

    /// A file could not be written; `reason` says why.
    package static func cannotWrite(_ path: String, reason: String) -> ResultsError {
        ResultsError(code: .cannotWrite(path: path, reason: clause(reason)))
    }

    /// A file could not be read; `reason` says why.
    package static func cannotRead(_ path: String, reason: String) -> ResultsError {
        ResultsError(code: .cannotRead(path: path, reason: clause(reason)))
    }

    /// A value could not be encoded; `what` names it ("run manifest").
    package static func cannotEncode(_ what: String, reason: String) -> ResultsError {
        ResultsError(code: .cannotEncode(what: what, reason: clause(reason)))
    }

    /// A file's JSON is not what it should be; `reason` says what and where.
    package static func cannotDecode(_ path: String, reason: String) -> ResultsError {
        ResultsError(code: .cannotDecode(path: path, reason: clause(reason)))
    }

    /// A reason as the tail of a sentence: no final period (the description adds one).
    private static func clause(_ reason: String) -> String {
        var text = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    package var description: String {
        switch code {
        case .runExists(let path):
            "The run directory \(path) exists already; a run's results are never overwritten, so choose another run id."
        case .notARunDirectory(let path):
            "\(path) is not a run's results directory (results/<run id>/)."
        case .invalidName(let kind, let name):
            "The \(kind) \"\(name)\" cannot name a directory: use letters, digits, '.', '_' and '-', not starting with '.'."
        case .cannotCreateDirectory(let path, let reason):
            "Could not create the directory \(path): \(reason)."
        case .cannotWrite(let path, let reason):
            "Could not write \(path): \(reason)."
        case .cannotRead(let path, let reason):
            "Could not read \(path): \(reason)."
        case .cannotEncode(let what, let reason):
            "Could not encode the \(what) as JSON: \(reason)."
        case .cannotDecode(let path, let reason):
            "\(path) is not valid: \(reason)."
        }
    }
}
