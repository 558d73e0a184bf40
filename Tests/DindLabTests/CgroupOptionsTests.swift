import Foundation
import Testing

@testable import DindLab

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
