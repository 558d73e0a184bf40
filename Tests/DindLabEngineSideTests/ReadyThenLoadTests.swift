import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

@Suite("Readiness and the inner image load in one exec")
struct ReadyThenLoadTests {
    @Test("the ready marker gives the instant the daemon answered and leaves the rest of the output")
    func marker() throws {
        let output = "noise\n\(OuterScripts.readyMarker)1795000000250000000\nimport said this\n"
        let (instant, rest) = OuterScripts.readyInstant(in: output)
        #expect(try #require(instant).timeIntervalSince1970 == 1_795_000_000.25)
        #expect(rest == "noise\nimport said this\n")
        // A `date` without %N prints a letter: no instant, and the line still goes.
        let (none, left) = OuterScripts.readyInstant(in: "\(OuterScripts.readyMarker)1795000000N\n")
        #expect(none == nil && left == "")
    }

    @Test("the script runs the load only after the daemon answered, and tells its failure apart")
    func script() throws {
        let script = try #require(
            OuterScripts.waitReady(
                timeoutSeconds: 5, then: OuterScripts.loadInnerImageLines("busybox", checkFirst: false)
            ).last)
        let ready = try #require(script.range(of: "docker version"))
        let load = try #require(script.range(of: "docker import - 'busybox:latest' <'/dindlab/images/busybox.tar'"))
        #expect(ready.upperBound < load.lowerBound)
        #expect(script.contains("*) exit \(OuterScripts.ReadyStatus.thenFailed.rawValue)"))
        #expect(
            script.contains(
                "\(OuterScripts.ReadyStatus.innerImageNotShipped.rawValue)) exit \(OuterScripts.ReadyStatus.innerImageNotShipped.rawValue)"
            ))
        #expect(!script.contains("docker inspect"))
        #expect(
            OuterScripts.loadInnerImageLines("busybox", checkFirst: true).first?.contains(
                "docker inspect 'busybox:latest'") == true)
        #expect(OuterScripts.waitReady(timeoutSeconds: 5).last?.contains(OuterScripts.readyMarker) == false)
    }

    @Test("a phase entered at an instant measured inside the container takes the time since then")
    func clockSplit() throws {
        var clock = PhaseClock()
        clock.enter(.daemon)
        Thread.sleep(forTimeInterval: 0.2)
        let readyAt = Date().addingTimeInterval(-0.05)
        clock.enter(.prepare, since: readyAt)
        let daemon = try #require(clock.durations[.daemon])
        let prepare = try #require(clock.durations[.prepare])
        // The daemon phase gave the 50 ms since `readyAt` to prepare, and the sum is kept.
        #expect(prepare >= 0.05)
        #expect(daemon >= 0.15 - 1e-3)
        // The phase is dated at the instant, for the daemon log window.
        #expect(abs(clock.began[.prepare]!.timeIntervalSince(readyAt)) < 0.5)
        // An instant before the phase began moves no more than the phase's own time.
        clock.enter(.inner, since: Date.distantPast)
        #expect((clock.durations[.prepare] ?? -1) >= 0)
    }

    /// A stand-in `docker` CLI for the import step. `1.7` behaves as Docker 1.7.1's CLI does:
    /// `docker import PATH` takes PATH for a URL and fails with the real message; `-` reads
    /// the tarball from standard input. `modern` accepts both.
    static func fakeDockerCLI(era: String) -> String {
        """
        #!/bin/sh
        [ "$1" = import ] || exit 0
        if [ "$2" = - ]; then cat >"$FAKE_DOCKER_OUT/stdin"; echo "$3" >"$FAKE_DOCKER_OUT/reference"; exit 0; fi
        if [ \(era) = 1.7 ]; then
          escaped=$(printf %s "$2" | sed 's|/|%2F|g')
          echo "Error response from daemon: parse \\"http://$escaped\\": invalid URL escape \\"%2F\\"" >&2; exit 1
        fi
        cat "$2" >"$FAKE_DOCKER_OUT/stdin"; echo "$3" >"$FAKE_DOCKER_OUT/reference"
        """
    }

    @Test(
        "the load imports the inner image with the CLI of every era, Docker 1.7's included",
        arguments: ["1.7", "modern"])
    func loadWithEachEraCLI(era: String) async throws {
        let folder = try TemporaryFolder()
        let bin = folder.url.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try EngineTestHost.writeExecutable(Self.fakeDockerCLI(era: era), to: bin.appendingPathComponent("docker").path)
        try Data("rootfs bytes".utf8).write(to: folder.url.appendingPathComponent("busybox.tar"))
        let (status, stderr) = try Self.load("busybox", in: folder.url, bin: bin)
        #expect(status == 0, "the load failed: \(stderr)")
        #expect(try String(contentsOf: folder.url.appendingPathComponent("stdin"), encoding: .utf8) == "rootfs bytes")
        #expect(
            try String(contentsOf: folder.url.appendingPathComponent("reference"), encoding: .utf8)
                == "busybox:latest\n")
    }

    @Test(
        "the file an inner image is shipped under; Docker Hub's long forms name the short one",
        arguments: [
            ("busybox", "busybox"), ("busybox:latest", "busybox"), ("docker.io/library/busybox", "busybox"),
            ("library/busybox:latest", "busybox"), ("index.docker.io/library/busybox", "busybox"),
            ("busybox:1.36", "busybox_1.36"), ("example.org/team/tool:2", "example.org_team_tool_2"),
            ("docker.io/team/tool", "team_tool"),
        ])
    func fileName(image: String, file: String) {
        #expect(OuterScripts.imageFileName(image) == file)
    }

    @Test("an inner image the outer image does not ship: its own status, and a sentence naming what is there")
    func notShipped() throws {
        let folder = try TemporaryFolder()
        try Data("rootfs bytes".utf8).write(to: folder.url.appendingPathComponent("busybox.tar"))
        let (status, stderr) = try Self.load("alpine:3.19", in: folder.url, bin: folder.url)
        #expect(status == OuterScripts.ReadyStatus.innerImageNotShipped.rawValue)
        #expect(
            stderr
                == OuterScripts.innerImageNotShipped("alpine:3.19", holds: "busybox.tar").replacingOccurrences(
                    of: "/dindlab/images", with: folder.url.path) + "\n")
        #expect(stderr.contains("alpine_3.19.tar for the inner image alpine:3.19"))
    }

    /// Runs the load lines of `image` with the outer image's /dindlab/images moved to `folder`
    /// and `bin` first in PATH.
    ///
    /// - Returns: The exit status and the standard error.
    static func load(_ image: String, in folder: URL, bin: URL) throws -> (Int32, String) {
        let script = OuterScripts.loadInnerImageLines(image, checkFirst: false).joined(separator: "\n")
            .replacingOccurrences(of: "/dindlab/images", with: folder.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.environment = ["PATH": "\(bin.path):/usr/bin:/bin", "FAKE_DOCKER_OUT": folder.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }
}
