/// Builds a document's node tree from its parse events in one pass, enforcing the loader's
/// limits and rules on the way.
///
/// It keeps a stack of the open lists and mappings (never recursion over the input), so it is
/// safe on any input, and it refuses what would hurt before it is built: nesting beyond
/// `maxDepth`, more than `maxNodes` nodes once aliases are expanded (an alias bomb is stopped
/// at the alias that crosses the limit, before anything is copied), and non-scalar mapping
/// keys. It reports duplicate keys (at the second occurrence, with its key path and where the
/// key was first given), undefined aliases, a second document and merge keys (`<<`).
///
/// Every node carries where it starts (the start of its anchor or tag, if it has one) and its
/// key path. A node reached through an alias is a copy of the anchored node: the anchored
/// node's locations, the path of the place the alias puts it.
struct YAMLTreeBuilder {
    let file: String
    let limits: YAMLLimits

    /// An open list or mapping and what it holds so far.
    private struct Frame {
        let isMapping: Bool
        let location: YAMLLocation
        let path: YAMLPath
        let anchor: String?
        /// Lists: the elements so far.
        var items: [YAMLNode] = []
        /// Mappings: the entries so far, the key whose value comes next (nil while a key is
        /// awaited), and where each key so far is written.
        var entries: [YAMLEntry] = []
        var pendingKey: (text: String, location: YAMLLocation)?
        var keys: [String: YAMLLocation] = [:]
        /// Nodes in this subtree once aliases are expanded, this node and the keys included.
        var size = 1
        /// Levels below this node (0 for a leaf).
        var height = 0
    }

    /// What an anchor names: the node, and what an alias to it adds to the document.
    private struct Anchored {
        let node: YAMLNode
        let size: Int
        let height: Int
    }

    private var frames: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var totalNodes = 0
    private var documents = 0
    private var root: YAMLNode?
    /// The first merge key, reported by `finish()`: syntax errors, limits and duplicate keys
    /// anywhere in the file come first, as libyaml finds them while the tree is still open.
    private var mergeKey: YAMLError?

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    /// The document's root once the stream has ended.
    /// - Returns: The root, or nil when the stream held no document or an empty one.
    /// - Throws: `YAMLError` when the document uses a merge key.
    func finish() throws(YAMLError) -> YAMLNode? {
        if let mergeKey { throw mergeKey }
        return root
    }

    /// Takes the next event.
    /// - Parameters:
    ///   - event: The event.
    ///   - location: Where the event starts.
    /// - Throws: `YAMLError` for anything beyond the limits or against the loader's rules.
    mutating func handle(_ event: YAMLEvent, at location: YAMLLocation) throws(YAMLError) {
        switch event {
        case .documentStart:
            documents += 1
            if documents > 1 {
                throw .unsupported(
                    "a second YAML document starts here; expected exactly one document per file",
                    at: location, path: .root)
            }
        case .scalar(let scalar, let anchor, let isTagged):
            if frames.isEmpty && scalar.text.isEmpty && scalar.style == .plain && !isTagged {
                return  // `---` with nothing after it: an empty document
            }
            let node: YAMLNode
            if let keyPath = try takeKey(scalar, at: location) {
                node = YAMLNode(.scalar(scalar), location: location, path: keyPath)
            } else {
                node = YAMLNode(.scalar(scalar), location: location, path: nextPath())
                try admit(size: 1, height: 0, at: location, path: node.path)
                attach(node, size: 1, height: 0)
            }
            if let anchor { anchors[anchor] = Anchored(node: node, size: 1, height: 0) }
        case .alias(let name):
            guard let anchored = anchors[name] else {
                throw .syntax("found undefined alias *\(name)", at: location)
            }
            try rejectIfKey("an alias", at: location)
            let path = nextPath()
            try admit(size: anchored.size, height: anchored.height, at: location, path: path)
            attach(Self.moved(anchored.node, to: path), size: anchored.size, height: anchored.height)
        case .listStart(let anchor):
            try open(isMapping: false, anchor: anchor, at: location)
        case .mappingStart(let anchor):
            try open(isMapping: true, anchor: anchor, at: location)
        case .end:
            let closed = frames.removeLast()
            let node = YAMLNode(
                closed.isMapping ? .mapping(closed.entries) : .list(closed.items), location: closed.location,
                path: closed.path)
            if let anchor = closed.anchor {
                anchors[anchor] = Anchored(node: node, size: closed.size, height: closed.height)
            }
            attach(node, size: closed.size, height: closed.height)
        }
    }

