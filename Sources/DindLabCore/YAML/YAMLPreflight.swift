// libyaml's event API, which Yams wraps but does not expose. Yams itself depends on this module,
// so it is always built alongside it.
import CYaml
import Foundation

/// A first pass over libyaml's event stream that decides whether Yams may safely build a tree.
///
/// Why it exists: Yams composes recursively and has no limits of its own. Nesting a few hundred
/// levels deep overflows a thread's stack (a crash), and an alias bomb used as a mapping key makes
/// Yams' duplicate-key check hash billions of nodes (a hang). This pass keeps only a small stack of
/// open containers, so it is safe on any input, and it rejects what would hurt before Yams runs:
/// nesting beyond `maxDepth`, more than `maxNodes` nodes once aliases are expanded, and
/// non-scalar mapping keys. On the way it reports what Yams would report less precisely: syntax
/// errors, duplicate keys (at the second occurrence, with its key path), undefined aliases and
/// extra documents.
struct YAMLPreflight {
    /// What the pass learnt about a well-formed file.
    enum Outcome {
        /// The stream holds no document, or a document with nothing in it.
        case empty
        /// The stream holds one document within the limits.
        case document
    }

    let file: String
    let limits: YAMLLimits
    /// The file's bytes, to turn libyaml's byte offsets into lines and columns.
    let bytes: [UInt8]

    /// Runs the pass.
    /// - Returns: Whether the file holds a document.
    /// - Throws: `YAMLError` for syntax errors and for anything beyond the limits.
    func run() throws(YAMLError) -> Outcome {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw .tooComplex("libyaml could not allocate a parser", file: file, at: nil)
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

        var walk = Walk(file: file, limits: limits)
        let result: Result<Outcome, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .failure(syntaxError(parser))
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT {
                    return .success(walk.sawContent ? .document : .empty)
                }
                do throws(YAMLError) {
                    try walk.handle(event)
                } catch {
                    return .failure(error)
                }
            }
        }
        return try result.get()
    }

    /// libyaml's error, located: scanner and parser errors carry a mark, reader errors (bad
    /// characters) a byte offset.
    private func syntaxError(_ parser: yaml_parser_t) -> YAMLError {
        // libyaml's scanner looks ahead through `[[[[...` and stops at its own limit (1000
        // levels) before this pass sees the events that would cross ours.
        if let problem = parser.problem, String(cString: problem).hasPrefix("Maximum nesting level reached") {
            let mark = parser.problem_mark
            return .tooComplex(
                "the document nests deeper than \(limits.maxDepth) levels", file: file,
                at: YAMLLocation(file: file, line: mark.line + 1, column: mark.column + 1))
        }
        var problem = parser.problem.map { String(cString: $0) } ?? "libyaml gave no reason"
        let location: YAMLLocation
        if parser.error == YAML_READER_ERROR {
            location = YAMLText.location(ofByteOffset: parser.problem_offset, in: bytes, file: file)
            if parser.problem_value >= 0 {
                problem += String(format: " (U+%04X)", parser.problem_value)
            }
        } else {
            location = YAMLLocation(
                file: file, line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1)
        }
        if let context = parser.context {
            let mark = parser.context_mark
            problem += " (\(String(cString: context)) that starts at line \(mark.line + 1), column \(mark.column + 1))"
        }
        return .syntax(problem, at: location)
    }
}

/// The state of the walk over the events: the open containers and what each anchor expands to.
private struct Walk {
    let file: String
    let limits: YAMLLimits

    /// An open list or mapping.
    struct Frame {
        let isMapping: Bool
        let path: YAMLPath
        let anchor: String?
        /// Nodes in this subtree once aliases are expanded, this node included.
        var size = 1
        /// Levels below this node (0 for a leaf).
        var height = 0
        /// Mappings: whether the next node is a key, the key whose value comes next, the keys so far.
        var awaitingKey = true
        var pendingKey = ""
        var keys: [String: YAMLLocation] = [:]
        /// Lists: how many elements so far.
        var count = 0
    }

