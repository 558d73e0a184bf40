package import Foundation

/// The build cache, outside the repository: `$XDG_CACHE_HOME/dindlab/images`, else
/// `~/.cache/dindlab/images`.
///
///     rootfs/<suite>-<key>/       debootstrap trees, reused by every build with the same inputs
///     binaries/<sha256>           downloaded Docker static binaries, named by their digest
///     work/<recipe>-<pid>-<id>/   one build's scratch space (overlay, tarball), removed after it
///
/// Anything being made is written under a `.partial-<pid>` name and renamed into place when
/// complete, so an interrupted build never leaves something that looks finished.
package struct ImageCache: Sendable {
    package let root: URL

    /// - Parameter root: The cache folder; created on first use.
    package init(root: URL) {
        self.root = root
    }

    /// The default cache folder from the environment.
    package static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("dindlab/images")
        }
        let home =
            environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/dindlab/images")
    }

    var rootfsFolder: URL { root.appendingPathComponent("rootfs") }
    var binariesFolder: URL { root.appendingPathComponent("binaries") }
    var workFolder: URL { root.appendingPathComponent("work") }

    /// A fresh scratch folder for one build.
    func makeWorkFolder(recipe: String) throws -> URL {
        let folder = workFolder.appendingPathComponent(
            "\(recipe)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The name something is made under before it is complete.
    static func partialName(of final: URL) -> URL {
        final.deletingLastPathComponent().appendingPathComponent("\(final.lastPathComponent).partial-\(getpid())")
    }

    /// Removes what earlier builds left behind: partial entries and scratch folders of
    /// processes that are no longer running. Entries of live processes are left alone.
    func removeLeftovers() async {
        let fileManager = FileManager.default
        for folder in [rootfsFolder, binariesFolder] {
            for entry in (try? fileManager.contentsOfDirectory(atPath: folder.path)) ?? [] {
                guard let range = entry.range(of: ".partial-"),
                    let pid = Int32(entry[range.upperBound...]), !Self.isRunning(pid)
                else { continue }
                await Self.removeTree(folder.appendingPathComponent(entry))
            }
        }
        for entry in (try? fileManager.contentsOfDirectory(atPath: workFolder.path)) ?? [] {
            let parts = entry.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]), !Self.isRunning(pid) else { continue }
            await Self.removeTree(workFolder.appendingPathComponent(entry))
        }
    }

    static func isRunning(_ pid: Int32) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes a folder that may have been a debootstrap target.
    ///
    /// debootstrap mounts /proc and /sys inside its target and may leave them mounted when it
    /// fails; deleting through those mounts would reach the host's own files. So mounts under
    /// the folder are detached first, and `rm --one-file-system` refuses to cross any that remain.
    ///
    /// Runs to the end even when the calling task is cancelled: it is how cancelled builds
    /// clean up.
    static func removeTree(_ folder: URL) async {
        await cleanUp {
            for mountPoint in mountPoints(under: folder).reversed() {
                _ = try? await BuildCommand(["umount", "--lazy", mountPoint]).run()
            }
            _ = try? await BuildCommand(["rm", "-rf", "--one-file-system", folder.path]).run()
        }
    }

    /// Mount points at or below a folder, from /proc/self/mountinfo, shallowest first.
    static func mountPoints(under folder: URL) -> [String] {
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        let prefix = folder.standardizedFileURL.path
        return table.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            // Mount points escape spaces and the like as octal (\040).
            let point = unescapeOctal(String(fields[4]))
            return point == prefix || point.hasPrefix(prefix + "/") ? point : nil
        }.sorted { $0.count < $1.count }
    }

    private static func unescapeOctal(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.first {
            if byte == UInt8(ascii: "\\"), utf8.count >= 4,
                let value = UInt8(String(decoding: utf8.dropFirst().prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(4)
            } else {
                bytes.append(byte)
                utf8 = utf8.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Runs cleanup work to its end even when the calling task is cancelled: a new unstructured
/// task does not inherit the caller's cancellation.
func cleanUp(_ work: @escaping @Sendable () async -> Void) async {
    await Task { await work() }.value
}
