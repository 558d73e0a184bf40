import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

@Suite("Scenario: the outer container's cgroup options")
struct CgroupOptionsTests {
    private static func load(_ body: String) throws(YAMLErrors) -> Scenario {
        try ScenarioLoader.load(
            yaml: "version: 1\nname: c\nouter:\n  image: x\n" + body, file: "c.yaml")
    }

    @Test(
        "outer.cgroups takes bind, none, engine and private", arguments: Scenario.Outer.Cgroups.allCases
    )
    func values(cgroups: Scenario.Outer.Cgroups) throws {
        #expect(try Self.load("  cgroups: \(cgroups.rawValue)\n").outer.cgroups == cgroups)
    }

    @Test("a misspelt value lists the four")
    func misspelt() {
        let error = #expect(throws: YAMLErrors.self) { try Self.load("  cgroups: privat\n") }
        #expect(
            error?.description.contains(
                "c.yaml:5:12: outer.cgroups: expected one of bind, none, engine, private") == true,
            "\(String(describing: error))")
    }

    /// (YAML after `image: x`, the line of the error, text the error contains)
    @Test(
        "private needs a privileged outer container, in the file and in every matrix combination",
        arguments: [
            (
                "  cgroups: private\n  privileged: false\n", 5,
                "outer.cgroups: private cannot go with outer.privileged: false"
            ),
            (
                "  privileged: false\nmatrix:\n  outer.cgroups: [bind, private]\n", 7,
                "matrix.outer.cgroups[1]: private cannot go with outer.privileged: false"
            ),
            (
                "  cgroups: private\nmatrix:\n  outer.privileged: [true, false]\n", 5,
                "with outer.privileged: false"
            ),
        ])
    func privateNeedsPrivileged(body: String, line: Int, text: String) {
        let error = #expect(throws: YAMLErrors.self) { try Self.load(body) }
        let description = error?.description ?? ""
        #expect(description.contains("c.yaml:\(line):"), "\(description)")
        #expect(description.contains(text), "\(description)")
        #expect(description.contains("privileged: true"), "the error says what to do: \(description)")
    }

    @Test("private with a privileged container, and engine unprivileged, load")
    func validCombinations() throws {
        #expect(try Self.load("  cgroups: private\n").cells().count == 1)
        #expect(try Self.load("  cgroups: engine\n  privileged: false\n").outer.cgroups == .engine)
        #expect(
            try Self.load("matrix:\n  outer.cgroups: [bind, none, engine, private]\n").cells().count == 4)
    }

    @Test(
        "the remount snippet is valid sh, tells v2 from v1 itself, and never exits the shell it runs in"
    )
    func remountSnippet() throws {
        let script = OuterScripts.cgroupRemount
        #expect(script.contains("stat -fc %T /sys/fs/cgroup"))
        #expect(script.contains("cgroup2fs"))
        #expect(script.contains("remount,rw,bind"))
        #expect(!script.contains("exit"))
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/bin/sh")
        check.arguments = ["-n", "-c", script]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }

    @Test("with start: cmd the remount runs first, as setup line 0, before the user's lines")
    func remountFirst() throws {
        let command = OuterScripts.commandStart(
            setup: ["echo one"], daemon: ["dockerd"], prelude: OuterScripts.cgroupRemount)
        let script = try #require(command.last)
        let remount = try #require(script.range(of: "setup.0.out"))
        let first = try #require(script.range(of: "setup.1.out"))
        #expect(remount.lowerBound < first.lowerBound)
        #expect(script.contains("echo 0 >/dindlab/run/setup.failed"))
        #expect(
            !OuterScripts.commandStart(setup: ["echo one"], daemon: ["dockerd"]).last!.contains(
                "setup.0."))
    }
}

@Suite("Scenario: cgroup parent, tmpfs, divergence and placement options")
struct CgroupDivergenceOptionsTests {
    private static func load(_ body: String) throws(YAMLErrors) -> Scenario {
        try ScenarioLoader.load(yaml: "version: 1\nname: c\nouter:\n  image: x\n" + body, file: "c.yaml")
    }

    @Test(
        "daemon.cgroup-divergence takes none, one hierarchy or a list",
        arguments: [
            ("none", [String]()),
            ("name=systemd", ["name=systemd"]),
            ("[name=systemd, cpu]", ["name=systemd", "cpu"]),
            ("[unified]", ["unified"]),
        ])
    func divergence(text: String, hierarchies: [String]) throws {
        let scenario = try Self.load("daemon:\n  cgroup-divergence: \(text)\n")
        #expect(scenario.daemon.cgroupDivergence?.hierarchies == hierarchies)
    }

