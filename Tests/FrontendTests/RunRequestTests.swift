import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

@testable import dindlab

/// `dindlab run`'s options become a typed `RunRequest`; `--resume` reads the request the
/// manifest recorded, and for run folders of older versions parses their command line.
@Suite("Frontend: run options as a request, resume without re-parsing")
struct RunRequestTests {
    @Test("the options map onto the request's fields, enums parsed as enums")
    func request() throws {
        let command = try RunCommand.parse([
            "a.yaml", "b.yaml", "--repeat", "4", "--seed", "7", "--only", "inner.mode=ti", "--shard", "2/3",
            "--forensics", "always", "--strict", "--jobs", "2", "--engine", "x", "--out", "res",
        ])
        let request = try command.request()
        #expect(
            request
                == RunRequest(
                    scenarioFiles: ["a.yaml", "b.yaml"], repeatCount: 4, seed: 7,
                    only: [CellFilter(key: "inner.mode", value: "ti")],
                    shard: Plan.Shard(index: 2, count: 3), forensics: .always, strict: true, jobs: 2, engines: ["x"],
                    resultsRoot: "res"))
        #expect(try RunCommand.parse(["a.yaml"]).request() == RunRequest(scenarioFiles: ["a.yaml"]))
    }

    @Test(
        "--forensics takes the enum's values only",
        arguments: [("always", true), ("on-failure", true), ("sometimes", false), ("", false)])
    func forensics(value: String, valid: Bool) {
        for parse in [
            { _ = try RunCommand.parse(["a.yaml", "--forensics", value]) },
            { _ = try ReproCommand.parse(["a.yaml", "--forensics", value]) },
        ] {
            #expect((try? parse()) != nil || !valid)
            if !valid { #expect(throws: (any Error).self) { try parse() } }
        }
    }

    @Test("a request survives the manifest's JSON")
    func codable() throws {
        let request = RunRequest(
            scenarioFiles: ["s.yaml"], repeatCount: 2, seed: 5, only: [CellFilter(key: "k", value: "[a, b]")],
            shard: Plan.Shard(index: 1, count: 2), forensics: .always, strict: true, jobs: 3, engines: ["e=unix:///x"])
        var manifest = RunManifest(
            runID: try #require(RunID("20261129T112233Z-ab12")), startedAt: Date(timeIntervalSince1970: 0),
            commandLine: [])
        manifest.request = request
        let decoded = try JSONDecoder().decode(RunManifest.self, from: try JSONEncoder().encode(manifest))
        #expect(decoded.request == request)
    }

    @Test(
        "an older run folder's command line still resumes: parsed as `dindlab run` parses it, the new engines and jobs applied"
    )
    func legacy() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "frontend-legacy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try ResultStore(creatingIn: folder, runID: try #require(RunID("20261129T112233Z-ab12")))
        let manifest = RunManifest(
            runID: store.runID, startedAt: Date(),
            commandLine: [
                "/usr/bin/dindlab", "run", "s.yaml", "--repeat", "3", "--forensics", "always", "--jobs", "2",
            ], seed: 42)
        try await store.writeManifest(manifest)
        let point = try await ResumePoint.open(store.directory)
        #expect(RunRequest(scenarioFiles: []).resuming(point) == nil, "no request recorded")
        let request = try LegacyResume.request(
            from: point, overrides: RunRequest(scenarioFiles: [], jobs: 5, engines: ["new"]))
        #expect(
            request
                == RunRequest(
                    scenarioFiles: ["s.yaml"], repeatCount: 3, seed: 42, forensics: .always, jobs: 5, engines: ["new"]))

        var merged = manifest
        merged.commandLine = ["dindlab", "merge", "a", "b"]
        try await store.writeManifest(merged)
        let mergedPoint = try await ResumePoint.open(store.directory)
        let error = #expect(throws: LegacyResumeError.self) {
            try LegacyResume.request(from: mergedPoint, overrides: RunRequest(scenarioFiles: []))
        }
        #expect(
            error?.description
                == "\(store.directory.path) cannot be resumed: its manifest's command line (dindlab merge a b) is not a `dindlab run` command."
        )
    }
}

/// Enum options refuse other values in a sentence naming the option and its values.
@Suite("Frontend: enum options")
struct EnumOptionTests {
    @Test(
        "a value that is no case is refused in the house wording",
        arguments: [
            (["a.yaml", "--forensics", "sometimes"], "--forensics takes always or on-failure.")
        ])
    func refused(arguments: [String], message: String) {
        #expect(throws: (any Error).self) { try RunCommand.parse(arguments) }
        do {
            _ = try RunCommand.parse(arguments)
        } catch {
            #expect(RunCommand.message(for: error).contains(message), "\(RunCommand.message(for: error))")
        }
    }

    @Test("--cgroup-version takes 1, 2, v1 or v2", arguments: [("1", CgroupVersion.v1), ("v2", .v2), ("2", .v2)])
    func cgroupVersion(text: String, expected: CgroupVersion) throws {
        #expect(try CgroupVersion.option(text) == expected)
        #expect(throws: (any Error).self) { try CgroupVersion.option("3") }
    }
}
