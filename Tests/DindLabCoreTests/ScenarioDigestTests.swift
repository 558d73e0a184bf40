import Foundation
import Testing

@testable import DindLabCore

/// The manifest records the sha256 of the bytes a scenario was parsed from: the file is read
/// once, so a file changed between parsing and recording cannot give a digest of other bytes.
struct ScenarioDigestTests {
    static let first = "version: 1\nname: digest\nouter:\n  image: dindlab/outer:bookworm\n"
    static let second = "version: 1\nname: digest\nrepeat: 3\nouter:\n  image: dindlab/outer:bookworm\n"

    @Test(
        "a loaded scenario carries the digest of the bytes it was parsed from, the manifest records that one even after the file changed"
    )
    func digestOfParsedBytes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("digest.yaml")
        try Data(Self.first.utf8).write(to: file)
        let scenario = try ScenarioLoader.load(file: file.path)
        #expect(scenario.sourceSHA256 == SHA256.hexDigest(of: Array(Self.first.utf8)))

        try Data(Self.second.utf8).write(to: file)
        let files = RunManifest.ScenarioFile.files(of: try Plan(scenarios: [scenario], seed: 1))
        #expect(
            files == [
                RunManifest.ScenarioFile(
                    path: file.path, sha256: SHA256.hexDigest(of: Array(Self.first.utf8)), scenario: "digest")
            ])
        #expect(files.first?.sha256 != (try SHA256.hexDigest(ofFileAt: file)), "the file now holds other bytes")
    }

    @Test("scenarios built in code or from text record what they have", arguments: [true, false])
    func scenariosWithoutAFile(fromText: Bool) throws {
        let scenario =
            fromText
            ? try ScenarioLoader.load(yaml: Self.second, file: "text.yaml")
            : Scenario(name: "code", outer: Scenario.Outer(image: "dindlab/outer:bookworm"))
        let files = RunManifest.ScenarioFile.files(of: try Plan(scenarios: [scenario], seed: 1))
        if fromText {
            #expect(
                files == [
                    RunManifest.ScenarioFile(
                        path: "text.yaml", sha256: SHA256.hexDigest(of: Array(Self.second.utf8)), scenario: "digest")
                ])
        } else {
            #expect(files.isEmpty)
        }
    }
}
