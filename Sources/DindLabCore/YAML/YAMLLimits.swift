/// Bounds on what a YAML file may demand of the loader, so that every input either loads or
/// fails with a clear error, quickly: no crash on deep nesting, no hang on an alias bomb.
///
/// The defaults are far beyond any hand-written configuration file.
package struct YAMLLimits: Sendable, Hashable {
    /// The largest file, in bytes.
    package var maxBytes: Int
    /// The deepest nesting of lists and mappings (the root's children are at depth 2), counting
    /// what aliases expand to.
    package var maxDepth: Int
    /// The most nodes (scalars, lists, mappings, keys), counting every expansion of an alias.
    package var maxNodes: Int

    /// Creates limits.
    /// - Parameters:
    ///   - maxBytes: The largest file, in bytes.
    ///   - maxDepth: The deepest nesting.
    ///   - maxNodes: The most nodes, aliases expanded.
    package init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxNodes: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    /// 1 MiB, 64 levels, 100 000 nodes.
    package static let `default` = YAMLLimits()
}
