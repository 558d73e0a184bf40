import DindLabEngines
import DockerEngine
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The cgroups of the inner daemon's containers on the engine's host, removed with the outer
/// container.
///
/// The inner runtime (runc) deletes an inner container's cgroups when the inner daemon deletes
/// its task. When the outer container is removed while an inner container runs (a trial that
/// timed out, a killed inner daemon) or right after one exited, that runtime is killed with
/// the outer container and nobody deletes them. Where the inner daemon shares the engine's
/// cgroup hierarchies (cgroup v1 with the host's /sys/fs/cgroup mounted in, as the outer
/// containers have it by default) they stay on the engine's host, empty, one directory per
/// controller, and pile up over nightly runs.
///
/// So before the removal, dindlab reads where the inner runtime put them (the `cgroup_paths`
/// of each inner container's runtime state in the outer container, or, for a container whose
/// runtime was killed before it wrote that state, where its siblings' are), and after it removes
/// those directories from the engine's host. Only directories named after the inner
/// container's id are touched, and only empty ones can be removed.
enum InnerContainerCgroups {
    /// Where inner daemons keep their containers' runtime state (one folder per container,
    /// named by its id, with a `state.json`), as the outer container sees it: runc's under
    /// Docker 17.x onwards, the native exec driver's (libcontainer) under Docker 1.x; below
    /// /run and /var/run, which are one folder in Debian's images but two in older ones.
    static let stateDirectories = [
        "/run/docker/runtime-runc/moby",
        "/var/run/docker/runtime-runc/moby",
        "/run/docker/execdriver/native",
        "/var/run/docker/execdriver/native",
    ]

    /// The engine host's directories of the cgroups of the inner containers in `root`'s outer
    /// container, parents before children; empty when there are none or they cannot be read.
    ///
    /// A container whose runtime was killed while creating it (a trial ending, or a fault
    /// killing the inner daemon, in the middle of an inner `docker run`) has its state folder
    /// and its cgroups but no `state.json` yet; its cgroups are looked for where the inner
    /// daemon put its other containers' (`unwrittenStatePaths`).
    ///
    /// - Parameter enginePID: The engine daemon's pid on this machine, whose mount table
    ///   says where the engine's cgroup hierarchies are (`EngineCgroupView`).
    static func find(in root: OuterRoot, enginePID: Int32) -> [String] {
        guard let view = try? EngineCgroupView(enginePID: enginePID),
            let mountInfo = try? String(contentsOfFile: "/proc/\(root.pid)/mountinfo", encoding: .utf8)
        else { return [] }
        let outerMounts = EngineCgroupView.parse(mountInfo)
        var written: [(id: String, paths: [String])] = []
        var unwritten: [String] = []
        for folder in stateDirectories {
            let hostFolder = root.hostPath(folder)
            for id in (try? FileManager.default.contentsOfDirectory(atPath: hostFolder)) ?? [] {
                guard
                    let data = FileManager.default.contents(atPath: "\(hostFolder)/\(id)/state.json"),
                    let state = try? JSONDecoder().decode(RuntimeState.self, from: data)
                else {
                    unwritten.append(id)
                    continue
                }
                // Such as /sys/fs/cgroup/cpu, a link to cpu,cpuacct on many hosts.
                let paths = (state.cgroupPaths ?? [:]).values.map {
                    String(root.hostPath($0).dropFirst(root.prefix.count))
                }
                written.append((id, paths))
            }
        }
        let guessed = unwritten.map {
            (
                id: $0,
                paths: unwrittenStatePaths(containerID: $0, siblings: written.map(\.paths), outerMounts: outerMounts)
            )
        }
        let directories = (written + guessed).flatMap {
            hostDirectories(of: $0.paths, containerID: $0.id, outerMounts: outerMounts, engine: view)
        }
        return Array(Set(directories)).sorted()
    }

    /// The engine host's directories of the cgroups of the inner containers of the running
    /// outer container `container`, found through its pid (`OuterRoot.find`): for gc, and for
    /// trials that reach their inner daemon through exec. Empty when the container does not
    /// run or its root cannot be seen from here.
    static func find(ofContainer container: String, client: EngineClient, enginePID: Int32) async -> [String] {
        guard let inspect = try? await client.inspectContainer(container, timeout: .seconds(15)),
            inspect.state.pid > 0,
            case .success(let root) = OuterRoot.find(pid: inspect.state.pid, containerID: inspect.id)
        else { return [] }
        return find(in: root, enginePID: enginePID)
    }

