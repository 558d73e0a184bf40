import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

@Suite("Outer containers: create requests by API version")
struct OuterContainerConfigTests {
    static let emulated = PrivilegeSupport(
        privileged: false, grantableCapabilities: ["SYS_ADMIN", "NET_ADMIN"], refusedCapabilities: ["SYS_RESOURCE"],
        privilegedError: "unable to apply caps")
    static let granted = PrivilegeSupport(
        privileged: true, grantableCapabilities: [], refusedCapabilities: [], privilegedError: nil)

    static func request(
        cgroups: Scenario.Outer.Cgroups = .bind, cgroupParent: String? = nil, privileged: Bool = true,
        network: String = "none"
    ) -> OuterContainerRequest {
        OuterContainerRequest(
            image: "dindlab/outer:bookworm", command: ["sh"], privileged: privileged, cgroups: cgroups,
            cgroupParent: cgroupParent, network: network, env: ["B": "2", "A": "1"], labels: ["dindlab.run": "r"])
    }

    /// (API version, has tmpfs, has seccomp option, has device cgroup rules, security option separator)
    @Test(
        "the emulation uses only what the API version has",
        arguments: [
            ("1.19", false, false, false, ":"),
            ("1.21", false, false, false, ":"),
            ("1.22", true, true, false, ":"),
            ("1.25", true, true, true, "="),
            ("1.41", true, true, true, "="),
        ])
    func emulation(version: String, tmpfs: Bool, seccomp: Bool, deviceRules: Bool, separator: String) throws {
        let config = Self.request().containerConfig(
            apiVersion: try #require(APIVersion(version)), privilege: Self.emulated)
        let host = try #require(config.hostConfig)
        #expect(host.privileged == nil)
        #expect(host.capAdd == ["SYS_ADMIN", "NET_ADMIN"])
        #expect(host.securityOpt?.contains("apparmor\(separator)unconfined") == true)
        #expect((host.securityOpt?.contains("seccomp\(separator)unconfined") == true) == seccomp)
        #expect((host.deviceCgroupRules == ["a *:* rwm"]) == deviceRules)
        #expect((host.tmpfs?["/var/lib/docker"] != nil) == tmpfs)
        // Without tmpfs mounts the inner daemon's data root is an anonymous volume.
        #expect((config.volumes?["/var/lib/docker"] != nil) == !tmpfs)
        #expect(host.binds == ["/sys/fs/cgroup:/sys/fs/cgroup:rw"])
        #expect(host.networkMode == "none")
        #expect(config.env == ["A=1", "B=2"])
    }

    @Test(
        "network none disables networking in the container config (no sandbox, no setkey hook); others do not",
        arguments: [
            ("none", true), ("host", false), ("bridge", false),
        ])
    func network(mode: String, disabled: Bool) throws {
        let config = Self.request(network: mode).containerConfig(apiVersion: APIVersion(1, 41), privilege: Self.granted)
        #expect(config.hostConfig?.networkMode == mode)
        #expect((config.networkDisabled == true) == disabled)
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(json.contains("\"NetworkDisabled\":true") == disabled)
    }

    @Test("privileged mode is used as is where the engine grants it")
    func granted() throws {
        let host = try #require(
            Self.request().containerConfig(apiVersion: APIVersion(1, 41), privilege: Self.granted).hostConfig)
        #expect(host.privileged == true)
        #expect(host.capAdd == nil)
    }

