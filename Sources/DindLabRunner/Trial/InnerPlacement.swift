/// Whether an inner container got a cgroup of its own where its runtime had to compute one
/// outside the outer container's cgroup (`inner.check-placement`).
///
/// runc puts a container into a new cgroup below the path it computes from the daemon's own
/// cgroup and its cgroup parent. Where the daemon's cgroup lies outside the outer container's
/// (PID 1's: the root of the outer container's cgroup mounts), the path falls outside the
/// hierarchy's mount; with a writable /sys/fs/cgroup tmpfs runc creates it as a plain directory
/// on the tmpfs, without an error, and the container stays in its daemon's cgroup. The inner run
/// "passes", in the wrong place. This compares, hierarchy by hierarchy (never by line count: a
/// systemd started in some container adds hierarchies to every process on the host), the inner
/// container's `/proc/self/cgroup` with its daemon's and PID 1's. A hierarchy the runtime does
/// not manage (pids and name=systemd for Docker 1.8's libcontainer) leaves the container with
/// its daemon too; where the daemon sits in PID 1's cgroup that is normal and not flagged.
import DindLabCore
import DindLabEngines

struct InnerPlacement: Sendable, Equatable {
    /// One hierarchy where the inner container has no cgroup of its own.
    struct Misplacement: Sendable, Equatable {
        /// "name=systemd", "cpu,cpuacct".
        var hierarchy: String
        var innerPath: String
        var daemonPath: String
        var proc1Path: String
    }

    var misplacements: [Misplacement]
    /// Why the check could not tell, when it could not.
    var undecided: String?

    /// - Parameters:
    ///   - proc1: The outer container's `/proc/1/cgroup`.
    ///   - daemon: The inner daemon's `/proc/<pid>/cgroup`.
    ///   - inner: The inner container's `/proc/self/cgroup`.
    init(proc1: String, daemon: String, inner: String) {
        let proc1Lines = CgroupComparison.parse(proc1)
        let daemonLines = CgroupComparison.parse(daemon)
        let innerLines = CgroupComparison.parse(inner)
        misplacements = []
        let v1 = innerLines.filter { !$0.0.isEmpty }
        guard !daemonLines.isEmpty, !innerLines.isEmpty else {
            undecided = "the inner daemon's or the inner container's cgroup lines are missing"
            return
        }
        // cgroup v2 only: a container in its own cgroup namespace sees "0::/" and its daemon's
        // path cannot be compared with it.
        guard !v1.isEmpty else {
            undecided =
                "cgroup v2 with the container in its own cgroup namespace: its path is /, relative to its namespace"
            return
        }
        undecided = nil
        // On a hybrid host the unified line is left as it is by a v1 runtime: compare v1 lines.
        for (hierarchy, innerPath) in v1 {
            guard let daemonPath = daemonLines.first(where: { $0.0 == hierarchy })?.1,
                let proc1Path = proc1Lines.first(where: { $0.0 == hierarchy })?.1
            else { continue }
            // No cgroup of its own: in the daemon's cgroup or one above it (not below, not beside),
            // where the daemon is outside the outer container's cgroup.
            if MountTable.path(daemonPath, isWithin: innerPath), !MountTable.path(daemonPath, isWithin: proc1Path) {
                misplacements.append(
                    Misplacement(
                        hierarchy: hierarchy, innerPath: innerPath, daemonPath: daemonPath, proc1Path: proc1Path))
            }
        }
    }

    var isMisplaced: Bool { !misplacements.isEmpty }

    /// The signature of a misplaced pass: one line, hierarchies in file order.
    var signature: String {
        "misplaced (passed): the inner container has no cgroup of its own in "
            + misplacements.map {
                "\($0.hierarchy) (it is in \($0.innerPath) with its daemon, outside the outer container's \($0.proc1Path))"
            }.joined(
                separator: ", ")
    }
}
