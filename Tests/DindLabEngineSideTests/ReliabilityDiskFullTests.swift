import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// A full disk while results are written: a clear error, and the records written before it
/// intact (whole lines, nothing half-written). Needs root to mount a tiny tmpfs.
@Suite("Reliability: a full disk under the results", .serialized)
struct ReliabilityDiskFullTests {
    /// A tmpfs of `size` mounted on a fresh folder, or nil with the reason it could not be.
    final class TinyFilesystem: Sendable {
        let url: URL

        init(size: String) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-tinyfs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let status = Self.command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", url.path])
            guard status == 0 else {
                try? FileManager.default.removeItem(at: url)
                throw TestWaitError(description: "mount -t tmpfs failed with status \(status)")
            }
        }

        /// Fills the filesystem to the last byte with a file of zeros.
        func fill() {
            let fd = open(url.appendingPathComponent("filler").path, O_WRONLY | O_CREAT, 0o644)
            defer { close(fd) }
            let block = [UInt8](repeating: 0, count: 4096)
            while block.withUnsafeBytes({ write(fd, $0.baseAddress!, $0.count) }) > 0 {}
            let byte: [UInt8] = [0]
            while byte.withUnsafeBytes({ write(fd, $0.baseAddress!, 1) }) > 0 {}
        }

        func remove() {
            _ = Self.command("/bin/umount", [url.path])
            try? FileManager.default.removeItem(at: url)
        }

        static func command(_ path: String, _ arguments: [String]) -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return -1 }
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// Whether tmpfs mounts work here (root, and a mount namespace that allows them).
        static let available: Bool = {
            guard getuid() == 0, let probe = try? TinyFilesystem(size: "64k") else { return false }
            probe.remove()
            return true
        }()
    }

    @Test(
        "a record that does not fit is cut back out: earlier lines stay whole, the error names the file and the reason",
        .enabled(if: TinyFilesystem.available, "mounting a tmpfs needs root (and mount rights in this namespace)"))
    func appendOnFullDisk() async throws {
        let disk = try TinyFilesystem(size: "64k")
        defer { disk.remove() }
        let file = disk.url.appendingPathComponent("trials.jsonl")
        try ResultFiles.appendLine(Data("{\"first\":1}".utf8), to: file)
        disk.fill()
        // Far more than the rest of the file's last page: the write goes part of the way, then fails.
        let big = Data("{\"big\":\"\(String(repeating: "x", count: 20_000))\"}".utf8)
        let error = #expect(throws: ResultsError.self) { try ResultFiles.appendLine(big, to: file) }
        #expect(error?.description.contains(file.path) == true)
        #expect(error?.description.contains("No space left on device") == true, "\(error?.description ?? "")")
        #expect(try String(contentsOf: file, encoding: .utf8) == "{\"first\":1}\n")
    }

    @Test(
        "the runner stops at a full disk with a clear error; the records before it are intact",
        .enabled(if: TinyFilesystem.available, "mounting a tmpfs needs root (and mount rights in this namespace)"))
    func runnerOnFullDisk() async throws {
        let disk = try TinyFilesystem(size: "64k")
        defer { disk.remove() }
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let file = try fake.scenarioFile(repeatCount: 12)
            let hook = TrialHook(onTrial: { _, done in if done == 1 { disk.fill() } })
            let error = await #expect(throws: ResultsError.self) {
                try await fake.run(try fake.plan(file), file: file, resultsRoot: disk.url, observer: hook)
            }
            #expect(
                error?.description.contains("trials.jsonl") == true
                    && error?.description.contains("No space left on device") == true, "\(error?.description ?? "")")
            let runs = try FileManager.default.contentsOfDirectory(atPath: disk.url.path).filter { $0 != "filler" }
            let run = disk.url.appendingPathComponent(try #require(runs.first))
            let log = try await ResultStore(opening: run).readTrials()
            #expect(log.corruptLines.isEmpty, "\(log.corruptLines)")
            #expect(log.records.count >= 1 && log.records.count < 12)
            #expect(log.records.allSatisfy { $0.outcome == .pass })
        }
    }
}