    @Test("a matrix over divergences gives one cell each, named by the text form")
    func divergenceMatrix() throws {
        let cells = try Self.load("matrix:\n  daemon.cgroup-divergence: [none, name=systemd, [name=systemd, cpu]]\n")
            .cells()
        #expect(
            cells.map(\.id) == [
                "daemon.cgroup-divergence=none", "daemon.cgroup-divergence=name=systemd",
                "daemon.cgroup-divergence=name=systemd cpu",
            ])
        #expect(cells.map { $0.scenario.daemon.cgroupDivergence?.isNone } == [true, false, false])
    }

    @Test(
        "a bad divergence is refused at its line with what a hierarchy is",
        arguments: [
            ("name=", "name= and a name"),
            ("[none, cpu]", "none stands alone"),
            ("[cpu, cpu]", "listed twice"),
            ("sys/fs", "v1 controller"),
        ])
    func badDivergence(text: String, message: String) {
        let error = #expect(throws: YAMLErrors.self) { try Self.load("daemon:\n  cgroup-divergence: \(text)\n") }
        #expect(error?.description.contains("c.yaml:6:") == true, "\(String(describing: error))")
        #expect(error?.description.contains("daemon.cgroup-divergence") == true, "\(String(describing: error))")
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test(
        "outer.cgroup-parent takes an absolute path or a slice",
        arguments: [
            ("/f2.slice", true), ("f2.slice", true), ("/ci/dind", true), ("f2", false), ("/a/../b", false),
            ("/", false), ("\"/a b\"", false), ("/a//b", false),
        ])
    func cgroupParent(text: String, valid: Bool) throws {
        if valid {
            #expect(try Self.load("  cgroup-parent: \(text)\n").outer.cgroupParent == text)
        } else {
            let error = #expect(throws: YAMLErrors.self) { try Self.load("  cgroup-parent: \(text)\n") }
            #expect(
                error?.description.contains("c.yaml:5:") == true
                    && error?.description.contains("outer.cgroup-parent: expected a cgroup parent") == true,
                "\(String(describing: error))")
        }
    }

    /// (YAML after `image: x`, the line of the error, text the error contains)
    @Test(
        "outer.cgroup-tmpfs only with the engine's mounts, and only privileged",
        arguments: [
            ("  cgroup-tmpfs: writable\n", 5, "outer.cgroup-tmpfs: writable cannot go with outer.cgroups: bind"),
            ("  cgroups: none\n  cgroup-tmpfs: read-only\n", 6, "cannot go with outer.cgroups: none"),
            (
                "  cgroup-tmpfs: read-only\nmatrix:\n  outer.cgroups: [private, bind]\n", 5,
                "outer.cgroup-tmpfs: read-only cannot go with outer.cgroups: bind"
            ),
            (
                "  cgroups: engine\n  privileged: false\n  cgroup-tmpfs: writable\n", 7,
                "cannot go with outer.privileged: false"
            ),
        ])
    func tmpfsRules(body: String, line: Int, text: String) {
        let error = #expect(throws: YAMLErrors.self) { try Self.load(body) }
        let description = error?.description ?? ""
        #expect(description.contains("c.yaml:\(line):"), "\(description)")
        #expect(description.contains(text), "\(description)")
    }

    @Test("the exec-cgroup-divergence scenario's options load, 16 cells")
    func combinations() throws {
        let scenario = try Self.load(
            "  cgroups: private\n  cgroup-parent: /f2.slice\ninner:\n  check-placement: true\nmatrix:\n  daemon.start: [cmd, exec]\n  daemon.cgroup-divergence: [none, name=systemd]\n  daemon.cgroup-parent: [default, relative]\n  outer.cgroup-tmpfs: [read-only, writable]\n"
        )
        #expect(scenario.cells().count == 16)
        #expect(scenario.inner.checkPlacement == true)
        #expect(scenario.daemon.cgroupParent == nil && scenario.outer.cgroupTmpfs == nil)
    }

    /// (image's Docker version, cgroup parent, expected extra flags)
    @Test(
        "relative adds --cgroup-parent docker where the daemon has the flag; older daemons are relative already",
        arguments: [
            ("20.10.24", Scenario.Daemon.InnerCgroupParent.relative, ["--cgroup-parent", "docker"]),
            ("20.10.24", .default, []),
            ("1.10.3", .relative, ["--cgroup-parent", "docker"]),
            ("1.9.1", .relative, []),
            ("1.8.3", .default, []),
        ])
    func innerCgroupParent(version: String, parent: Scenario.Daemon.InnerCgroupParent, flags: [String]) {
        let command = InnerDaemonCommand.make(
            scenarioCommand: ["dockerd"], imageLabels: ["dindlab.docker.version": version], cgroupParent: parent)
        #expect(Array(command.dropFirst().prefix(flags.count)) == flags)
        #expect(command.contains("--cgroup-parent") == !flags.isEmpty)
        let own = InnerDaemonCommand.make(
            scenarioCommand: ["dockerd", "--cgroup-parent=/x"], imageLabels: ["dindlab.docker.version": version],
            cgroupParent: parent)
        #expect(own.filter { $0.hasPrefix("--cgroup-parent") } == ["--cgroup-parent=/x"], "a flag the user set wins")
    }
}

