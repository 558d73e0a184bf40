import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// Whether this machine can start isolated engines at all, and if not, why.
enum EngineTestHost {
    static let environment = ProcessInfo.processInfo.environment

    /// nil when namespaces work here, else the reason the tests are skipped.
    static let isolationUnavailable: String? = {
        guard getuid() == 0 else { return "needs root: engines get their own mount and network namespaces" }
        guard let unshare = ExecutableSearch.resolve("unshare", environment: environment) else {
            return "needs util-linux unshare"
        }
        let trial = ShortCommand.run(
            unshare, ["--mount", "--net", "--propagation", "private", "--", "/bin/true"], timeout: .seconds(10))
        guard trial.exitStatus == 0 else { return "unshare --mount --net does not work here: \(trial.summary)" }
        return nil
    }()

    static var canIsolate: Bool { isolationUnavailable == nil }
    static var isolationComment: Comment { Comment(rawValue: isolationUnavailable ?? "") }

    /// A fresh, short directory under /tmp (engine sockets must stay under 108 bytes).
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/dl-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }

    /// Writes an executable file that a test runs next. Its descriptor is opened close-on-exec:
    /// written through Foundation, it leaks into any process another test of this process starts
    /// meanwhile, and running the file then fails with "Text file busy" (ETXTBSY).
    static func writeExecutable(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fchmod(fd, 0o755) == 0
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

/// What of the host an engine must never change: iptables rules, /etc/docker, /var/run/docker
/// and /var/lib/docker (whether they exist and what they hold).
struct HostSnapshot: Equatable, CustomStringConvertible {
    var iptables: String?
    var listings: [String: [String]]

    static let watchedPaths = ["/etc/docker", "/var/run/docker", "/var/lib/docker"]

    static func take() -> HostSnapshot {
        var iptables: String?
        if let save = ExecutableSearch.resolve("iptables-save", environment: EngineTestHost.environment) {
            // Comments carry timestamps and counters change with traffic: neither is a rule.
            iptables = ShortCommand.run(save, [], timeout: .seconds(20)).output
                .split(separator: "\n")
                .filter { !$0.hasPrefix("#") }
                .map { $0.replacingOccurrences(of: #"\[\d+:\d+\]"#, with: "[-]", options: .regularExpression) }
                .joined(separator: "\n")
        }
        var listings: [String: [String]] = [:]
        for path in watchedPaths {
            listings[path] = listing(path)
        }
        return HostSnapshot(iptables: iptables, listings: listings)
    }

    private static func listing(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return ["(absent)"] }
        guard isDirectory.boolValue else { return ["(not a directory)"] }
        let entries = (FileManager.default.subpaths(atPath: path) ?? []).sorted()
        return entries.map { entry in
            let attributes = (try? FileManager.default.attributesOfItem(atPath: path + "/" + entry)) ?? [:]
            let type = (attributes[.type] as? FileAttributeType).map { "\($0.rawValue)" } ?? "?"
            let size = (attributes[.type] as? FileAttributeType) == .typeRegular ? " \(attributes[.size] ?? 0)" : ""
            return "\(entry) \(type)\(size)"
        }
    }

    var description: String {
        "iptables:\n\(iptables ?? "(no iptables)")\n"
            + listings.keys.sorted().map { "\($0): \(listings[$0]!)" }.joined(separator: "\n")
    }
}

/// A shell script that plays a Docker daemon binary of some version: it prints the version for
/// `--version`/`-v`, and when started as a daemon it records its argv, writes where daemons of
/// the 1.x era wrote (only inside namespaces of its own), and sleeps or fails.
struct StandInDaemon {
    enum Shape { case docker, dockerWithDockerdBeside, dockerd }
    enum Behaviour { case becomesReady, failsAtStart, neverReady }

    let root: String
    /// What to pass as --binary.
    let binary: String
    var argvFile: String { root + "/argv" }
    var netnsFile: String { root + "/netns" }

    static let fatalLine = #"level=fatal msg="failed to start daemon: Devices cgroup isn't mounted""#

    init(
        version: String, shape: Shape, root: String, longVersionFlag: Bool = true, behaviour: Behaviour = .becomesReady
    ) throws {
        self.root = root
        let bin = root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let versionLine = "echo 'Docker version \(version), build 5tand1n'; exit 0"
        let longFlag = longVersionFlag ? versionLine : "echo 'flag provided but not defined: --version' >&2; exit 2"
        let ending: String
        switch behaviour {
        case .becomesReady: ending = "mv '\(root)/argv.partial' '\(root)/argv'\nexec sleep 600"
        case .failsAtStart: ending = "echo \(NamespaceLauncher.shellQuoted(Self.fatalLine)) >&2\nexit 1"
        case .neverReady: ending = "exec sleep 600"
        }
        let script = """
            #!/bin/sh
            case "${1-}" in
                --version) \(longFlag) ;;
                -v) \(versionLine) ;;
            esac
            for argument in "$0" "$@"; do printf '%s\\n' "$argument"; done > '\(root)/argv.partial'
            readlink /proc/self/ns/net > '\(root)/netns'
            # Old daemons hard-code host paths, and 1.9.1 rewrote the nat DOCKER chain even with
            # --iptables=false. Only ever inside namespaces of its own, so a broken isolation
            # shows up in the test's host snapshot but never harms the host.
            if [ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ]; then
                mkdir -p /etc/docker /var/run/docker /var/lib/docker/network/files
                echo stand-in > /etc/docker/dindlab-stand-in-key.json
                echo stand-in > /var/run/docker/dindlab-stand-in
                echo stand-in > /var/lib/docker/network/files/dindlab-stand-in.db
                touch '\(root)/wrote-host-paths'
            fi
            if [ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] && command -v iptables >/dev/null 2>&1; then
                iptables -t nat -N DOCKER 2>/dev/null || true
                iptables -t nat -A DOCKER -j RETURN 2>/dev/null && touch '\(root)/changed-iptables'
            fi
            echo "stand-in daemon \(version) started"
            \(ending)

            """
        let names: [String] =
            switch shape {
            case .docker: ["docker"]
            case .dockerWithDockerdBeside: ["docker", "dockerd"]
            case .dockerd: ["dockerd"]
            }
        for name in names {
            try EngineTestHost.writeExecutable(script, to: bin + "/" + name)
        }
        binary = bin + "/" + names[0]
    }

    func recordedArgv() throws -> [String] {
        try String(contentsOfFile: argvFile, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    /// Answers once the stand-in has recorded its argv, as a daemon answers once it is up.
    struct Probe: EngineProbe {
        let readyFile: String
        func isAnswering(socket: String) async -> Bool { FileManager.default.fileExists(atPath: readyFile) }
        func versions(socket: String) async -> EngineVersion? {
            guard FileManager.default.fileExists(atPath: readyFile) else { return nil }
            return try? JSONDecoder().decode(
                EngineVersion.self, from: Data(#"{"Version": "stand-in", "ApiVersion": "1.19"}"#.utf8))
        }
    }

    var probe: Probe { Probe(readyFile: argvFile) }
}

@Suite(
    "Private engine with stand-in daemons of every era",
    .enabled(if: EngineTestHost.canIsolate, EngineTestHost.isolationComment))
struct PrivateEngineStandInTests {
    struct EraCase: Sendable, CustomStringConvertible {
        var version: String
        var shape: StandInDaemon.Shape
        var longVersionFlag = true
        var program: String
        var daemonPrefix: [String]
        var dataFlag: String
        var execRoot: Bool
        var ip6tables: Bool
        var description: String { version }
    }

    static let eras: [EraCase] = [
        EraCase(
            version: "1.6.2", shape: .docker, program: "docker", daemonPrefix: ["-d"], dataFlag: "--graph",
            execRoot: false, ip6tables: false),
        EraCase(
            version: "1.7.1", shape: .docker, program: "docker", daemonPrefix: ["-d"], dataFlag: "--graph",
            execRoot: true, ip6tables: false),
        // Answers only `-v`, so the version is read through the fallback.
        EraCase(
            version: "1.8.3", shape: .docker, longVersionFlag: false, program: "docker", daemonPrefix: ["daemon"],
            dataFlag: "--graph", execRoot: true, ip6tables: false),
        EraCase(
            version: "1.9.1", shape: .docker, program: "docker", daemonPrefix: ["daemon"], dataFlag: "--graph",
            execRoot: true, ip6tables: false),
        // Given the `docker` binary, the dockerd beside it is started.
        EraCase(
            version: "1.12.6", shape: .dockerWithDockerdBeside, program: "dockerd", daemonPrefix: [],
            dataFlag: "--graph", execRoot: true, ip6tables: false),
        EraCase(
            version: "20.10.5+dfsg1", shape: .dockerd, program: "dockerd", daemonPrefix: [], dataFlag: "--data-root",
            execRoot: true, ip6tables: true),
    ]

    @Test("up starts each era's binary the way of its era; down leaves nothing behind", arguments: eras)
    func startsEachEra(_ row: EraCase) async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let standIn = try StandInDaemon(
            version: row.version, shape: row.shape, root: root + "/s", longVersionFlag: row.longVersionFlag)
        let engines = PrivateEngine(probe: standIn.probe, environment: EngineTestHost.environment)
        let dir = root + "/e"

        let record = try await engines.up(
            name: "era", dir: dir, binary: standIn.binary, options: .init(readyTimeout: .seconds(30)))
        let argv = try standIn.recordedArgv()
        #expect(argv == record.argv, "the daemon was started with exactly the recorded command line")
        #expect((argv[0] as NSString).lastPathComponent == row.program)
        #expect(Array(argv.dropFirst().prefix(row.daemonPrefix.count)) == row.daemonPrefix)
        #expect(value(after: row.dataFlag, in: argv) == dir + "/data")
        #expect(!argv.contains(row.dataFlag == "--graph" ? "--data-root" : "--graph"))
        #expect(value(after: "-H", in: argv) == "unix://" + dir + "/docker.sock")
        #expect(value(after: "--pidfile", in: argv) == dir + "/docker.pid")
        #expect(argv.contains("--exec-root") == row.execRoot)
        #expect(argv.contains("--ip6tables=false") == row.ip6tables)
        for flag in DaemonCommandLine.networkingOff { #expect(argv.contains(flag)) }
        #expect(record.version == DaemonVersion(versionText: row.version))

        // The recorded pid is the daemon itself (the launcher only ever execs), not a wrapper.
        let cmdline = try String(contentsOfFile: "/proc/\(record.pid)/cmdline", encoding: .utf8)
        #expect(cmdline.split(separator: "\0").first.map(String.init) == "sleep")
        #expect(getsid(record.pid) == record.pid, "the daemon leads a session of its own")
        #expect(
            try String(contentsOfFile: standIn.netnsFile, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
                != FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net"))

        let status = try await engines.status(name: "era", dir: dir)
        #expect(status.isRunning && status.isAnswering && status.pid == record.pid)

        let report = try await engines.down(name: "era", dir: dir)
        #expect(report.daemonPID == record.pid)
        try expectNothingLeft(of: EngineLayout(directory: dir))
        #expect(try await engines.status(name: "era", dir: dir).isRunning == false)
        #expect(FileManager.default.fileExists(atPath: dir + "/daemon.log"), "the log stays after down")
    }

    @Test("an old daemon's writes to host paths and iptables stay inside its namespaces")
    func isolatesHostPaths() async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let standIn = try StandInDaemon(version: "1.9.1", shape: .docker, root: root + "/s")
        let engines = PrivateEngine(probe: standIn.probe, environment: EngineTestHost.environment)

        let before = HostSnapshot.take()
        defer { removeLeakedStandInFiles() }
        try await engines.up(name: "iso", dir: root + "/e", binary: standIn.binary)
        let during = HostSnapshot.take()
        try await engines.down(name: "iso", dir: root + "/e")
        let after = HostSnapshot.take()

        #expect(
            FileManager.default.fileExists(atPath: root + "/s/wrote-host-paths"),
            "the stand-in did write to the hard-coded paths")
        if before.iptables != nil {
            #expect(
                FileManager.default.fileExists(atPath: root + "/s/changed-iptables"), "the stand-in did change iptables"
            )
        }
        #expect(during == before, "changed while the engine ran:\n\(during)")
        #expect(after == before, "changed by up and down:\n\(after)")
    }

    @Test("a daemon that exits at start fails up at once, with its last log lines")
    func exitsEarly() async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let standIn = try StandInDaemon(
            version: "20.10.24", shape: .dockerd, root: root + "/s", behaviour: .failsAtStart)
        let engines = PrivateEngine(probe: standIn.probe, environment: EngineTestHost.environment)

        let error = await #expect(throws: PrivateEngineError.self) {
            try await engines.up(
                name: "early", dir: root + "/e", binary: standIn.binary, options: .init(readyTimeout: .seconds(60)))
        }
        #expect(error?.code == .daemonExitedEarly)
        #expect(error?.description.contains("exited with status 1") == true)
        #expect(error?.description.contains("failed to start daemon: Devices cgroup isn't mounted") == true)
        try expectNothingLeft(of: EngineLayout(directory: root + "/e"))
    }

    @Test("a daemon that never answers is stopped at the deadline, with its last log lines")
    func neverAnswers() async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let standIn = try StandInDaemon(version: "20.10.24", shape: .dockerd, root: root + "/s", behaviour: .neverReady)
        let engines = PrivateEngine(probe: standIn.probe, environment: EngineTestHost.environment)

        let error = await #expect(throws: PrivateEngineError.self) {
            try await engines.up(
                name: "mute", dir: root + "/e", binary: standIn.binary, options: .init(readyTimeout: .seconds(1)))
        }
        #expect(error?.code == .daemonNotAnswering)
        #expect(error?.description.contains("stand-in daemon 20.10.24 started") == true)
        let record = try #require(try EngineRecord.read(from: root + "/e/engine.json"))
        #expect(!ProcessTable.isRunning(record.pid, startTicks: record.processStartTicks))
        try expectNothingLeft(of: EngineLayout(directory: root + "/e"))
    }

    @Test("a second up of a running engine is refused with its pid")
    func refusesSecondUp() async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let standIn = try StandInDaemon(version: "1.7.1", shape: .docker, root: root + "/s")
        let engines = PrivateEngine(probe: standIn.probe, environment: EngineTestHost.environment)

        let record = try await engines.up(name: "twice", dir: root + "/e", binary: standIn.binary)
        let error = await #expect(throws: PrivateEngineError.self) {
            try await engines.up(name: "twice", dir: root + "/e", binary: standIn.binary)
        }
        #expect(error?.code == .alreadyRunning)
        #expect(error?.description.contains("pid \(record.pid)") == true)
        #expect(ProcessTable.isRunning(record.pid), "the refused up left the running engine alone")
        try await engines.down(name: "twice", dir: root + "/e")
        try expectNothingLeft(of: EngineLayout(directory: root + "/e"))
    }

    @Test("named engines run side by side, are listed, and stop one by one")
    func namedEnginesSideBySide() async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let old = try StandInDaemon(version: "1.7.1", shape: .docker, root: root + "/old")
        let new = try StandInDaemon(version: "20.10.5", shape: .dockerd, root: root + "/new")
        let environment = EngineTestHost.environment.merging(
            ["XDG_STATE_HOME": root + "/state"], uniquingKeysWith: { $1 })
        let oldEngines = PrivateEngine(probe: old.probe, environment: environment)
        let newEngines = PrivateEngine(probe: new.probe, environment: environment)

        let v17 = try await oldEngines.up(name: "v17", binary: old.binary)
        let modern = try await newEngines.up(name: "modern", binary: new.binary)
        #expect(v17.socket == root + "/state/dindlab/engines/v17/docker.sock")
        #expect(v17.pid != modern.pid)

        let listed = await newEngines.list()
        #expect(listed.map(\.name) == ["modern", "v17"])
        #expect(listed.allSatisfy { $0.isRunning })
        #expect(listed.map { $0.record?.version.text } == ["20.10.5", "1.7.1"])

        try await oldEngines.down(name: "v17")
        #expect(!ProcessTable.isRunning(v17.pid))
        #expect(ProcessTable.isRunning(modern.pid), "stopping v17 left modern running")
        #expect(await newEngines.list().map(\.isRunning) == [true, false])
        try await newEngines.down(name: "modern")
        try expectNothingLeft(of: EngineLayout(directory: root + "/state/dindlab/engines/v17"))
        try expectNothingLeft(of: EngineLayout(directory: root + "/state/dindlab/engines/modern"))
    }

    @Test(
        "the daemon starts inside the requested cgroups, which down removes again",
        .enabled(
            if: MountTable.read().contains { $0.fileSystemType == "cgroup" && $0.superOptions.contains("cpuset") },
            "needs a cgroup v1 cpuset hierarchy"))
    func startsInCgroups() async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let standIn = try StandInDaemon(version: "1.8.3", shape: .docker, root: root + "/s")
        let engines = PrivateEngine(probe: standIn.probe, environment: EngineTestHost.environment)
        // Two new levels: the outer one must inherit cpus and mems too, or joining fails.
        let group = "/dindlab-test-\((root as NSString).lastPathComponent)/daemon"
        let placement = try CgroupPlacement(parsing: "cpuset:" + group)

        let record = try await engines.up(
            name: "cg", dir: root + "/e", binary: standIn.binary, options: .init(cgroups: [placement]))
        let cgroups = try String(contentsOfFile: "/proc/\(record.pid)/cgroup", encoding: .utf8)
        #expect(cgroups.split(separator: "\n").contains { $0.hasSuffix(":cpuset:" + group) }, "\(cgroups)")
        #expect(record.createdCgroupDirectories.count == 2)

        try await engines.down(name: "cg", dir: root + "/e")
        for directory in record.createdCgroupDirectories {
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
    }

    // MARK: Helpers

    private func expectNothingLeft(of layout: EngineLayout, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(
            ProcessTable.processes(markedBy: layout.namespaceScratch).isEmpty, "processes left",
            sourceLocation: sourceLocation)
        #expect(
            MountTable.mountPoints(within: layout.directory, in: MountTable.read()).isEmpty, "mounts left",
            sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: layout.socket), "socket left", sourceLocation: sourceLocation)
        #expect(
            !FileManager.default.fileExists(atPath: layout.pidFile), "pid file left", sourceLocation: sourceLocation)
    }

    private func removeLeakedStandInFiles() {
        for path in [
            "/etc/docker/dindlab-stand-in-key.json", "/var/run/docker/dindlab-stand-in",
            "/var/lib/docker/network/files/dindlab-stand-in.db",
        ] {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    private func value(after flag: String, in argv: [String]) -> String? {
        guard let index = argv.firstIndex(of: flag), index + 1 < argv.count else { return nil }
        return argv[index + 1]
    }
}
