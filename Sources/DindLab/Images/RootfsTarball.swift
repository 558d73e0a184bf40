import Foundation

/// Writes root filesystem tarballs with the system's GNU tar, which keeps device nodes,
/// hard links, extended attributes and numeric owners exactly as debootstrap made them.
public enum RootfsTarball {
    /// Writes one tarball from several trees, later trees over earlier ones.
    ///
    /// The base tree stays untouched (it is shared through the cache): the files a build adds
    /// live in a small overlay tree that is archived after it, so its entries win on import.
    ///
    /// - Parameters:
    ///   - tarFile: The tarball to write.
    ///   - layers: The trees, bottom first.
    ///   - normalizeOwnership: Record every entry as root:root (for trees made by this
    ///     process), with a fixed mtime, sorted names and no extended attributes, so the same
    ///     tree gives the same bytes. Otherwise owners and extended attributes are kept.
    /// - Throws: `ImageBuildError` when tar fails.
    public static func write(to tarFile: URL, layers: [URL], normalizeOwnership: Bool = false) async throws {
        var arguments = ["tar", "--numeric-owner"]
        if normalizeOwnership {
            arguments += ["--owner=0", "--group=0", "--sort=name", "--mtime=@0", "--format=gnu"]
        } else {
            // File capabilities (security.capability) live in extended attributes.
            arguments += ["--xattrs", "--xattrs-include=*"]
        }
        arguments += ["-cf", tarFile.path]
        for layer in layers {
            arguments += ["-C", layer.path, "."]
        }
        try await BuildCommand(arguments).run()
    }

    /// The member names of a tarball (`./bin/busybox`), in order.
    public static func members(of tarFile: URL) async throws -> [String] {
        try await BuildCommand(["tar", "-tf", tarFile.path]).run()
            .split(separator: "\n").map(String.init)
    }
}
