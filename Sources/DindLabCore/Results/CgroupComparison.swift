import Foundation

/// `/proc/<pid>/cgroup` of several processes side by side, controller by controller.
///
/// The field report's root cause was here: a daemon started through `docker exec` sat in
/// other cgroups than one born from the container's command, and runc derives cgroup
/// paths from `/proc/1/cgroup` vs `/proc/self/cgroup`.
package struct CgroupComparison: Sendable, Equatable {
    package struct Row: Sendable, Equatable {
        /// "cpu,cpuacct", "name=systemd", or "" for the unified (v2) hierarchy.
        package var controllers: String
        /// The path per process, nil where the process has no line for the hierarchy.
        package var paths: [String?]
        /// True when the processes that have a line for this hierarchy disagree on it (a
        /// process that is gone has no lines and does not count).
        package var differs: Bool { Set(paths.compactMap { $0 }).count > 1 }
    }

    package var columns: [String]
    package var rows: [Row]

    /// - Parameter processes: (column title, contents of its cgroup file) pairs.
    package init(_ processes: [(title: String, cgroupFile: String)]) {
        columns = processes.map(\.title)
        let parsed = processes.map { Self.parse($0.cgroupFile) }
        var order: [String] = []
        for table in parsed {
            for (controllers, _) in table where !order.contains(controllers) {
                order.append(controllers)
            }
        }
        rows = order.map { controllers in
            Row(controllers: controllers, paths: parsed.map { table in table.first { $0.0 == controllers }?.1 })
        }
    }

    /// True when any hierarchy differs between the processes.
    package var anyDifference: Bool { rows.contains(where: \.differs) }

    /// "hierarchy-id:controllers:path" lines as (controllers, path), in file order.
    package static func parse(_ text: String) -> [(String, String)] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            return (String(parts[1]), String(parts[2]))
        }
    }

    /// A fixed-width table; rows that differ start with "*".
    package var rendered: String {
        let header = ["hierarchy"] + columns
        let body = rows.map { row in
            [row.controllers.isEmpty ? "(unified)" : row.controllers] + row.paths.map { $0 ?? "(none)" }
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String], marker: String) -> String {
            marker + " "
                + cells.enumerated().map { index, cell in
                    index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
        }
        var lines = [line(header, marker: " ")]
        for (row, cells) in zip(rows, body) {
            lines.append(line(cells, marker: row.differs ? "*" : " "))
        }
        lines.append("")
        lines.append(
            anyDifference
                ? "* marks hierarchies where the processes are in different cgroups."
                : "All processes are in the same cgroups.")
        return lines.joined(separator: "\n") + "\n"
    }
}