    var frames: [Frame] = []
    /// Per anchor: the expanded size and the height of the anchored node.
    var anchors: [String: (size: Int, height: Int)] = [:]
    var totalNodes = 0
    var documents = 0
    var sawContent = false

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    mutating func handle(_ event: yaml_event_t) throws(YAMLError) {
        let location = YAMLLocation(file: file, line: event.start_mark.line + 1, column: event.start_mark.column + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw .unsupported(
                    "a second YAML document starts here; expected exactly one document per file",
                    at: location, path: .root)
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            if frames.isEmpty && text.isEmpty && scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar.tag == nil {
                return  // `---` with nothing after it: an empty document
            }
            if let anchor = Self.string(scalar.anchor) { anchors[anchor] = (1, 0) }
            if try takeKey(text, at: location) { return }
            try addLeaf(size: 1, height: 0, at: location)
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                throw .syntax("found undefined alias *\(name)", at: location)
            }
            try rejectIfKey("an alias", at: location)
            try addLeaf(size: anchored.size, height: anchored.height, at: location)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            try rejectIfKey(isMapping ? "a mapping" : "a list", at: location)
            let path = nextPath()
            try count(1, at: location, path: path)
            try checkDepth(frames.count + 1, at: location, path: path)
            let anchor = Self.string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
            frames.append(Frame(isMapping: isMapping, path: path, anchor: anchor))
            sawContent = true
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let closed = frames.removeLast()
            if let anchor = closed.anchor { anchors[anchor] = (closed.size, closed.height) }
            finishChild(size: closed.size, height: closed.height)
        default:
            break  // stream and document boundaries carry nothing to check
        }
    }

    /// If the next node is a mapping key, records it (checking for duplicates) and returns true.
    private mutating func takeKey(_ key: String, at location: YAMLLocation) throws(YAMLError) -> Bool {
        // The parent is read in place, never copied: a copy alive while `keys` grows would
        // make every insertion copy the whole dictionary (minutes for 40 000 keys).
        let last = frames.count - 1
        guard last >= 0, frames[last].isMapping, frames[last].awaitingKey else { return false }
        let path = frames[last].path.appending(key: key)
        if let first = frames[last].keys[key] {
            throw .duplicateKey(key, at: location, path: path, first: first)
        }
        try count(1, at: location, path: path)
        frames[last].keys[key] = location
        frames[frames.count - 1].pendingKey = key
        frames[frames.count - 1].awaitingKey = false
        frames[frames.count - 1].size += 1
        return true
    }

    private func rejectIfKey(_ what: String, at location: YAMLLocation) throws(YAMLError) {
        guard let parent = frames.last, parent.isMapping, parent.awaitingKey else { return }
        throw .unsupported(
            "\(what) is used as a mapping key; only plain text keys are supported",
            at: location, path: parent.path)
    }

    /// The path of the node that comes next, from its parent's state.
    private func nextPath() -> YAMLPath {
        guard let parent = frames.last else { return .root }
        return parent.isMapping
            ? parent.path.appending(key: parent.pendingKey) : parent.path.appending(index: parent.count)
    }

    private mutating func addLeaf(size: Int, height: Int, at location: YAMLLocation) throws(YAMLError) {
        let path = nextPath()
        try count(size, at: location, path: path)
        try checkDepth(frames.count + 1 + height, at: location, path: path)
        sawContent = true
        finishChild(size: size, height: height)
    }

    /// Folds a finished child into its parent and moves the parent on to its next key or element.
    private mutating func finishChild(size: Int, height: Int) {
        guard !frames.isEmpty else { return }
        let last = frames.count - 1
        frames[last].size += size
        frames[last].height = max(frames[last].height, height + 1)
        if frames[last].isMapping {
            frames[last].awaitingKey = true
        } else {
            frames[last].count += 1
        }
    }

    private mutating func count(_ nodes: Int, at location: YAMLLocation, path: YAMLPath) throws(YAMLError) {
        guard nodes <= limits.maxNodes - totalNodes else {
            throw .tooComplex(
                "the document has more than \(limits.maxNodes) nodes once its aliases are expanded",
                file: file, at: location, path: path)
        }
        totalNodes += nodes
    }

    private func checkDepth(_ depth: Int, at location: YAMLLocation, path: YAMLPath) throws(YAMLError) {
        guard depth <= limits.maxDepth else {
            throw .tooComplex(
                "the document nests deeper than \(limits.maxDepth) levels", file: file, at: location, path: path)
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
