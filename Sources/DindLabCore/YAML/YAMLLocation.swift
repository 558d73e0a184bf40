/// Where something sits in a YAML file: the file as the user named it, and a 1-based line and column.
///
/// Columns count Unicode scalars, as libyaml does, so a column points at the same character an
/// editor shows for plain text.
package struct YAMLLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file as the user named it (e.g. `Scenarios/smoke.yaml`).
    package let file: String
    /// The line, starting at 1.
    package let line: Int
    /// The column, starting at 1.
    package let column: Int

    /// Creates a location.
    /// - Parameters:
    ///   - file: The file as the user named it.
    ///   - line: The line, starting at 1.
    ///   - column: The column, starting at 1.
    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers use, so editors and terminals can jump to it.
    package var description: String { "\(file):\(line):\(column)" }
}

/// The position of a node inside a document, as a user would write it: `daemon.start`,
/// `outer.setup[2]`, `matrix.inner.mode[0]`. The root has the empty path.
package struct YAMLPath: Sendable, Hashable, CustomStringConvertible {
    /// One step from a container to a child.
    package enum Component: Sendable, Hashable {
        /// The value of a mapping key.
        case key(String)
        /// The element of a list at a 0-based index.
        case index(Int)
    }

    /// The steps from the root.
    package let components: [Component]

    /// The path of the document's root node.
    package static let root = YAMLPath(components: [])

    /// Creates a path from its steps.
    /// - Parameter components: The steps from the root.
    package init(components: [Component]) {
        self.components = components
    }

    /// Creates a path of mapping keys only, e.g. `YAMLPath(keys: "daemon", "start")`.
    /// - Parameter keys: The keys from the root.
    package init(keys: String...) {
        self.components = keys.map(Component.key)
    }

    /// Whether this is the root's path.
    package var isRoot: Bool { components.isEmpty }

    /// This path extended by a mapping key.
    /// - Parameter key: The key of the child.
    /// - Returns: The child's path.
    package func appending(key: String) -> YAMLPath {
        YAMLPath(components: components + [.key(key)])
    }

    /// This path extended by a list index.
    /// - Parameter index: The 0-based index of the child.
    /// - Returns: The child's path.
    package func appending(index: Int) -> YAMLPath {
        YAMLPath(components: components + [.index(index)])
    }

    /// Keys joined by dots, indices in brackets: `outer.setup[2]`; the root is the empty string.
    package var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }
}
