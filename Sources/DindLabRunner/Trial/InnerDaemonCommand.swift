import DindLabCore
import DindLabEngines
import Foundation

/// The command line of the inner daemon: the scenario's own, else the outer image's label
/// `dindlab.daemon.command`, else `dockerd`, always with networking that cannot reach
/// the host switched off, in the flags the daemon's era knows.
enum InnerDaemonCommand {
    ///
    /// `cgroupParent: relative` adds `--cgroup-parent docker` for daemons that have the flag
    /// (1.10 and later, and daemons of unknown version); older daemons have no such flag and
    /// use the relative parent `docker` by default, so they get nothing.
    static func make(
        scenarioCommand: [String]?, imageLabels: [String: String],
        cgroupParent: Scenario.Daemon.InnerCgroupParent? = nil
    ) -> [String] {
        var command = scenarioCommand ?? labelCommand(imageLabels) ?? ["dockerd"]
        let version = imageLabels["dindlab.docker.version"].flatMap(DaemonVersion.init(versionText:))
        let flag = DaemonOption.cgroupParent.rawValue
        if cgroupParent == .relative, version.map({ $0.supports(.cgroupParent) }) ?? true,
            !command.contains(where: { $0 == flag || $0.hasPrefix(flag + "=") })
        {
            command += [flag, Scenario.Daemon.InnerCgroupParent.relativeValue]
        }
        var safety = DaemonCommandLine.networkingOff
        if version.map({ $0.supports(.ip6tables) }) ?? false {
            safety.append("--ip6tables=false")
        }
        // A flag the user set explicitly wins; dindlab only adds what is missing.
        for flag in safety {
            let name = flag.split(separator: "=").first.map(String.init) ?? flag
            if !command.contains(where: { $0 == name || $0.hasPrefix(name + "=") }) {
                command.append(flag)
            }
        }
        return command
    }

    /// The JSON array in the image's `dindlab.daemon.command` label.
    static func labelCommand(_ labels: [String: String]) -> [String]? {
        guard let text = labels["dindlab.daemon.command"], let data = text.data(using: .utf8),
            let array = try? JSONDecoder().decode([String].self, from: data), !array.isEmpty
        else { return nil }
        return array
    }
}
