import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

@Suite("Image inner images and labels")
struct ImageInnerImagesTests {
    @Test("the busybox rootfs tarball holds busybox, one link per applet, and root's files")
    func busyboxTarball() async throws {
        let folder = try TemporaryFolder()
        let busybox = try folder.fakeDockerBinary(version: "0", name: "busybox")
        let tar = folder.url.appendingPathComponent("busybox.tar")
        try await BusyboxRootfs.writeTarball(busybox: busybox, to: tar, scratch: folder.url)

        let members = Set(try await RootfsTarball.members(of: tar))
        #expect(members.contains("./bin/busybox"))
        for applet in ["sh", "echo", "cat", "sleep", "ls"] {
            #expect(members.contains("./bin/\(applet)"), "missing applet \(applet)")
        }
        #expect(members.isSuperset(of: ["./etc/passwd", "./etc/group", "./tmp/", "./root/"]))
        // Nothing outside the rootfs, and no staging folder names leaked in.
        #expect(members.allSatisfy { $0.hasPrefix("./") && !$0.contains("busybox-rootfs") })

        // Verbose listing: links point at busybox, owners are root, the binary is executable.
        let listing = try await BuildCommandForTests.run(["tar", "--numeric-owner", "-tvf", tar.path])
        let shLine = try #require(listing.split(separator: "\n").first { $0.hasSuffix("./bin/sh -> busybox") })
        #expect(shLine.contains("0/0"))
        let binaryLine = try #require(listing.split(separator: "\n").first { $0.hasSuffix("./bin/busybox") })
        #expect(binaryLine.hasPrefix("-rwxr-xr-x 0/0"))
    }

    @Test("the same busybox gives the same tarball bytes")
    func reproducible() async throws {
        let folder = try TemporaryFolder()
        let busybox = try folder.fakeDockerBinary(version: "0", name: "busybox")
        let first = folder.url.appendingPathComponent("1.tar")
        let second = folder.url.appendingPathComponent("2.tar")
        try await BusyboxRootfs.writeTarball(busybox: busybox, to: first, scratch: folder.url)
        try await BusyboxRootfs.writeTarball(busybox: busybox, to: second, scratch: folder.url)
        #expect(try SHA256.hexDigest(ofFileAt: first) == SHA256.hexDigest(ofFileAt: second))
    }

    @Test("the index names busybox, its file and how to load it")
    func index() throws {
        let data = try InnerImageIndex.standard.encoded()
        let decoded = try JSONDecoder().decode(InnerImageIndex.self, from: data)
        #expect(decoded == InnerImageIndex.standard)
        let busybox = try #require(decoded.images.first { $0.name == "busybox" })
        #expect(busybox.file == "busybox.tar")
        #expect(busybox.load == "import")
    }

    @Test("labels round-trip through import changes, quoting what LABEL would expand")
    func labelChanges() throws {
        let labels = OuterImageLabels(
            dockerVersion: "1.9.1", daemonCommand: ["docker", "daemon", "--label", "a=\"$HOME\\x\""],
            apiVersion: "1.21",
            recipeSHA256: "ab", recipe: "1.9.1", recipeKind: "static-binary", buildKey: "cd")
        let changes = labels.importChanges()
        #expect(changes.last == #"CMD ["sleep","infinity"]"#)
        #expect(
            changes.contains(
                #"LABEL dindlab.daemon.command="[\"docker\",\"daemon\",\"--label\",\"a=\\\"\$HOME\\\\x\\\"\"]""#))
        let applied = InMemoryImageStore.labels(from: changes)
        #expect(applied == labels.dictionary)
        #expect(OuterImageLabels(labels: applied) == labels)
    }

    @Test("images without dindlab labels are not outer images")
    func foreignImage() {
        #expect(OuterImageLabels(labels: ["maintainer": "x"]) == nil)
        var labels = OuterImageLabels(
            dockerVersion: "1", daemonCommand: ["dockerd"], apiVersion: "1.41", recipeSHA256: "a", recipe: "r",
            recipeKind: "debootstrap", buildKey: "k"
        ).dictionary
        labels[OuterImageLabels.daemonCommandKey] = "dockerd"
        #expect(OuterImageLabels(labels: labels) == nil)
    }
}

/// Runs a tool and returns its output, for tests that inspect archives.
enum BuildCommandForTests {
    static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
