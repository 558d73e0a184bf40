import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

@Suite("Results: the run directory")
struct ResultsStoreTests {
    @Test("creates results/<run id>/ and refuses to reuse it")
    func createsOnce() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let results = root.url.appendingPathComponent("results")
        let store = try ResultStore(creatingIn: results, runID: ResultsFixtures.runID)
        #expect(store.directory.lastPathComponent == "20261129T112233Z-ab12")
        #expect(FileManager.default.fileExists(atPath: store.directory.path))
        let error = #expect(throws: ResultsError.self) {
            try ResultStore(creatingIn: results, runID: ResultsFixtures.runID)
        }
        #expect(error == .runExists(store.directory.path))
        #expect(error?.description.contains("never overwritten") == true)
    }

    @Test("a results folder that cannot be made names the folder that failed and why")
    func resultsFolderRefused() throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let file = root.url.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let below = file.appendingPathComponent("results")
        let inTheWay = #expect(throws: ResultsError.self) {
            try ResultStore(creatingIn: below, runID: ResultsFixtures.runID)
        }
        #expect(
            inTheWay?.description
                == "Could not create the directory \(below.path): \(file.path) is a file, not a folder.")
        let nested = root.url.appendingPathComponent("x/y/z")
        _ = try ResultStore(creatingIn: nested, runID: ResultsFixtures.runID)
        #expect(FileManager.default.fileExists(atPath: nested.appendingPathComponent("\(ResultsFixtures.runID)").path))
        // /proc takes no new folders: the system's own words.
        let refused = #expect(throws: ResultsError.self) {
            try ResultStore(
                creatingIn: URL(fileURLWithPath: "/proc/dindlab-nope/results"), runID: ResultsFixtures.runID)
        }
        #expect(
            refused?.description
                == "Could not create the directory /proc/dindlab-nope/results: creating /proc/dindlab-nope failed: No such file or directory."
        )
    }

    @Test("opens an existing run by its directory; other directories are refused")
    func opens() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let created = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        try await created.append(ResultsFixtures.record(1))
        let opened = try ResultStore(opening: created.directory)
        #expect(opened.runID == ResultsFixtures.runID)
        #expect(try await opened.readTrials().records.count == 1)
        #expect(throws: ResultsError.notARunDirectory(root.url.appendingPathComponent("nope").path)) {
            try ResultStore(opening: root.url.appendingPathComponent("nope"))
        }
    }

    @Test("the manifest is replaced atomically, leaving no temporary file")
    func manifestReplace() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        var manifest = RunManifest(
            runID: store.runID, startedAt: ResultsFixtures.start, commandLine: ["dindlab", "run"])
        try await store.writeManifest(manifest)
        let firstInode = try inode(of: store.manifestURL)
        #expect(try await store.readManifest().finishedAt == nil)

        manifest.finishedAt = ResultsFixtures.start.addingTimeInterval(90)
        try await store.writeManifest(manifest)
        #expect(try await store.readManifest() == manifest)
        // A rename put a new file in place rather than rewriting the old one in place.
        #expect(try inode(of: store.manifestURL) != firstInode)
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory.path)
        #expect(names == [ResultStore.manifestFileName])
    }

    @Test("records come back in the order they were appended")
    func appendAndRead() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        #expect(try await store.readTrials() == TrialLog(records: [], corruptLines: []))
        let records = (1...5).map {
            ResultsFixtures.record($0, outcome: $0 == 3 ? .fail : .pass, signature: $0 == 3 ? "inner: boom" : nil)
        }
        for record in records { try await store.append(record) }
        let log = try await store.readTrials()
        #expect(log.records == records)
        #expect(log.corruptLines.isEmpty)
        let text = try String(contentsOf: store.trialsURL, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 5 && text.hasSuffix("}\n"))
    }

    @Test("concurrent appends, through one store and through two, leave only whole lines")
    func concurrentAppends() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        // A second actor on the same directory writes in parallel, as another process would.
        let other = try ResultStore(opening: store.directory)
        let perWriter = 150
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 1...(2 * perWriter) {
                let writer = index.isMultiple(of: 2) ? store : other
                group.addTask {
                    var record = ResultsFixtures.record(index, outcome: .fail)
                    record.firstError = String(repeating: "x", count: 3_000 + index)  // lines of several KiB
                    try await writer.append(record)
                }
            }
            try await group.waitForAll()
        }
        let log = try await store.readTrials()
        #expect(log.corruptLines.isEmpty)
        #expect(log.records.count == 2 * perWriter)
        #expect(Set(log.records.map(\.trialID)) == Set((1...(2 * perWriter)).map { "t\($0)" }))
        #expect(log.records.allSatisfy { $0.firstError?.count == 3_000 + $0.sequence })
    }

    @Test("corrupt lines are reported with their numbers and skipped")
    func corruptLines() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        try await store.append(ResultsFixtures.record(1))
        try appendRaw("{\"trialID\": \"t2\", oops\n\n{\"trialID\":\"t3\"}\n", to: store.trialsURL)
        try await store.append(ResultsFixtures.record(4))
        let log = try await store.readTrials()
        #expect(log.records.map(\.trialID) == ["t1", "t4"])
        #expect(log.corruptLines.map(\.lineNumber) == [2, 3, 4])
        #expect(log.corruptLines[1].reason == "the line is empty")
        #expect(log.corruptLines[2].reason.contains("\"runID\" is missing"))
        #expect(log.corruptLines[0].excerpt == "{\"trialID\": \"t2\", oops")
        #expect(log.corruptLines[0].description.hasPrefix("trials.jsonl line 2 is not a trial record"))
    }

    @Test("a line cut short by a crash is reported, and the next record still starts on its own line")
    func truncatedLastLine() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        try await store.append(ResultsFixtures.record(1))
        let whole = try ResultsJSON.encoder().encode(ResultsFixtures.record(2))
        try appendRaw(String(decoding: whole.prefix(40), as: UTF8.self), to: store.trialsURL)

        var log = try await store.readTrials()
        #expect(log.records.map(\.trialID) == ["t1"])
        #expect(log.corruptLines.map(\.lineNumber) == [2])
        #expect(log.corruptLines[0].reason.hasPrefix("the last line is incomplete"))

        try await store.append(ResultsFixtures.record(3))
        log = try await store.readTrials()
        #expect(log.records.map(\.trialID) == ["t1", "t3"])
        #expect(log.corruptLines.map(\.lineNumber) == [2])
    }

    @Test("artifacts folders are created per trial; ids that are not names are refused")
    func artifacts() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        let folder = try await store.artifactsDirectory(for: "exec-vs-cmd-c1-007")
        #expect(folder.path == store.directory.appendingPathComponent("artifacts/exec-vs-cmd-c1-007").path)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try await store.artifactsDirectory(for: "exec-vs-cmd-c1-007") == folder)  // again: fine
        #expect(try ResultStore.artifactsPath(for: "t1") == "artifacts/t1")
        for bad in ["", "..", "../escape", "a/b"] {
            await #expect(throws: ResultsError.invalidName("trial id", bad)) {
                try await store.artifactsDirectory(for: bad)
            }
        }
    }

    @Test("summarize tallies trials.jsonl into summary.json, with the corrupt lines")
    func summarize() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        try await store.append(ResultsFixtures.record(1))
        try await store.append(ResultsFixtures.record(2, outcome: .fail, signature: "inner: boom"))
        try appendRaw("garbage\n", to: store.trialsURL)
        let expectation = try SuccessRateExpectation(parsing: ">= 0.95")
        let summary = try await store.summarize(expectations: ["exec-vs-cmd": expectation])
        #expect(try await store.readSummary() == summary)
        #expect(summary.scenarios.first?.cells.first?.passes == 1)
        #expect(summary.corruptLines.map(\.lineNumber) == [3])
        #expect(summary.violations.map(\.cellID) == ["c1"])
        #expect(summary.harnessVersion == Harness.version)
    }

    @Test("reading a manifest that is not there says which file")
    func missingManifest() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let store = try ResultStore(creatingIn: root.url, runID: ResultsFixtures.runID)
        let error = await #expect(throws: ResultsError.self) { try await store.readManifest() }
        #expect(error?.description == "Could not read \(store.manifestURL.path): the file does not exist.")
    }

    private func appendRaw(_ text: String, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    private func inode(of url: URL) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }
}
