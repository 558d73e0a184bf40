package import Foundation

/// Writes root filesystem tarballs with the system's GNU tar, which keeps device nodes,
/// hard links, extended attributes and numeric owners exactly as debootstrap made them.
package enum RootfsTarball {
    /// Writes a tarball of one tree.
    ///
    /// - Parameters:
    ///   - tree: The tree; its entries are named `./...`.
    ///   - tarFile: The tarball to write.
    ///   - normalizeOwnership: Record every entry as root:root (for trees made by this
    ///     process), with a fixed mtime, sorted names and no extended attributes, so the same
    ///     tree gives the same bytes. Otherwise owners and extended attributes are kept.
    /// - Throws: `ImageBuildError` when tar fails.
    package static func write(tree: URL, to tarFile: URL, normalizeOwnership: Bool = false) async throws {
        var arguments = ["tar"] + (normalizeOwnership ? normalizedOptions : preservingOptions)
        arguments += ["-cf", tarFile.path, "-C", tree.path, "."]
        try await BuildCommand(arguments).run()
    }

    /// Writes one tarball of a base tree with an overlay tree laid over it.
    ///
    /// The base tree is shared through the cache and never changed; the files a build adds
    /// live in a small overlay. Docker refuses layer tarballs that name a path twice, so the
    /// base is archived without the paths the overlay replaces, and then only the overlay's
    /// entries that the base lacks (or that it replaces) are appended.
    ///
    /// - Parameters:
    ///   - base: The base tree.
    ///   - overlay: The overlay tree; a folder in it that is a folder in the base too is taken
    ///     from the base.
    ///   - tarFile: The tarball to write.
    /// - Throws: `ImageBuildError` when tar fails or the overlay would put a folder where the
    ///   base has a file or symlink (the base's subtree would be lost).
    ///   - withoutDeviceNodes: Leave the base's character and block devices out. Docker 1.7's
    ///     overlay driver copies a parent layer file by file when it makes a child layer (a
    ///     commit) and fails on a device node ("Unknown file type for .../dev/console"); a
    ///     container's /dev is a fresh tmpfs anyway.
    package static func write(base: URL, overlay: URL, to tarFile: URL, withoutDeviceNodes: Bool = false) async throws {
        let fileManager = FileManager.default
        var replaced: [String] = withoutDeviceNodes ? deviceNodes(in: base).map { "./\($0)" } : []
        var appended: [String] = []
        for path in (fileManager.subpaths(atPath: overlay.path) ?? []).sorted() {
            let overlayIsFolder = isFolder(overlay.appendingPathComponent(path))
            let basePath = base.appendingPathComponent(path).path
            let baseHasEntry = (try? fileManager.attributesOfItem(atPath: basePath)) != nil
            if overlayIsFolder, baseHasEntry {
                guard isFolder(URL(fileURLWithPath: basePath)) else {
                    throw ImageBuildError.overlayConflict(path: path, base: base)
                }
                continue
            }
            if baseHasEntry { replaced.append("./\(path)") }
            appended.append("./\(path)")
        }

        var create = ["tar"] + preservingOptions + ["--anchored", "--no-wildcards"]
        create += replaced.map { "--exclude=\($0)" }
        create += ["-cf", tarFile.path, "-C", base.path, "."]
        try await BuildCommand(create).run()
        guard !appended.isEmpty else { return }

        let list = tarFile.deletingLastPathComponent().appendingPathComponent(
            "\(tarFile.lastPathComponent).overlay-members")
        try Data(appended.joined(separator: "\0").utf8).write(to: list)
        defer { try? fileManager.removeItem(at: list) }
        try await BuildCommand(
            ["tar"] + preservingOptions + [
                "--owner=0", "--group=0", "-rf", tarFile.path, "-C", overlay.path, "--no-recursion", "--null", "-T",
                list.path,
            ]
        ).run()
    }

    /// The member names of a tarball (`./bin/busybox`), in order.
    /// The paths of the character and block devices in a tree, relative to it.
    static func deviceNodes(in tree: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: tree.path) else { return [] }
        var devices: [String] = []
        var status = stat()
        while let path = enumerator.nextObject() as? String {
            guard lstat(tree.appendingPathComponent(path).path, &status) == 0 else { continue }
            let type = status.st_mode & S_IFMT
            if type == S_IFCHR || type == S_IFBLK { devices.append(path) }
        }
        return devices.sorted()
    }

    package static func members(of tarFile: URL) async throws -> [String] {
        try await BuildCommand(["tar", "-tf", tarFile.path]).run()
            .split(separator: "\n").map(String.init)
    }

    /// File capabilities (security.capability) live in extended attributes.
    private static let preservingOptions = ["--numeric-owner", "--xattrs", "--xattrs-include=*"]
    private static let normalizedOptions = [
        "--numeric-owner", "--owner=0", "--group=0", "--sort=name", "--mtime=@0", "--format=gnu",
    ]

    private static func isFolder(_ url: URL) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        return attributes?[.type] as? FileAttributeType == .typeDirectory
    }
}
