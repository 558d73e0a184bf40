import Foundation

/// One line of /proc/PID/mountinfo.
struct MountEntry: Sendable, Hashable {
    var mountID: Int
    var parentID: Int
    /// Where it is mounted, with the kernel's octal escapes (`\040` for a space) decoded.
    var mountPoint: String
    var fileSystemType: String
    var source: String
    /// Per-superblock options, e.g. "rw,cpuset" for a cgroup v1 hierarchy.
    var superOptions: [String]
}

/// Reading mount tables and unmounting, as `down` and the cgroup and namespace setup need them.
package enum MountTable {
    /// The mounts visible to a process (`"self"` or a pid).
    static func read(process: String = "self") -> [MountEntry] {
        guard let text = try? String(contentsOfFile: "/proc/\(process)/mountinfo", encoding: .utf8) else { return [] }
        return parse(text)
    }

    /// Parses mountinfo text: `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS`.
    static func parse(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard let separator = fields.firstIndex(of: "-"), separator >= 6, separator + 2 < fields.count,
                let id = Int(fields[0]), let parent = Int(fields[1])
            else { return nil }
            let superOptions = separator + 3 < fields.count ? fields[separator + 3] : ""
            return MountEntry(
                mountID: id, parentID: parent, mountPoint: unescape(fields[4]),
                fileSystemType: fields[separator + 1], source: unescape(fields[separator + 2]),
                superOptions: superOptions.split(separator: ",").map(String.init))
        }
    }

    /// Decodes the kernel's `\ooo` octal escapes (space, tab, newline, backslash).
    package static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let source = Array(field.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 3 < source.count,
                let value = UInt8(String(decoding: source[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `path` is `directory` itself or lies inside it (string-wise, both absolute).
    package static func path(_ path: String, isWithin directory: String) -> Bool {
        let directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        return path == directory || path.hasPrefix(directory == "/" ? "/" : directory + "/")
    }

    /// Mount points at or below `directory`, deepest first (the order to unmount them in).
    static func mountPoints(within directory: String, in entries: [MountEntry]) -> [String] {
        var seen = Set<String>()
        return entries.reversed()
            .map(\.mountPoint)
            .filter { path($0, isWithin: directory) && seen.insert($0).inserted }
            .sorted { $0.split(separator: "/").count > $1.split(separator: "/").count }
    }

    /// Unmounts `path`; when it is busy, detaches it lazily so it disappears once unused.
    ///
    /// - Returns: nil on success, else the reason in words.
    static func unmount(_ path: String) -> String? {
        if umount2(path, 0) == 0 { return nil }
        let first = errno
        if umount2(path, Int32(MNT_DETACH)) == 0 { return nil }
        return "umount \(path): \(String(cString: strerror(first)))"
    }
}
