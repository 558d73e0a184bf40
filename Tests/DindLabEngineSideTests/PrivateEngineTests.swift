import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

@Suite("Private engine: layout, launcher and /proc parsing")
struct PrivateEngineTests {
    // MARK: Layout and names

    @Test("named engines live side by side under XDG_STATE_HOME, else ~/.local/state")
    func namedLayouts() throws {
        let xdg = try EngineLayout.named("v17", environment: ["XDG_STATE_HOME": "/state", "HOME": "/home/u"])
        #expect(xdg.directory == "/state/dindlab/engines/v17")
        #expect(xdg.socket == "/state/dindlab/engines/v17/docker.sock")
        #expect(xdg.dockerHost == "unix:///state/dindlab/engines/v17/docker.sock")

        let home = try EngineLayout.named("default", environment: ["HOME": "/home/u"])
        #expect(home.directory == "/home/u/.local/state/dindlab/engines/default")
        // A relative XDG_STATE_HOME is invalid by the XDG spec and ignored.
        let relative = try EngineLayout.named("x", environment: ["XDG_STATE_HOME": "state", "HOME": "/home/u"])
        #expect(relative.directory == "/home/u/.local/state/dindlab/engines/x")
    }

    @Test("accepts plain names", arguments: ["default", "v17", "20.10.5", "modern_1", "A-b"])
    func acceptsNames(_ name: String) throws {
        try EngineLayout.validateName(name)
    }

    @Test(
        "refuses names that are not plain directory names",
        arguments: ["", "..", ".hidden", "a/b", "-x", "a b", String(repeating: "x", count: 65)])
    func refusesNames(_ name: String) {
        let error = #expect(throws: PrivateEngineError.self) { try EngineLayout.validateName(name) }
        #expect(error?.code == .invalidName)
    }

    @Test("an explicit directory is used as given, relative to the current directory")
    func explicitDirectory() throws {
        let engines = PrivateEngine(environment: ["HOME": "/home/u"])
        #expect(try engines.layout(name: "x", dir: "/tmp/e1/").directory == "/tmp/e1")
        let relative = try engines.layout(name: "x", dir: "engine")
        #expect(
            relative.directory
                == (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("engine"))
    }

    @Test("resolves symlinks in the existing part of an engine directory")
    func resolvesSymlinks() throws {
        let base = NSTemporaryDirectory() + "dindlab-links-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: base + "/link", withDestinationPath: base + "/real")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let resolvedBase = PrivateEngine.resolvingSymlinks(base)
        #expect(PrivateEngine.resolvingSymlinks(base + "/link/engines/v17") == resolvedBase + "/real/engines/v17")
        #expect(PrivateEngine.resolvingSymlinks("/nonexistent-root/a/b") == "/nonexistent-root/a/b")
    }

