import Foundation

/// The small tree a build lays over its shared base tree: the Docker binary of static-binary
/// recipes and the inner images under /dindlab/images/.
enum RootfsOverlay {
    /// Where static binaries go: first on Debian's PATH, and apart from anything dpkg owns.
    static let binaryFolder = "usr/local/bin"

    /// Copies a Docker binary into the overlay as `usr/local/bin/NAME`, executable.
    ///
    /// - Returns: The copied file.
    static func addDockerBinary(_ binary: URL, to overlay: URL, as name: String) throws -> URL {
        let folder = overlay.appendingPathComponent(binaryFolder)
        try createFolders(folder, under: overlay)
        let destination = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.copyItem(at: binary, to: destination)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination.path)
        return destination
    }

    /// Writes `dindlab/images/busybox.tar` and `dindlab/images/index.json` into the overlay.
    static func addInnerImages(to overlay: URL, busybox: URL, scratch: URL) async throws {
        let folder = overlay.appendingPathComponent(InnerImageIndex.folder)
        try createFolders(folder, under: overlay)
        let index = InnerImageIndex.standard
        for entry in index.images where entry.name == "busybox" {
            try await BusyboxRootfs.writeTarball(
                busybox: busybox, to: folder.appendingPathComponent(entry.file), scratch: scratch)
        }
        try index.encoded().write(to: folder.appendingPathComponent(InnerImageIndex.fileName))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: folder.appendingPathComponent(InnerImageIndex.fileName).path)
    }

    /// Creates a folder and its parents with mode 0755 whatever the umask, since the overlay's
    /// folders replace the base tree's on import.
    private static func createFolders(_ folder: URL, under overlay: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var current = folder
        while current.path.count > overlay.path.count {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: current.path)
            current.deleteLastPathComponent()
        }
    }
}
