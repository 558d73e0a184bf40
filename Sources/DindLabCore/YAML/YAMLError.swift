/// One problem with a YAML file: where it is, which key path, and what is wrong.
///
/// Its `description` is the line a user sees, in the form compilers use:
///
///     Scenarios/x.yaml:12:5: daemon.start: expected one of cmd, exec, got "exce"
///
/// Decoders build errors through the static functions below (`unknownKey`, `wrongType`,
/// `notOneOf`, ...) so every loader built on this layer words the same problem the same way;
/// `code` tells the kinds apart without parsing text.
package struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it.
    package let file: String
    /// Where in the file, when the problem has a place (a file that can't be read has none).
    package let location: YAMLLocation?
    /// The key path of the node at fault; the root's path when the problem is the whole document.
    package let path: YAMLPath
    /// What is wrong, without location and path: `expected one of cmd, exec, got "exce"`.
    package let message: String
    /// Which kind of problem this is.
    package let code: Code

    /// `file:line:column: path: message` (parts that don't apply are left out).
    package var description: String {
        var text = location.map { "\($0)" } ?? file
        if !path.isRoot { text += ": \(path)" }
        return text + ": " + message
    }

    private init(code: Code, file: String, location: YAMLLocation?, path: YAMLPath, message: String) {
        self.code = code
        self.file = file
        self.location = location
        self.path = path
        self.message = message
    }

    private init(code: Code, at node: YAMLNode, _ message: String) {
        self.init(code: code, file: node.location.file, location: node.location, path: node.path, message: message)
    }

    /// Tells the kinds of problem apart. Compare with `==` against the static members.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case unreadable = "unreadable file"
            case invalidEncoding = "invalid encoding"
            case syntax = "syntax error"
            case empty = "empty document"
            case tooComplex = "too complex"
            case unsupported = "unsupported YAML feature"
            case duplicateKey = "duplicate key"
            case unknownKey = "unknown key"
            case missingKey = "missing key"
            case wrongType = "wrong type"
            case badValue = "bad value"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The file could not be read.
        package static let unreadable = Code(.unreadable)
        /// The bytes are not UTF-8 text.
        package static let invalidEncoding = Code(.invalidEncoding)
        /// YAML itself could not parse the text.
        package static let syntax = Code(.syntax)
        /// The file holds no document.
        package static let empty = Code(.empty)
        /// The document exceeds the loader's limits (size, nesting depth, node count).
        package static let tooComplex = Code(.tooComplex)
        /// The document uses a YAML feature this loader refuses (non-scalar keys, merge keys).
        package static let unsupported = Code(.unsupported)
        /// A mapping repeats a key.
        package static let duplicateKey = Code(.duplicateKey)
        /// A mapping has a key the schema doesn't know.
        package static let unknownKey = Code(.unknownKey)
        /// A mapping lacks a required key.
        package static let missingKey = Code(.missingKey)
        /// A node has the wrong shape or type (a list where a string belongs, text where a number belongs).
        package static let wrongType = Code(.wrongType)
        /// A node has the right type but a value the schema doesn't accept.
        package static let badValue = Code(.badValue)

        /// The kind in words: `unknown key`.
        package var description: String { kind.rawValue }
    }
}

// MARK: - Problems with the file or the YAML text

extension YAMLError {
    /// The file could not be read.
    /// - Parameters:
    ///   - file: The file as the user named it.
    ///   - reason: Why, e.g. `no such file`.
    package static func unreadable(file: String, reason: String) -> YAMLError {
        YAMLError(code: .unreadable, file: file, location: nil, path: .root, message: "cannot read the file: \(reason)")
    }

    /// The bytes are not valid UTF-8.
    /// - Parameter location: Where the first invalid byte is.
    package static func invalidUTF8(at location: YAMLLocation) -> YAMLError {
        YAMLError(
            code: .invalidEncoding, file: location.file, location: location, path: .root,
            message: "the file is not valid UTF-8 text (the first invalid byte is here)")
    }

