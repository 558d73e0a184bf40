/// A node of a loaded YAML document: a scalar, a list or a mapping, with where it was written
/// and the key path that leads to it.
///
/// Nodes are plain values, built from libyaml's events (`YAMLTreeBuilder`) and independent of
/// it, so that decoders can pass them around, keep them, and report precise errors long after
/// the file was parsed. A node reached through an
/// alias carries the location of the anchored node (where its text is written) and the path of
/// the place the alias put it.
package struct YAMLNode: Sendable, Hashable {
    /// What the node holds.
    package enum Content: Sendable, Hashable {
        /// A scalar: any text, including numbers, booleans and null.
        case scalar(YAMLScalar)
        /// A list (a YAML sequence).
        case list([YAMLNode])
        /// A mapping, its entries in file order. Keys are unique (duplicates are load errors).
        case mapping([YAMLEntry])
    }

    /// What the node holds.
    package let content: Content
    /// Where the node starts in its file.
    package let location: YAMLLocation
    /// The key path from the document's root to this node.
    package let path: YAMLPath

    /// Creates a node.
    /// - Parameters:
    ///   - content: What the node holds.
    ///   - location: Where the node starts.
    ///   - path: The key path from the root.
    package init(_ content: Content, location: YAMLLocation, path: YAMLPath) {
        self.content = content
        self.location = location
        self.path = path
    }

    /// Whether this node is a null scalar (`~`, `null`, or nothing at all after a key).
    package var isNull: Bool {
        if case .scalar(let scalar) = content { return scalar.isNull }
        return false
    }

    /// How error messages name what this node is: `a mapping`, `a list`, `null`, or the scalar's
    /// text in quotes (shortened when long).
    package var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .list: return "a list"
        case .scalar(let scalar): return scalar.isNull ? "null" : YAMLQuoting.quoted(scalar.text, limit: 60)
        }
    }
}

/// A scalar's text and how it was written.
package struct YAMLScalar: Sendable, Hashable {
    /// How a scalar was written; only plain scalars can be null, numbers or booleans.
    package enum Style: Sendable, Hashable {
        /// Unquoted: `cmd`, `10`, `true`, `~`.
        case plain
        /// Single- or double-quoted: `"10"`, `'on'`.
        case quoted
        /// A literal (`|`) or folded (`>`) block.
        case block
    }

    /// The text, after YAML has removed quotes and resolved escapes.
    package let text: String
    /// How the scalar was written.
    package let style: Style

    /// Creates a scalar.
    /// - Parameters:
    ///   - text: The text.
    ///   - style: How it was written.
    package init(text: String, style: Style) {
        self.text = text
        self.style = style
    }

    /// Whether YAML reads this scalar as null: a plain `~`, `null`, `Null`, `NULL` or empty text.
    /// (Explicit tags such as `!!str` are not honoured: configuration files don't need them.)
    package var isNull: Bool {
        style == .plain && ["", "~", "null", "Null", "NULL"].contains(text)
    }
}

/// One key and its value in a mapping.
package struct YAMLEntry: Sendable, Hashable {
    /// The key's text.
    package let key: String
    /// Where the key is written.
    package let keyLocation: YAMLLocation
    /// The value (its path ends in `key`).
    package let value: YAMLNode

    /// Creates an entry.
    /// - Parameters:
    ///   - key: The key's text.
    ///   - keyLocation: Where the key is written.
    ///   - value: The value.
    package init(key: String, keyLocation: YAMLLocation, value: YAMLNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