@Suite("Inner placement: a pass whose container has no cgroup of its own")
struct InnerPlacementTests {
    static let proc1 =
        "9:name=systemd:/f2.slice/abc\n8:pids:/f2.slice/abc\n1:cpu,cpuacct:/f2.slice/abc\n0::/f2.slice/abc"
    static let daemonDiverged =
        "9:name=systemd:/f2.slice/docker.service\n8:pids:/f2.slice/abc\n1:cpu,cpuacct:/f2.slice/abc\n0::/f2.slice/abc"

    /// (PID 1's lines, the daemon's, the inner container's, misplaced hierarchies, undecided)
    @Test(
        "hierarchy by hierarchy, not by line count",
        arguments: [
            // runc made /sys/fs/cgroup/docker.service/docker/<id> a plain directory: in name=systemd
            // the container stayed in its daemon's cgroup, outside PID 1's.
            (
                proc1, daemonDiverged,
                "9:name=systemd:/f2.slice/docker.service\n8:pids:/f2.slice/abc/docker/c1\n1:cpu,cpuacct:/f2.slice/abc/docker/c1\n0::/f2.slice/abc",
                ["name=systemd"], false
            ),
            // In a cgroup of its own everywhere (the unified line of a hybrid host is not runc's).
            (
                "8:pids:/f2.slice/abc\n0::/f2.slice/abc", "8:pids:/f2.slice/abc\n0::/f2.slice/abc",
                "8:pids:/f2.slice/abc/docker/c1\n0::/f2.slice/abc", [], false
            ),
            // Beside the daemon (cgroups: bind puts inner containers at the host's /docker/<id>).
            ("8:pids:/docker/outer", "8:pids:/docker/outer", "8:pids:/docker/inner", [], false),
            // Above a daemon that is outside PID 1's cgroup: misplaced too.
            ("8:pids:/docker/outer", "8:pids:/docker/x", "8:pids:/", ["pids"], false),
            // A hierarchy the runtime does not manage (Docker 1.8: pids, name=systemd), the daemon in
            // PID 1's cgroup: normal.
            ("8:pids:/a\n9:name=systemd:/a", "8:pids:/a\n9:name=systemd:/a", "8:pids:/a\n9:name=systemd:/a", [], false),
            // A systemd in some container added hierarchies the daemon's file lacks: not compared.
            ("8:pids:/a", "8:pids:/a", "8:pids:/a/docker/c\n12:perf_event:/\n13:net_cls,net_prio:/", [], false),
            // cgroup v2 only, the container in its own namespace: cannot tell.
            ("0::/f2.slice/abc", "0::/f2.slice/abc", "0::/", [], true),
        ])
    func placement(proc1: String, daemon: String, inner: String, misplaced: [String], undecided: Bool) {
        let placement = InnerPlacement(proc1: proc1, daemon: daemon, inner: inner)
        #expect(placement.misplacements.map(\.hierarchy) == misplaced)
        #expect((placement.undecided != nil) == undecided)
        #expect(placement.isMisplaced == !misplaced.isEmpty)
        if let first = misplaced.first {
            #expect(placement.signature.hasPrefix("misplaced (passed): ") && placement.signature.contains(first))
        }
    }
}