    /// YAML could not parse the text.
    /// - Parameters:
    ///   - problem: libyaml's words for the problem.
    ///   - location: Where libyaml found it.
    ///   - path: The key path of the enclosing node, when known.
    package static func syntax(_ problem: String, at location: YAMLLocation, path: YAMLPath = .root) -> YAMLError {
        YAMLError(
            code: .syntax, file: location.file, location: location, path: path, message: "YAML syntax error: \(problem)"
        )
    }

    /// The file holds no YAML document (it is empty or only comments).
    /// - Parameter file: The file as the user named it.
    package static func empty(file: String) -> YAMLError {
        YAMLError(
            code: .empty, file: file, location: YAMLLocation(file: file, line: 1, column: 1), path: .root,
            message: "the file is empty; expected a YAML mapping")
    }

    /// The document exceeds one of the loader's limits.
    /// - Parameters:
    ///   - reason: Which limit, in words.
    ///   - location: Where the limit was crossed, when known.
    ///   - file: The file as the user named it.
    ///   - path: The key path where the limit was crossed.
    package static func tooComplex(_ reason: String, file: String, at location: YAMLLocation?, path: YAMLPath = .root)
        -> YAMLError
    {
        YAMLError(
            code: .tooComplex, file: file, location: location, path: path, message: "\(reason); refusing to load it")
    }

    /// The document uses a YAML feature this loader refuses.
    /// - Parameters:
    ///   - problem: What is not supported, and what to write instead.
    ///   - location: Where it is used.
    ///   - path: The key path where it is used.
    package static func unsupported(_ problem: String, at location: YAMLLocation, path: YAMLPath) -> YAMLError {
        YAMLError(code: .unsupported, file: location.file, location: location, path: path, message: problem)
    }

    /// A mapping repeats a key.
    /// - Parameters:
    ///   - key: The repeated key.
    ///   - location: Where it is repeated.
    ///   - path: The path of the repeated key.
    ///   - first: Where the key first appears.
    package static func duplicateKey(_ key: String, at location: YAMLLocation, path: YAMLPath, first: YAMLLocation)
        -> YAMLError
    {
        YAMLError(
            code: .duplicateKey, file: location.file, location: location, path: path,
            message:
                "duplicate key \(YAMLQuoting.quoted(key)) (first given at line \(first.line), column \(first.column))")
    }
}

// MARK: - Problems with the content (raised by decoders)

extension YAMLError {
    /// A mapping has a key the schema doesn't know.
    /// - Parameters:
    ///   - entry: The entry with the unknown key.
    ///   - allowed: The keys the mapping accepts, in the order the schema lists them.
    ///   - what: What the key is in words, when not just `key` (e.g. `matrix key`).
    package static func unknownKey(_ entry: YAMLEntry, allowed: [String], what: String = "key") -> YAMLError {
        var message = "unknown \(what) \(YAMLQuoting.quoted(entry.key))"
        if let suggestion = closestMatch(to: entry.key, among: allowed) {
            message += " (did you mean \(suggestion)?)"
        }
        message += "; allowed: " + allowed.joined(separator: ", ")
        return YAMLError(
            code: .unknownKey, file: entry.keyLocation.file, location: entry.keyLocation,
            path: entry.value.path, message: message)
    }

    /// A mapping lacks a required key.
    /// - Parameters:
    ///   - key: The missing key.
    ///   - mapping: The mapping that should hold it.
    ///   - note: An optional explanation appended in parentheses.
    package static func missingKey(_ key: String, in mapping: YAMLNode, note: String? = nil) -> YAMLError {
        var message = "missing required key \(YAMLQuoting.quoted(key))"
        if let note { message += " (\(note))" }
        return YAMLError(
            code: .missingKey, file: mapping.location.file, location: mapping.location,
            path: mapping.path.appending(key: key), message: message)
    }

    /// A node has the wrong shape or type.
    /// - Parameters:
    ///   - node: The node.
    ///   - expected: What belongs there, with its article: `a list`, `an integer`.
    ///   - hint: An optional hint appended after a semicolon.
    package static func wrongType(_ node: YAMLNode, expected: String, hint: String? = nil) -> YAMLError {
        var message = "expected \(expected), got \(node.kindDescription)"
        if let hint { message += "; \(hint)" }
        return YAMLError(code: .wrongType, at: node, message)
    }