    /// Where the cgroups of an inner container without a `state.json` may be, in the outer
    /// container's file system: beside its siblings' (the inner daemon's other containers, whose
    /// state says where they are), and in `docker/` of each cgroup mount of the outer container
    /// (the inner daemon's default cgroup parent with the cgroupfs driver). Directories that do
    /// not exist are no trouble: only existing ones named after the container are removed.
    ///
    /// - Parameters:
    ///   - containerID: The inner container's id (the name of its state folder).
    ///   - siblings: The `cgroup_paths` of the inner containers whose state was written.
    ///   - outerMounts: The outer container's cgroup mounts.
    /// - Returns: The paths, sorted.
    static func unwrittenStatePaths(
        containerID: String, siblings: [[String]], outerMounts: [EngineCgroupView.Hierarchy]
    ) -> [String] {
        let parents =
            siblings.joined().map { ($0 as NSString).deletingLastPathComponent }
            + outerMounts.map { ($0.mountPoint as NSString).appendingPathComponent("docker") }
        return Set(parents).map { ($0 as NSString).appendingPathComponent(containerID) }.sorted()
    }

    /// The engine host's directories of an inner container's cgroups.
    ///
    /// - Parameters:
    ///   - paths: The paths of its runtime state's `cgroup_paths` (one per controller), in the
    ///     outer container's file system, such as /sys/fs/cgroup/memory/docker/ID.
    ///   - containerID: The inner container's id (the name of its state folder): anything but 64
    ///     hexadecimal digits finds nothing, and so does a path whose last part does not name it
    ///     (the folder and its state are the inner system's, and only its containers' own
    ///     cgroups may go).
    ///   - outerMounts: The outer container's cgroup mounts (its mountinfo, read from the host).
    static func hostDirectories(
        of paths: [String], containerID: String, outerMounts: [EngineCgroupView.Hierarchy],
        engine view: EngineCgroupView
    ) -> [String] {
        guard containerID.count == 64, containerID.allSatisfy(\.isHexDigit) else { return [] }
        return paths.sorted().compactMap { path in
            guard (path as NSString).lastPathComponent.contains(containerID),
                let mount = outerMounts.filter({ MountTable.path(path, isWithin: $0.mountPoint) })
                    .max(by: { $0.mountPoint.count < $1.mountPoint.count }),
                let hierarchy = view.hierarchies.first(where: { sameHierarchy($0, mount) })
            else { return nil }
            let below = mount.mountPoint == "/" ? path : String(path.dropFirst(mount.mountPoint.count))
            let cgroup = mount.root == "/" ? (below.isEmpty ? "/" : below) : mount.root + below
            return try? view.directory(of: cgroup, in: hierarchy)
        }
    }

    /// Removes `directories` and what is below them, innermost first, waiting a little for the
    /// processes of a removed container to be gone.
    ///
    /// - Returns: One sentence per directory that could not be removed.
    static func remove(_ directories: [String]) async -> [String] {
        var problems: [String] = []
        for directory in directories.reversed() where FileManager.default.fileExists(atPath: directory) {
            let below = (FileManager.default.subpaths(atPath: directory) ?? []).filter { child in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(
                    atPath: (directory as NSString).appendingPathComponent(child), isDirectory: &isDirectory)
                    && isDirectory.boolValue
            }
            let innermostFirst = below.sorted { $0.count > $1.count }.map {
                (directory as NSString).appendingPathComponent($0)
            }
            // Up to a second per directory while the kernel still counts a dying process in it.
            for path in innermostFirst + [directory] {
                if let code = await removeCgroupDirectory(path, attempts: 20, pause: .milliseconds(50)), code != ENOENT
                {
                    problems.append(
                        "Could not remove the cgroup \(path) of an inner container: \(String(cString: strerror(code))). Remove it with rmdir once its processes are gone."
                    )
                    break
                }
            }
        }
        return problems
    }

    private static func sameHierarchy(_ engine: EngineCgroupView.Hierarchy, _ outer: EngineCgroupView.Hierarchy)
        -> Bool
    {
        guard engine.fileSystemType == outer.fileSystemType else { return false }
        if engine.fileSystemType == "cgroup2" { return true }
        let controllers = { (hierarchy: EngineCgroupView.Hierarchy) in
            Set(hierarchy.superOptions).subtracting(EngineCgroupView.mountOptions)
        }
        return controllers(engine) == controllers(outer)
    }

    /// The part of a runtime's state.json that says where the container's cgroups are.
    private struct RuntimeState: Decodable {
        var cgroupPaths: [String: String]?

        enum CodingKeys: String, CodingKey {
            case cgroupPaths = "cgroup_paths"
        }
    }
}
