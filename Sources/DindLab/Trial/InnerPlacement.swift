/// Whether an inner container got a cgroup of its own in every hierarchy (`inner.check-placement`).
///
/// runc puts a container into a new cgroup below the path it computes from its cgroup parent.
/// When that path falls outside a hierarchy's mount and the /sys/fs/cgroup tmpfs is writable,
/// runc creates it as a plain directory on the tmpfs, without an error, and the container stays
/// in the cgroup of whoever started it: the inner daemon's (its shim's), or one above it. The
/// inner run "passes", in the wrong place. This compares, hierarchy by hierarchy (never by line
/// count: a systemd started in some container adds hierarchies to every process on the host),
/// the inner container's `/proc/self/cgroup` with its daemon's.
struct InnerPlacement: Sendable, Equatable {
    /// One hierarchy where the inner container has no cgroup of its own.
    struct Misplacement: Sendable, Equatable {
        /// "name=systemd", "cpu,cpuacct".
        var hierarchy: String
        var innerPath: String
        var daemonPath: String
    }

    var misplacements: [Misplacement]
    /// Why the check could not tell, when it could not.
    var undecided: String?

    /// - Parameters:
    ///   - daemon: The inner daemon's `/proc/<pid>/cgroup`.
    ///   - inner: The inner container's `/proc/self/cgroup`.
    init(daemon: String, inner: String) {
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
            undecided = "cgroup v2 with the container in its own cgroup namespace: its path is /, relative to its namespace"
            return
        }
        undecided = nil
        // On a hybrid host the unified line is left as it is by a v1 runtime: compare v1 lines.
        for (hierarchy, innerPath) in v1 {
            guard let daemonPath = daemonLines.first(where: { $0.0 == hierarchy })?.1 else { continue }
            // In a cgroup of its own: strictly below, or beside, the daemon's; not the daemon's
            // own cgroup nor one above it.
            if MountTable.path(daemonPath, isWithin: innerPath) {
                misplacements.append(Misplacement(hierarchy: hierarchy, innerPath: innerPath, daemonPath: daemonPath))
            }
        }
    }

    var isMisplaced: Bool { !misplacements.isEmpty }

    /// The signature of a misplaced pass: one line, hierarchies in file order.
    var signature: String {
        "misplaced (passed): the inner container has no cgroup of its own in "
            + misplacements.map { "\($0.hierarchy) (it is in \($0.innerPath), its daemon in \($0.daemonPath))" }.joined(separator: ", ")
    }
}