    /// (cgroups, binds the host's /sys/fs/cgroup, puts a tmpfs over it)
    @Test(
        "cgroups: bind binds, none puts an empty tmpfs, engine and private add no cgroup mount",
        arguments: [
            (Scenario.Outer.Cgroups.bind, true, false),
            (.none, false, true),
            (.engine, false, false),
            (.private, false, false),
        ])
    func cgroupMounts(cgroups: Scenario.Outer.Cgroups, binds: Bool, tmpfs: Bool) throws {
        for privilege in [Self.granted, Self.emulated] {
            let host = try #require(
                Self.request(cgroups: cgroups).containerConfig(apiVersion: APIVersion(1, 41), privilege: privilege)
                    .hostConfig)
            #expect((host.binds?.contains("/sys/fs/cgroup:/sys/fs/cgroup:rw") == true) == binds)
            #expect((host.tmpfs?["/sys/fs/cgroup"] != nil) == tmpfs)
            // The inner daemon's data root is there whatever the cgroups.
            #expect(host.tmpfs?["/var/lib/docker"] != nil)
        }
    }

    @Test("a cgroup parent goes into HostConfig.CgroupParent; none leaves the engine's default")
    func cgroupParent() throws {
        let config = Self.request(cgroups: .private, cgroupParent: "/f2.slice").containerConfig(
            apiVersion: APIVersion(1, 41), privilege: Self.emulated)
        #expect(config.hostConfig?.cgroupParent == "/f2.slice")
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(json.contains(#""CgroupParent":"\/f2.slice""#) || json.contains(#""CgroupParent":"/f2.slice""#))
        #expect(
            Self.request().containerConfig(apiVersion: APIVersion(1, 41), privilege: Self.emulated).hostConfig?
                .cgroupParent == nil)
    }

    @Test("an unprivileged outer container gets neither privileges nor the emulation")
    func unprivileged() throws {
        let host = try #require(
            Self.request(privileged: false).containerConfig(apiVersion: APIVersion(1, 41), privilege: Self.emulated)
                .hostConfig)
        #expect(host.privileged == nil && host.capAdd == nil && host.securityOpt == nil)
    }
}

@Suite("Trial: outer scripts, daemon command, cgroup comparison")
struct TrialPiecesTests {
    @Test(
        "words are quoted for sh",
        arguments: [("plain", "'plain'"), ("it's", "'it'\\''s'"), ("", "''"), ("$(x) `y`", "'$(x) `y`'")])
    func quoting(word: String, quoted: String) {
        #expect(OuterScripts.quote(word) == quoted)
    }

    @Test("the inner daemon gets networking off in its era's flags, unless set")
    func daemonCommand() {
        let modern = InnerDaemonCommand.make(
            scenarioCommand: nil,
            imageLabels: ["dindlab.daemon.command": #"["dockerd","--debug"]"#, "dindlab.docker.version": "20.10.24"])
        #expect(
            modern == [
                "dockerd", "--debug", "--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false",
                "--ip6tables=false",
            ])
        let old = InnerDaemonCommand.make(
            scenarioCommand: nil,
            imageLabels: ["dindlab.daemon.command": #"["docker","-d"]"#, "dindlab.docker.version": "1.7.1"])
        #expect(old == ["docker", "-d", "--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false"])
        let own = InnerDaemonCommand.make(scenarioCommand: ["dockerd", "--iptables=true"], imageLabels: [:])
        #expect(own.filter { $0.hasPrefix("--iptables") } == ["--iptables=true"])
    }

    @Test("forensics sections parse back")
    func sections() {
        let text = "===== dindlab:proc1-cgroup =====\n1:cpu:/a\n===== dindlab:daemon-log =====\nline1\nline2"
        let sections = OuterScripts.parseSections(text)
        #expect(sections["proc1-cgroup"] == "1:cpu:/a")
        #expect(sections["daemon-log"] == "line1\nline2")
    }

    @Test("cgroup lines that differ are marked; a process that is gone does not count")
    func cgroups() {
        let comparison = CgroupComparison([
            ("pid 1", "2:cpu:/docker/a\n1:name=systemd:/docker/a"),
            ("daemon", ""),
            ("exec", "2:cpu:/docker/a\n1:name=systemd:/docker/a/exec"),
        ])
        #expect(comparison.rows.map(\.controllers) == ["cpu", "name=systemd"])
        #expect(comparison.rows.map(\.differs) == [false, true])
        #expect(comparison.rendered.contains("* name=systemd"))
        #expect(!CgroupComparison([("a", "1:cpu:/x"), ("b", "1:cpu:/x")]).anyDifference)
    }
}

@Suite("Scenario faults")
struct ScenarioFaultsTests {
    @Test("faults load with defaults and can be a matrix key")
    func faults() throws {
        let scenario = try ScenarioLoader.load(
            yaml: """
                version: 1
                name: f
                outer: {image: x}
                faults: {kill-after: 2s}
                matrix:
                  faults.kill-daemon-at-trial: [0, 3]
                """, file: "f.yaml")
        #expect(scenario.faults.killAfter == .seconds(2))
        #expect(scenario.faults.restartDaemon)
        #expect(scenario.cells().map(\.scenario.faults.killDaemonAtTrial) == [0, 3])
    }

    @Test(
        "a bad fault is reported at its line",
        arguments: [
            ("faults: {kill-daemon-at-trial: -1}", "faults.kill-daemon-at-trial"),
            ("faults: {restart-daemon: maybe}", "faults.restart-daemon"),
            ("faults: {kill-later: 1s}", "kill-later"),
        ])
    func badFaults(line: String, mentioned: String) {
        let error = #expect(throws: YAMLErrors.self) {
            try ScenarioLoader.load(yaml: "version: 1\nname: f\nouter: {image: x}\n\(line)\n", file: "f.yaml")
        }
        #expect(error?.description.contains("f.yaml:4:") == true, "\(String(describing: error))")
        #expect(error?.description.contains(mentioned) == true, "\(String(describing: error))")
    }
}

@Suite("Daemon log window")
struct DaemonLogWindowTests {
    private static func line(_ time: String, _ message: String) -> String {
        "time=\"\(time)\" level=error msg=\"\(message)\""
    }

    private static func nanoseconds(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date).replacingOccurrences(of: "Z", with: "000000Z")
    }

    @Test("an inner-phase failure looks only at lines logged since the phase began; a daemon failure at all")
    func window() {
        var clock = PhaseClock()
        clock.enter(.inner)
        let began = clock.began[.inner]!
        let old = Self.line(Self.nanoseconds(began.addingTimeInterval(-30)), "start-up noise")
        // Logged a few milliseconds before the phase began: start-up, even within its second.
        let justBefore = Self.line(
            Self.nanoseconds(began.addingTimeInterval(-0.005)), "failed connecting to containerd")
        let new = Self.line(Self.nanoseconds(began.addingTimeInterval(2)), "the real cause")
        let plain = "failed to start daemon: something"
        #expect(DaemonLogWindow.lines([old, justBefore, new, plain], failedIn: .inner, clock: clock) == [new, plain])
        #expect(
            DaemonLogWindow.lines([old, justBefore, new, plain], failedIn: .daemon, clock: clock) == [
                old, justBefore, new, plain,
            ])
    }