    /// Opens a list or a mapping at the next place.
    private mutating func open(isMapping: Bool, anchor: String?, at location: YAMLLocation) throws(YAMLError) {
        try rejectIfKey(isMapping ? "a mapping" : "a list", at: location)
        let path = nextPath()
        try admit(size: 1, height: 0, at: location, path: path)
        frames.append(Frame(isMapping: isMapping, location: location, path: path, anchor: anchor))
    }

    /// If the next node is a mapping key, records it (checking for duplicates) and returns the
    /// path of the value it introduces; nil when the next node is a value.
    private mutating func takeKey(_ scalar: YAMLScalar, at location: YAMLLocation) throws(YAMLError) -> YAMLPath? {
        // The parent is changed in place, never copied: a copy alive while `keys` grows would
        // make every insertion copy the whole dictionary (minutes for 40 000 keys).
        let last = frames.count - 1
        guard last >= 0, frames[last].isMapping, frames[last].pendingKey == nil else { return nil }
        let key = scalar.text
        let path = frames[last].path.appending(key: key)
        if let first = frames[last].keys[key] {
            throw .duplicateKey(key, at: location, path: path, first: first)
        }
        try count(1, at: location, path: path)
        if mergeKey == nil && scalar.style == .plain && key == "<<" {
            mergeKey = .unsupported(
                "merge keys (<<) are not supported; write the keys out", at: location, path: frames[last].path)
        }
        frames[last].keys[key] = location
        frames[last].pendingKey = (key, location)
        frames[last].size += 1
        return path
    }

    private func rejectIfKey(_ what: String, at location: YAMLLocation) throws(YAMLError) {
        guard let last = frames.indices.last, frames[last].isMapping, frames[last].pendingKey == nil else { return }
        throw .unsupported(
            "\(what) is used as a mapping key; only plain text keys are supported",
            at: location, path: frames[last].path)
    }

    /// The path of the node that comes next, from its parent's state.
    private func nextPath() -> YAMLPath {
        guard let last = frames.indices.last else { return .root }
        if let key = frames[last].pendingKey { return frames[last].path.appending(key: key.text) }
        return frames[last].path.appending(index: frames[last].items.count)
    }

    /// Checks that a node of `size` nodes and `height` levels fits in the limits at the next place.
    private mutating func admit(size: Int, height: Int, at location: YAMLLocation, path: YAMLPath) throws(YAMLError) {
        try count(size, at: location, path: path)
        guard frames.count + 1 + height <= limits.maxDepth else {
            throw .tooComplex(
                "the document nests deeper than \(limits.maxDepth) levels", file: file, at: location, path: path)
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

    /// Puts a finished node in its parent (as the value of the pending key, or the next element),
    /// or makes it the root.
    private mutating func attach(_ node: YAMLNode, size: Int, height: Int) {
        guard let last = frames.indices.last else {
            root = node
            return
        }
        frames[last].size += size
        frames[last].height = max(frames[last].height, height + 1)
        if let key = frames[last].pendingKey {
            frames[last].entries.append(YAMLEntry(key: key.text, keyLocation: key.location, value: node))
            frames[last].pendingKey = nil
        } else {
            frames[last].items.append(node)
        }
    }

    /// An anchored node as an alias puts it at `path`: the same text and locations, every path
    /// in the subtree rebased. The recursion is as deep as the anchored node is high, which
    /// `admit` has bounded by `maxDepth`.
    private static func moved(_ node: YAMLNode, to path: YAMLPath) -> YAMLNode {
        switch node.content {
        case .scalar:
            return YAMLNode(node.content, location: node.location, path: path)
        case .list(let items):
            let moved = items.enumerated().map { index, item in Self.moved(item, to: path.appending(index: index)) }
            return YAMLNode(.list(moved), location: node.location, path: path)
        case .mapping(let entries):
            let moved = entries.map { entry in
                YAMLEntry(
                    key: entry.key, keyLocation: entry.keyLocation,
                    value: Self.moved(entry.value, to: path.appending(key: entry.key)))
            }
            return YAMLNode(.mapping(moved), location: node.location, path: path)
        }
    }
}
