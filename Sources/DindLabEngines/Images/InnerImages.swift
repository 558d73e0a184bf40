package import Foundation

/// The inner images an outer image ships under `/dindlab/images/`, so the inner daemon can
/// load them without a registry.
///
/// Each is a plain root filesystem tarball that the inner daemon imports (`docker import - REFERENCE
/// < FILE`, or POST /images/create?fromSrc=-): import works the same from Docker 1.7 to
/// today, where `docker save` formats changed over the years.
package struct InnerImageIndex: Codable, Sendable, Hashable {
    /// Where inner images live inside every outer image.
    package static let folder = "dindlab/images"
    /// The index's file name inside `folder`.
    package static let fileName = "index.json"

    package var version: Int
    package var images: [Entry]

    package struct Entry: Codable, Sendable, Hashable {
        /// The name scenarios use (`inner.image: busybox`).
        package var name: String
        /// The reference to import it as inside the outer container.
        package var reference: String
        /// The tarball's file name inside `/dindlab/images/`.
        package var file: String
        /// How to load it: always `import` (a root filesystem tarball).
        package var load: String
        /// The command to give the imported image, which has none of its own.
        package var command: [String]
    }

    package init(version: Int = 1, images: [Entry]) {
        self.version = version
        self.images = images
    }

    /// The index of the inner images dindlab ships.
    package static let standard = InnerImageIndex(images: [
        Entry(name: "busybox", reference: "busybox:latest", file: "busybox.tar", load: "import", command: ["sh"])
    ])

    /// The index as pretty, key-sorted JSON.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// Makes the busybox inner image: `/bin/busybox` from Debian's busybox-static package, a
/// symlink per applet, and the few files a shell expects.
package enum BusyboxRootfs {
    /// The applets linked into `/bin`: what scenario commands and debugging sessions use.
    package static let applets = [
        "[", "awk", "basename", "cat", "chmod", "chown", "cp", "cut", "date", "dd", "df", "dirname",
        "dmesg", "du", "echo", "env", "false", "find", "free", "grep", "head", "hostname", "id",
        "ifconfig", "ip", "kill", "ln", "ls", "mkdir", "mount", "mv", "nc", "nslookup", "ping",
        "printf", "ps", "pwd", "readlink", "rm", "rmdir", "sed", "seq", "sh", "sleep", "sort", "stat",
        "tail", "tee", "test", "top", "touch", "tr", "true", "umount", "uname", "uniq", "vi", "wc",
        "wget", "which", "whoami", "xargs", "yes",
    ]

    /// Where busybox-static puts its binary, in order of preference.
    static let binaryPaths = ["usr/bin/busybox", "bin/busybox"]

    /// Finds the busybox binary inside a root filesystem tree.
    package static func binary(in tree: URL) -> URL? {
        binaryPaths.map { tree.appendingPathComponent($0) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Writes the busybox root filesystem tarball.
    ///
    /// - Parameters:
    ///   - busybox: The static busybox binary.
    ///   - tarFile: The tarball to write.
    ///   - scratch: A folder for the staging tree.
    /// - Throws: File system errors and tar failures.
    package static func writeTarball(busybox: URL, to tarFile: URL, scratch: URL) async throws {
        let fileManager = FileManager.default
        let stage = scratch.appendingPathComponent("busybox-rootfs")
        try? fileManager.removeItem(at: stage)
        for folder in ["bin", "etc", "root", "tmp"] {
            try fileManager.createDirectory(at: stage.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try fileManager.setAttributes(
            [.posixPermissions: 0o1777], ofItemAtPath: stage.appendingPathComponent("tmp").path)
        try fileManager.setAttributes(
            [.posixPermissions: 0o700], ofItemAtPath: stage.appendingPathComponent("root").path)
        let binary = stage.appendingPathComponent("bin/busybox")
        try fileManager.copyItem(at: busybox, to: binary)
        try fileManager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary.path)
        for applet in applets {
            try fileManager.createSymbolicLink(
                atPath: stage.appendingPathComponent("bin/\(applet)").path, withDestinationPath: "busybox")
        }
        try Data("root:x:0:0:root:/root:/bin/sh\n".utf8).write(to: stage.appendingPathComponent("etc/passwd"))
        try Data("root:x:0:\n".utf8).write(to: stage.appendingPathComponent("etc/group"))
        try await RootfsTarball.write(tree: stage, to: tarFile, normalizeOwnership: true)
        try? fileManager.removeItem(at: stage)
    }
}
