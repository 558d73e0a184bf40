import Foundation

/// A cgroup the daemon is started in, given as `CONTROLLER:PATH` (`cpuset:/docker-daemon`).
///
/// This reproduces host state on purpose: in the field report a daemon started as a kubelet
/// dependency sat in other cgroups than one started alone, and that alone changed the outcome.
/// CONTROLLER names a cgroup v1 hierarchy by one of its controllers (`cpuset`, `freezer`,
/// `perf_event`) or its name (`name=systemd`); `unified` (or an empty controller) is cgroup v2.
package struct CgroupPlacement: Sendable, Hashable, Codable, CustomStringConvertible {
    package let controller: String
    /// The cgroup's path inside its hierarchy, absolute ("/docker-daemon").
    package let path: String

    /// Parses `CONTROLLER:PATH`.
    ///
    /// - Parameter spec: e.g. "cpuset:/docker-daemon" or "unified:/dindlab/v17".
    /// - Throws: `PrivateEngineError` (`.invalidCgroup`) for anything else.
    package init(parsing spec: String) throws {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].hasPrefix("/"), parts[1].count > 1,
            !parts[1].split(separator: "/").contains(".."), !parts[0].contains("/")
        else {
            throw PrivateEngineError(
                .invalidCgroup,
                "\"\(spec)\" is not a cgroup placement: write CONTROLLER:PATH with an absolute path below the hierarchy's root, e.g. cpuset:/docker-daemon or unified:/dindlab."
            )
        }
        controller = String(parts[0])
        path = (String(parts[1]) as NSString).standardizingPath
    }

    package var description: String { "\(controller):\(path)" }

    // Stored as written on the command line: "cpuset:/docker-daemon".
    package init(from decoder: any Decoder) throws {
        self = try CgroupPlacement(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    var isUnified: Bool { controller.isEmpty || controller == "unified" }

    /// The mount point of this placement's hierarchy.
    func hierarchyRoot(in mounts: [MountEntry]) -> String? {
        if isUnified {
            return mounts.first(where: { $0.fileSystemType == "cgroup2" })?.mountPoint
        }
        return mounts.first(where: { $0.fileSystemType == "cgroup" && $0.superOptions.contains(controller) })?
            .mountPoint
    }
}

/// A cgroup directory made ready for the daemon to join.
struct PreparedCgroup: Sendable, Hashable {
    var placement: CgroupPlacement
    /// The directory of the cgroup.
    var directory: String
    /// The file the launcher writes its pid into.
    var procsFile: String { (directory as NSString).appendingPathComponent("cgroup.procs") }
    /// Directories dindlab created for it (outermost first); `down` removes them again.
    var created: [String]
}

package enum CgroupSetup {
    /// Creates the cgroups (and missing parents) so the launcher can join them. A new cpuset
    /// cgroup starts with no CPUs and no memory nodes, and joining it fails with "No space left
    /// on device", so each level dindlab creates inherits its parent's cpus and mems.
    ///
    /// - Throws: `PrivateEngineError` (`.invalidCgroup`, `.cgroupFailed`).
    static func prepare(_ placements: [CgroupPlacement], mounts: [MountEntry] = MountTable.read()) throws
        -> [PreparedCgroup]
    {
        var prepared: [PreparedCgroup] = []
        do {
            for placement in placements {
                guard let root = placement.hierarchyRoot(in: mounts) else {
                    let available = Set(mounts.filter { $0.fileSystemType == "cgroup" }.flatMap(\.superOptions))
                        .filter { !["rw", "ro", "relatime", "nosuid", "nodev", "noexec"].contains($0) }.sorted()
                    throw PrivateEngineError(
                        .invalidCgroup,
                        "No mounted cgroup hierarchy matches \"\(placement.controller)\" of the cgroup placement \(placement); mounted v1 controllers: \(available.joined(separator: ", "))\(mounts.contains { $0.fileSystemType == "cgroup2" } ? ", and cgroup v2 as unified" : "")."
                    )
                }
                var created: [String] = []
                var current = root
                for component in placement.path.split(separator: "/") {
                    let parent = current
                    current = (current as NSString).appendingPathComponent(String(component))
                    if FileManager.default.fileExists(atPath: current) { continue }
                    do {
                        try FileManager.default.createDirectory(atPath: current, withIntermediateDirectories: false)
                    } catch {
                        throw PrivateEngineError(
                            .cgroupFailed,
                            "Could not create the cgroup \(current) for the cgroup placement \(placement): \(error.localizedDescription)."
                        )
                    }
                    created.append(current)
                    try inheritCpuset(from: parent, to: current, placement: placement)
                }
                prepared.append(PreparedCgroup(placement: placement, directory: current, created: created))
            }
        } catch {
            remove(prepared)
            throw error
        }
        return prepared
    }

    private static func inheritCpuset(from parent: String, to child: String, placement: CgroupPlacement) throws {
        for file in ["cpuset.cpus", "cpuset.mems"] {
            let target = (child as NSString).appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: target),
                let current = try? String(contentsOfFile: target, encoding: .utf8),
                current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                let inherited = try? String(
                    contentsOfFile: (parent as NSString).appendingPathComponent(file), encoding: .utf8)
            else { continue }
            do {
                try inherited.write(toFile: target, atomically: false, encoding: .utf8)
            } catch {
                throw PrivateEngineError(
                    .cgroupFailed,
                    "Could not copy \(file) into the new cpuset cgroup \(child) for the cgroup placement \(placement): \(error.localizedDescription)."
                )
            }
        }
    }

    /// Removes the directories dindlab created, innermost first.
    ///
    /// - Returns: One sentence per directory that could not be removed (still has processes).
    @discardableResult
    static func remove(_ prepared: [PreparedCgroup]) -> [String] {
        removeDirectories(prepared.flatMap(\.created))
    }

    /// Removes cgroup directories, innermost first, each after the empty cgroups below it (the
    /// daemon's containers leave theirs, e.g. `docker/`, in a simulated v2 engine's cgroup).
    package static func removeDirectories(_ directories: [String]) -> [String] {
        var problems: [String] = []
        for directory in directories.reversed() where FileManager.default.fileExists(atPath: directory) {
            let below = FileManager.default.subpaths(atPath: directory) ?? []
            for child in below.sorted(by: { $0.count > $1.count }) {
                let path = (directory as NSString).appendingPathComponent(child)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    rmdir(path)
                }
            }
            if rmdir(directory) != 0 {
                problems.append(
                    "Could not remove the cgroup \(directory) dindlab created: \(String(cString: strerror(errno))).")
            }
        }
        return problems
    }
}