    @Test("a time in whole seconds counts as its whole second")
    func wholeSeconds() {
        var clock = PhaseClock()
        clock.enter(.inner)
        let began = clock.began[.inner]!
        let formatter = ISO8601DateFormatter()
        let sameSecond = Self.line(formatter.string(from: began), "may be the cause")
        let earlier = Self.line(formatter.string(from: began.addingTimeInterval(-2)), "start-up noise")
        #expect(DaemonLogWindow.lines([earlier, sameSecond], failedIn: .inner, clock: clock) == [sameSecond])
    }

    @Test("lines logged after the failure was seen (a restarted daemon's start-up) are left out")
    func until() {
        var clock = PhaseClock()
        clock.enter(.inner)
        let began = clock.began[.inner]!
        let cause = Self.line(Self.nanoseconds(began.addingTimeInterval(0.5)), "the real cause")
        let restart = Self.line(Self.nanoseconds(began.addingTimeInterval(3)), "failed connecting to containerd")
        #expect(
            DaemonLogWindow.lines([cause, restart], failedIn: .inner, clock: clock, until: began.addingTimeInterval(1))
                == [cause])
        #expect(
            DaemonLogWindow.lines(
                [cause, restart], failedIn: .daemon, clock: clock, until: began.addingTimeInterval(1)) == [cause])
    }

    @Test(
        "times with nanoseconds and offsets parse",
        arguments: [
            ("2026-11-29T11:29:13.668571264Z", 0.668571264, 0.0),
            ("2026-11-29T11:29:13Z", 0, 1),
            ("2026-11-29T19:29:13+08:00", 0, 1),
            ("2026-11-29T19:29:13.5+08:00", 0.5, 0),
        ])
    func times(text: String, fraction: Double, width: Double) throws {
        let second = try #require(ISO8601DateFormatter().date(from: "2026-11-29T11:29:13Z"))
        let interval = try #require(DaemonLogWindow.interval(text))
        #expect(abs(interval.lowerBound.timeIntervalSince(second) - fraction) < 1e-6)
        #expect(abs(interval.upperBound.timeIntervalSince(interval.lowerBound) - width) < 1e-6)
    }

    @Test("what is not an RFC 3339 time gives no interval", arguments: ["0000", "yesterday", ""])
    func notTimes(text: String) {
        #expect(DaemonLogWindow.interval(text) == nil)
    }
}