    @Test("socket paths: fits at the limit, fails clearly one byte beyond")
    func socketPathLimit() throws {
        let overhead = EngineLayout.socketSuffixes.map { $0.utf8.count + 1 }.max()!
        let fitting = "/" + String(repeating: "d", count: EngineLayout.maximumSocketPathBytes - overhead - 1)
        try EngineLayout(directory: fitting).validateSocketPaths()

        let tooLong = fitting + "d"
        let error = #expect(throws: PrivateEngineError.self) {
            try EngineLayout(directory: tooLong).validateSocketPaths()
        }
        #expect(error?.code == .socketPathTooLong)
        #expect(error?.description.contains("108") == true)
        // --dir: FrontendTests
        #expect(error?.remedy == .directory("a directory of at most \(fitting.utf8.count) bytes, e.g. under /tmp"))
    }

    // MARK: The launcher

    static let mounts = MountTable.parse(
        """
        27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
        28 27 0:25 / /run rw - tmpfs tmpfs rw
        29 27 254:0 /resolv /etc/resolv.conf rw - ext4 /dev/vda rw
        30 27 254:0 /certs /etc/ssl/certs rw - ext4 /dev/vda rw
        31 30 254:0 /inner /etc/ssl/certs/inner rw - ext4 /dev/vda rw
        32 27 0:40 / /var/lib/kubelet rw - tmpfs tmpfs rw
        """)

    @Test("replaces /run, and /etc/docker and /var/lib/docker by tmpfs when they exist")
    func shadowsWhenPathsExist() {
        let facts = HostFacts(
            etcDockerExists: true, varLibDockerExists: true, varRunIsSeparateDirectory: false, mounts: Self.mounts)
        #expect(
            NamespaceLauncher.shadows(for: facts) == [
                Shadow(target: "/run", kind: .emptyTmpfs),
                Shadow(target: "/etc/docker", kind: .emptyTmpfs),
                Shadow(target: "/var/lib/docker", kind: .emptyTmpfs),
            ])
    }

    @Test("overlays the parent when /etc/docker or /var/lib/docker is missing, keeping the mounts below it")
    func shadowsWhenPathsAreMissing() {
        let facts = HostFacts(
            etcDockerExists: false, varLibDockerExists: false, varRunIsSeparateDirectory: true, mounts: Self.mounts)
        #expect(
            NamespaceLauncher.shadows(for: facts) == [
                Shadow(target: "/run", kind: .emptyTmpfs),
                Shadow(target: "/var/run", kind: .emptyTmpfs),
                Shadow(target: "/etc", kind: .overlay, keptMounts: ["/etc/resolv.conf", "/etc/ssl/certs"]),
                Shadow(target: "/var/lib", kind: .overlay, keptMounts: ["/var/lib/kubelet"]),
            ])
    }

    @Test(
        "refuses engine directories inside a replaced path, or containing one",
        arguments: [
            "/run/dindlab/e", "/var/lib/dindlab", "/etc/dindlab", "/", "/var",
        ])
    func refusesHiddenDirectories(_ directory: String) {
        let facts = HostFacts(
            etcDockerExists: false, varLibDockerExists: false, varRunIsSeparateDirectory: false, mounts: [])
        let error = #expect(throws: PrivateEngineError.self) {
            try NamespaceLauncher.checkDirectory(
                EngineLayout(directory: directory), against: NamespaceLauncher.shadows(for: facts))
        }
        #expect(error?.code == .directoryNotUsable)
    }

    @Test("the launcher is valid sh, joins cgroups before unshare, and mounts in a safe order")
    func launcherScript() throws {
        let layout = EngineLayout(directory: "/tmp/it's here")
        let shadows = NamespaceLauncher.shadows(
            for: HostFacts(
                etcDockerExists: false, varLibDockerExists: true, varRunIsSeparateDirectory: false, mounts: Self.mounts)
        )
        let script = NamespaceLauncher.script(
            name: "t", layout: layout, unshare: "/usr/bin/unshare",
            cgroupProcsFiles: ["/sys/fs/cgroup/cpuset/d/cgroup.procs"], shadows: shadows)
        let lines = script.split(separator: "\n").map(String.init)

        let path = NSTemporaryDirectory() + "dindlab-launcher-\(UUID().uuidString).sh"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let syntax = ShortCommand.run("/bin/sh", ["-n", path], timeout: .seconds(10))
        #expect(syntax.exitStatus == 0, "sh -n: \(syntax.output)")

        func index(_ prefix: String) throws -> Int {
            try #require(
                lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }, "no line \(prefix)")
        }
        #expect(
            try index("echo $$ > '/sys/fs/cgroup/cpuset/d/cgroup.procs'")
                < index("exec '/usr/bin/unshare' --mount --net --propagation private"))
        // /run is hidden before anything else is mounted; every mount stays out of the host's utab.
        #expect(
            try index("mount -n -t tmpfs -o mode=0755 dindlab-shadow '/run'")
                < index("mount -n -t tmpfs -o mode=0700 dindlab-scratch"))
        #expect(lines.filter { $0.hasPrefix("mount ") }.allSatisfy { $0.hasPrefix("mount -n ") })
        // The engine directory is quoted for sh, apostrophe included.
        #expect(script.contains("'/tmp/it'\\''s here/ns'"))
        // /etc is overlaid in scratch space, its mounts bound back in, and only then moved over /etc.
        #expect(
            try index("mount -n --rbind '/etc/resolv.conf'")
                < index("mount -n --move '/tmp/it'\\''s here/ns/overlay/etc/merged' '/etc'"))
        #expect(lines.last == "exec \"$@\"")
    }

    @Test("the daemon gets our environment without client TLS and systemd variables, its own directory first on PATH")
    func daemonEnvironment() {
        let daemon = DaemonBinary(path: "/opt/docker-1.7.1/docker", version: DaemonVersion(1, 7, 1))
        let environment = PrivateEngine.daemonEnvironment(
            for: daemon,
            from: [
                "PATH": "/usr/bin:/bin", "HOME": "/root", "DOCKER_RAMDISK": "true",
                "DOCKER_HOST": "tcp://remote:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs",
                "NOTIFY_SOCKET": "/run/systemd/notify",
            ])
        #expect(environment["PATH"]?.hasPrefix("/opt/docker-1.7.1:/usr/bin:/bin:") == true)
        #expect(environment["HOME"] == "/root")
        #expect(environment["DOCKER_RAMDISK"] == "true", "daemon settings pass through")
        for name in ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "NOTIFY_SOCKET"] {
            #expect(environment[name] == nil, "\(name) must not reach the daemon")
        }
    }

    // MARK: /proc parsing

    @Test("parses mountinfo, decoding escaped spaces")
    func mountinfo() throws {
        let entries = MountTable.parse(
            """
            42 27 254:0 /tmp/eng/data /tmp/eng/data rw,relatime shared:1 - ext4 /dev/vda rw,discard
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            50 27 0:50 / /tmp/with\\040space rw - tmpfs dindlab-scratch rw,mode=700
            """)
        #expect(entries.count == 3)
        #expect(entries[0].mountPoint == "/tmp/eng/data")
        #expect(entries[1].fileSystemType == "cgroup")
        #expect(entries[1].superOptions == ["rw", "cpuset"])
        #expect(entries[2].mountPoint == "/tmp/with space")
        #expect(entries[2].source == "dindlab-scratch")
        #expect(MountTable.mountPoints(within: "/tmp/eng", in: entries) == ["/tmp/eng/data"])
        #expect(MountTable.mountPoints(within: "/tmp/en", in: entries).isEmpty)
    }

    @Test("parses /proc/PID/stat even when the command name holds spaces and parentheses")
    func procStat() throws {
        let fields = (4...52).map(String.init).joined(separator: " ")
        let stat = try #require(ProcessTable.parseStat("1234 (a (b) c) S \(fields)"))
        #expect(stat.pid == 1234)
        #expect(stat.state == "S")
        #expect(stat.parent == 4)
        #expect(stat.startTicks == 22)

        let mine = try #require(ProcessTable.stat(getpid()))
        #expect(mine.parent == getppid())
        #expect(ProcessTable.isRunning(getpid(), startTicks: mine.startTicks))
        #expect(!ProcessTable.isRunning(getpid(), startTicks: mine.startTicks + 1))
    }

    @Test("no process of ours carries an engine's marker")
    func markerScanFindsNothingForUnknownDirectory() {
        #expect(ProcessTable.processes(markedBy: "/nonexistent/dindlab/ns").isEmpty)
    }

    // MARK: cgroups, probe, errors

    @Test(
        "parses cgroup placements",
        arguments: [
            ("cpuset:/docker-daemon", "cpuset", "/docker-daemon"),
            ("name=systemd:/a/b", "name=systemd", "/a/b"),
            ("unified:/dindlab", "unified", "/dindlab"),
        ])
    func cgroupPlacements(_ spec: String, _ controller: String, _ path: String) throws {
        let placement = try CgroupPlacement(parsing: spec)
        #expect(placement.controller == controller)
        #expect(placement.path == path)
        #expect(placement.description == spec)
    }

    @Test(
        "refuses malformed cgroup placements",
        arguments: ["cpuset", "cpuset:", "cpuset:relative", "cpuset:/", "cpuset:/a/../b"])
    func badCgroupPlacements(_ spec: String) {
        let error = #expect(throws: PrivateEngineError.self) { try CgroupPlacement(parsing: spec) }
        #expect(error?.code == .invalidCgroup)
    }

    @Test("finds a placement's hierarchy by controller, and says which exist when none matches")
    func cgroupHierarchies() throws {
        let mounts = MountTable.parse(
            """
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            35 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """)
        #expect(try CgroupPlacement(parsing: "cpuacct:/x").hierarchyRoot(in: mounts) == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(try CgroupPlacement(parsing: "unified:/x").hierarchyRoot(in: mounts) == "/sys/fs/cgroup/unified")
        let error = #expect(throws: PrivateEngineError.self) {
            try CgroupSetup.prepare([try CgroupPlacement(parsing: "perf_event:/x")], mounts: mounts)
        }
        #expect(error?.code == .invalidCgroup)
        #expect(error?.description.contains("cpuset") == true)
    }

    @Test("the probe says no when nothing listens")
    func probeWithoutDaemon() async {
        let probe = EngineClientProbe(timeout: .seconds(1))
        #expect(await probe.isAnswering(socket: "/nonexistent/docker.sock") == false)
        #expect(await probe.versions(socket: "/nonexistent/docker.sock") == nil)
    }

    @Test("without dockerd the error says how to install it")
    func missingDockerd() {
        let error = #expect(throws: PrivateEngineError.self) {
            try DaemonBinary.defaultDaemon(environment: ["PATH": "/nonexistent"], fallbackDirectories: [])
        }
        #expect(error?.code == .daemonNotFound)
        // The words (apt-get install docker.io, --binary): FrontendTests.
        #expect(error?.remedy == .installOrBinary(package: "docker.io"))
    }

    // Needs no root: only the binary's version is read.
    @Test("a docker binary of 1.12 or later without dockerd beside it is refused")
    func dockerWithoutDockerd() throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let standIn = try StandInDaemon(version: "26.1.5+dfsg1", shape: .docker, root: root + "/s")
        let error = #expect(throws: PrivateEngineError.self) {
            try DaemonBinary.inspect(standIn.binary, environment: EngineTestHost.environment)
        }
        #expect(error?.code == .dockerdMissing, "\(error?.description ?? "")")
        #expect(error?.description.contains(root + "/s/bin/dockerd") == true)
    }

    @Test("down of an engine that never existed says so")
    func downWithoutEngine() async {
        let engines = PrivateEngine(environment: ["HOME": "/nonexistent-home"])
        let error = await #expect(throws: PrivateEngineError.self) { try await engines.down(name: "nothing") }
        #expect(error?.code == .engineNotFound)
    }

    @Test("status of an engine that never started has no record and is not running")
    func statusWithoutEngine() async throws {
        let status = try await PrivateEngine(environment: ["HOME": "/nonexistent-home"]).status(name: "nothing")
        #expect(status.record == nil)
        #expect(!status.isRunning)
        #expect(status.pid == nil)
    }
}