    /// A scalar is not one of the allowed words.
    /// - Parameters:
    ///   - node: The node.
    ///   - allowed: The allowed words.
    package static func notOneOf(_ node: YAMLNode, allowed: [String]) -> YAMLError {
        YAMLError(
            code: .badValue, at: node, "expected one of \(allowed.joined(separator: ", ")), got \(node.kindDescription)"
        )
    }

    /// A node has the right type but a value the schema doesn't accept.
    /// - Parameters:
    ///   - node: The node.
    ///   - message: What is wrong, in the same style: `expected ..., got ...`.
    package static func badValue(_ node: YAMLNode, _ message: String) -> YAMLError {
        YAMLError(code: .badValue, at: node, message)
    }

    /// A value that comes from somewhere other than a file (the command line, a manifest) is bad.
    /// - Parameters:
    ///   - label: What to show in place of `file:line:column`, e.g. `--only inner.mode=x`.
    ///   - message: What is wrong, in the same style: `expected ..., got ...`.
    package static func badArgument(_ label: String, _ message: String) -> YAMLError {
        YAMLError(code: .badValue, file: label, location: nil, path: .root, message: message)
    }

    /// The allowed word closest to a misspelling, if one is close enough to be a likely typo.
    private static func closestMatch(to word: String, among candidates: [String]) -> String? {
        // No suggestion is ever more than 3 edits away, and the distance is at least the
        // difference in length: skip the quadratic comparison for words that cannot match
        // (a key of half a megabyte would otherwise take seconds and a large table).
        let candidates = candidates.filter { abs($0.count - word.count) <= 3 }
        let scored = candidates.map { (candidate: $0, distance: editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        let tolerance = max(1, min(3, best.candidate.count / 3))
        return best.distance <= tolerance ? best.candidate : nil
    }

    /// Levenshtein distance, with a transposition counted as one edit ("exce" -> "exec").
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

/// All problems found in one or more YAML files, in file order: a loader reports every problem
/// it can find at once rather than one per attempt.
package struct YAMLErrors: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, sorted by file, line and column.
    package let errors: [YAMLError]

    /// Creates the list: files in the order they first appear, each file's problems by line and column.
    /// - Parameter errors: The problems, in any order.
    package init(_ errors: [YAMLError]) {
        var files: [String] = []
        for error in errors where !files.contains(error.file) { files.append(error.file) }
        self.errors = files.flatMap { file in
            errors.enumerated()
                .filter { $0.element.file == file }
                .sorted { lhs, rhs in
                    (lhs.element.location?.line ?? 0, lhs.element.location?.column ?? 0, lhs.offset)
                        < (rhs.element.location?.line ?? 0, rhs.element.location?.column ?? 0, rhs.offset)
                }
                .map(\.element)
        }
    }

    /// One problem per line.
    package var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects problems while a decoder carries on, so one pass reports all of them.
package struct YAMLDiagnostics: Sendable {
    /// The problems so far, in the order they were found.
    package private(set) var errors: [YAMLError] = []
    /// The same problems, to drop repeats in constant time: a file may hold tens of thousands
    /// of problems (one per unknown key), and a linear search per problem would hang on it.
    private var recorded: Set<YAMLError> = []

    /// Creates an empty collection.
    package init() {}

    /// Records a problem.
    /// - Parameter error: The problem.
    package mutating func record(_ error: YAMLError) {
        if recorded.insert(error).inserted { errors.append(error) }
    }

    /// Records problems.
    /// - Parameter errors: The problems.
    package mutating func record(_ errors: [YAMLError]) {
        for error in errors { record(error) }
    }

    /// Runs a decoding step, recording its error instead of stopping.
    /// - Parameter step: The step.
    /// - Returns: The step's result, or nil when it failed.
    package mutating func attempt<T>(_ step: () throws(YAMLError) -> T) -> T? {
        do {
            return try step()
        } catch {
            record(error)
            return nil
        }
    }

    /// Throws everything recorded, if anything was.
    /// - Throws: `YAMLErrors` with every recorded problem.
    package func check() throws(YAMLErrors) {
        if !errors.isEmpty { throw YAMLErrors(errors) }
    }
}
