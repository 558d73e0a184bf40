import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

@Suite("Image status for `images list`")
struct ImageStatusTests {
    @Test("built, outdated, foreign and missing images, as a table")
    func survey() async throws {
        let folder = try TemporaryFolder()
        let store = try InMemoryImageStore()
        func recipe(_ name: String, _ text: String) -> Recipe {
            Recipe(
                name: name, kind: .debootstrap(DebianBase(suite: .bookworm)),
                folder: folder.url.appendingPathComponent(name), fileSHA256: SHA256.hexDigest(of: Data(text.utf8)))
        }
        let current = recipe("bookworm", "v2")
        let edited = recipe("bullseye", "v2")
        let foreign = recipe("trixie", "v1")
        let missing = recipe("forky", "v1")
        let tar = folder.url.appendingPathComponent("empty.tar")
        _ = try await BuildCommandForTests.run(["tar", "-cf", tar.path, "-T", "/dev/null"])
        for (name, sha) in [
            ("bookworm", SHA256.hexDigest(of: Data("v2".utf8))), ("bullseye", SHA256.hexDigest(of: Data("v1".utf8))),
        ] {
            let labels = OuterImageLabels(
                dockerVersion: "20.10.24", daemonCommand: ["dockerd"], apiVersion: "1.41", recipeSHA256: sha,
                recipe: name, recipeKind: "debootstrap", buildKey: "k")
            _ = try await store.importImage(
                tarFile: tar, repository: "dindlab/outer", tag: name, changes: labels.importChanges(),
                timeout: .seconds(5))
        }
        _ = try await store.importImage(
            tarFile: tar, repository: "dindlab/outer", tag: "trixie", changes: [], timeout: .seconds(5))

        let statuses = try await OuterImageStatus.survey([current, edited, foreign, missing], on: store)
        #expect(statuses.map(\.state) == [.built, .outdated, .foreign, .missing])
        #expect(statuses[0].labels?.dockerVersion == "20.10.24")

        let lines = OuterImageStatus.table(statuses).split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("RECIPE    KIND         BUILT     IMAGE ID      DOCKER    DAEMON COMMAND"))
        #expect(lines[1].hasPrefix("bookworm  debootstrap  built     "))
        #expect(lines[1].hasSuffix("20.10.24  dockerd"))
        #expect(lines[4] == "forky     debootstrap  missing   -             -         -")
    }
}
