import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

@Suite("Image root filesystem tarballs")
struct ImageRootfsTarballTests {
    @Test("base plus overlay names every path once, the overlay's file replacing the base's")
    func overlayWithoutDuplicates() async throws {
        let folder = try TemporaryFolder()
        let base = folder.url.appendingPathComponent("base")
        let overlay = folder.url.appendingPathComponent("overlay")
        let fileManager = FileManager.default
        for path in ["usr/local/bin", "etc", "var/lib"] {
            try fileManager.createDirectory(at: base.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        try fileManager.createSymbolicLink(
            atPath: base.appendingPathComponent("bin").path, withDestinationPath: "usr/bin")
        try Data("base\n".utf8).write(to: base.appendingPathComponent("etc/motd"))
        try Data("kept\n".utf8).write(to: base.appendingPathComponent("etc/hostname"))
        for path in ["usr/local/bin", "etc", "dindlab/images"] {
            try fileManager.createDirectory(at: overlay.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        try Data("overlay\n".utf8).write(to: overlay.appendingPathComponent("etc/motd"))
        try Data("#!/bin/sh\n".utf8).write(to: overlay.appendingPathComponent("usr/local/bin/docker"))
        try Data("{}".utf8).write(to: overlay.appendingPathComponent("dindlab/images/index.json"))

        let tar = folder.url.appendingPathComponent("rootfs.tar")
        try await RootfsTarball.write(base: base, overlay: overlay, to: tar)

        let members = try await RootfsTarball.members(of: tar).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        #expect(members.count == Set(members).count, "duplicates: \(members)")
        #expect(
            Set(members).isSuperset(of: [
                ".", "./bin", "./etc/motd", "./etc/hostname", "./usr/local/bin/docker", "./dindlab", "./dindlab/images",
                "./dindlab/images/index.json",
            ]))

        let extracted = folder.url.appendingPathComponent("extracted")
        try fileManager.createDirectory(at: extracted, withIntermediateDirectories: true)
        _ = try await BuildCommandForTests.run(["tar", "-xf", tar.path, "-C", extracted.path])
        #expect(try String(contentsOf: extracted.appendingPathComponent("etc/motd"), encoding: .utf8) == "overlay\n")
        #expect(try String(contentsOf: extracted.appendingPathComponent("etc/hostname"), encoding: .utf8) == "kept\n")
        #expect(
            try fileManager.destinationOfSymbolicLink(atPath: extracted.appendingPathComponent("bin").path) == "usr/bin"
        )
        // The base tree is shared through the cache and must not change.
        #expect(try String(contentsOf: base.appendingPathComponent("etc/motd"), encoding: .utf8) == "base\n")
    }

    @Test("an overlay folder over a base symlink is refused")
    func overlayOverSymlink() async throws {
        let folder = try TemporaryFolder()
        let base = folder.url.appendingPathComponent("base")
        let overlay = folder.url.appendingPathComponent("overlay")
        try FileManager.default.createDirectory(
            at: base.appendingPathComponent("usr/bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: base.appendingPathComponent("bin").path, withDestinationPath: "usr/bin")
        try FileManager.default.createDirectory(
            at: overlay.appendingPathComponent("bin"), withIntermediateDirectories: true)
        let error = try await #require(throws: ImageBuildError.self) {
            try await RootfsTarball.write(base: base, overlay: overlay, to: folder.url.appendingPathComponent("x.tar"))
        }
        #expect(error.description.contains("/bin"))
    }
}
