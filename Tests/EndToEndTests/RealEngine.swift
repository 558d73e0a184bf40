import DockerEngine
import Foundation
import Testing

/// The real engine end-to-end tests run against: the private dockerd that `scripts/test`
/// starts and names in DINDLAB_TEST_ENGINE. Without it the tests report "skipped" with
/// the reason, never a silent pass.
enum RealEngine {
    static let address: String? = {
        let value = ProcessInfo.processInfo.environment["DINDLAB_TEST_ENGINE"] ?? ""
        return value.isEmpty ? nil : value
    }()

    static let isAvailable = address != nil

    static let unavailableReason: Comment =
        "no real engine: DINDLAB_TEST_ENGINE is not set (scripts/test starts a private dockerd and sets it; see its output for why it could not)"

    /// A client of the test engine, optionally pinned to an API version.
    static func client(apiVersion: String? = nil, timeout: Duration = .seconds(60)) throws -> EngineClient {
        try EngineClient(explicitAddress: address, apiVersion: apiVersion, environment: [:], timeout: timeout)
    }

    /// Labels that mark everything a test creates, so it can be found and removed.
    static func labels(test: String) -> [String: String] {
        ["dindlab.test": test, "dindlab.owner": "\(ProcessInfo.processInfo.hostName):\(getpid())"]
    }
}

/// A tiny image imported once per test process: a root filesystem with busybox from the
/// busybox-static package.
actor TestImages {
    static let shared = TestImages()
    private var busybox: String?

    /// The reference of the busybox test image, importing it on first use.
    func busyboxImage() async throws -> String {
        if let busybox { return busybox }
        let reference = "dindlab-test/busybox:latest"
        let client = try RealEngine.client()
        if try await client.inspectImage(reference) == nil {
            let tar = try Self.makeBusyboxTar()
            defer { try? FileManager.default.removeItem(at: tar.deletingLastPathComponent()) }
            _ = try await client.importImage(
                tarFile: tar, repository: "dindlab-test/busybox", tag: "latest",
                changes: ["LABEL dindlab.test=busybox", "CMD [\"sh\"]"])
        }
        busybox = reference
        return reference
    }

    static func makeBusyboxTar() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-busybox-\(UUID().uuidString)")
        let root = folder.appendingPathComponent("rootfs")
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let busybox = ["/bin/busybox", "/usr/bin/busybox"].first { FileManager.default.fileExists(atPath: $0) }
        guard let busybox else {
            throw TestSetupError("busybox is not installed; apt-get install busybox-static")
        }
        try FileManager.default.copyItem(atPath: busybox, toPath: bin.appendingPathComponent("busybox").path)
        for applet in [
            "sh", "echo", "cat", "sleep", "ls", "tty", "test", "printf", "true", "false", "id", "ps", "yes", "head",
        ] {
            try FileManager.default.createSymbolicLink(
                atPath: bin.appendingPathComponent(applet).path, withDestinationPath: "busybox")
        }
        let tar = folder.appendingPathComponent("busybox.tar")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = ["--numeric-owner", "-C", root.path, "-cf", tar.path, "."]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError("tar failed with status \(process.terminationStatus)")
        }
        return tar
    }
}

/// Runs blocking work (a child process and its pipes) on a thread of its own. Tests run at once
/// on the cooperative pool, which has one thread per CPU: a test that waited for a child process
/// on it would hold up every other test for as long as the child runs, and a test that polls
/// (waiting for a run's first record before it sends SIGINT) would look too late.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension RealEngine {
    /// The outer image end-to-end trials use: built once per test run by scripts/test
    /// (`dindlab images build bookworm`) and named in DINDLAB_TEST_OUTER_IMAGE.
    static let outerImage: String? = {
        let value = ProcessInfo.processInfo.environment["DINDLAB_TEST_OUTER_IMAGE"] ?? ""
        return value.isEmpty ? nil : value
    }()

    static let canRunTrials = isAvailable && outerImage != nil

    static let noOuterImageReason: Comment =
        "no outer image: DINDLAB_TEST_ENGINE and DINDLAB_TEST_OUTER_IMAGE must be set (scripts/test builds dindlab/outer:bookworm and sets them)"
}
