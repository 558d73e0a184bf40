package import Foundation

/// One process on one machine, named so that a later process that happens to get the same
/// pid is not mistaken for it: host name, pid, the process's start time in clock ticks after
/// boot (field 22 of /proc/<pid>/stat) and the kernel's boot id.
package struct ProcessIdentity: Sendable, Hashable {
    package var host: String
    package var pid: Int32
    /// Clock ticks after boot when the process started; nil when it was not recorded.
    package var startTicks: UInt64?
    /// /proc/sys/kernel/random/boot_id of the machine when the process ran; nil when unknown.
    package var bootID: String?

    package init(host: String, pid: Int32, startTicks: UInt64? = nil, bootID: String? = nil) {
        self.host = host
        self.pid = pid
        self.startTicks = startTicks
        self.bootID = bootID
    }

    /// This process.
    package static let current = ProcessIdentity(
        host: ProcessInfo.processInfo.hostName,
        pid: getpid(),
        startTicks: ProcessTable.stat(getpid())?.startTicks,
        bootID: MachineFacts.bootID
    )

    /// `host:pid`, the form of the `dindlab.owner` label.
    package var ownerText: String { "\(host):\(pid)" }

    /// Reads `host:pid`; the host may itself contain colons (IPv6-like names), the pid is after the last one.
    package init?(ownerText: String, startTicks: UInt64? = nil, bootID: String? = nil) {
        guard let colon = ownerText.lastIndex(of: ":"), let pid = Int32(ownerText[ownerText.index(after: colon)...]),
            pid > 0
        else {
            return nil
        }
        self.init(host: String(ownerText[..<colon]), pid: pid, startTicks: startTicks, bootID: bootID)
    }

    /// Whether the process still runs, as far as this machine can tell.
    package enum Liveness: Sendable, Hashable {
        /// The very process runs (same host, same boot, pid alive with the same start time).
        case running
        /// The process is gone; the reason says how that is known.
        case gone(String)
        /// It ran on another host: this machine cannot tell.
        case unknown(String)
    }

    /// Looks the process up in this machine's /proc.
    ///
    /// - Parameter startedNoLaterThan: When the start ticks were not recorded, a time the
    ///   process must have been running by (the run's start): a process with that pid that
    ///   started later is a newer one that reused the pid.
    /// - Returns: Whether it runs.
    package func liveness(startedNoLaterThan: Date? = nil) -> Liveness {
        guard host == ProcessInfo.processInfo.hostName else {
            return .unknown("its owner ran on the host \(host), not on this one (\(ProcessInfo.processInfo.hostName))")
        }
        if let bootID, let current = MachineFacts.bootID, bootID != current {
            return .gone("the machine has rebooted since its owner process \(pid) started")
        }
        guard let stat = ProcessTable.stat(pid), stat.state != "Z" else {
            return .gone("its owner process \(pid) is gone")
        }
        if let startTicks {
            return stat.startTicks == startTicks
                ? .running : .gone("its owner process \(pid) is gone (pid \(pid) is now another process)")
        }
        if let startedNoLaterThan, let processStart = MachineFacts.wallTime(ofTicksAfterBoot: stat.startTicks),
            processStart > startedNoLaterThan.addingTimeInterval(1)
        {
            return .gone("its owner process \(pid) is gone (pid \(pid) is now a process that started later)")
        }
        return .running
    }
}

/// Facts about this machine that process identities need.
enum MachineFacts {
    /// The kernel's boot id, a UUID that changes with every boot.
    static let bootID: String? = {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// When the machine booted (`btime` in /proc/stat).
    static let bootTime: Date? = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let seconds = Double(line.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces))
        else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }()

    /// The wall-clock time of a moment given in clock ticks after boot.
    static func wallTime(ofTicksAfterBoot ticks: UInt64) -> Date? {
        let perSecond = sysconf(Int32(_SC_CLK_TCK))
        guard let bootTime, perSecond > 0 else { return nil }
        return bootTime.addingTimeInterval(Double(ticks) / Double(perSecond))
    }
}
