import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

@Suite("Image build keys")
struct ImageBuildKeyTests {
    private func recipe(_ text: String, kind: Recipe.Kind? = nil, folder: URL = URL(fileURLWithPath: "/nonexistent"))
        -> Recipe
    {
        Recipe(
            name: "r", kind: kind ?? .debootstrap(DebianBase(suite: .bookworm)), folder: folder,
            fileSHA256: SHA256.hexDigest(of: Data(text.utf8)))
    }

    @Test("the same recipe and inputs give the same key")
    func stable() {
        let a = BuildKey.compute(recipe: recipe("kind: debootstrap\nsuite: bookworm\n"))
        let b = BuildKey.compute(recipe: recipe("kind: debootstrap\nsuite: bookworm\n"))
        #expect(a == b)
        #expect(a.count == 64)
    }

    @Test("any changed input changes the key")
    func sensitive() {
        let text = "kind: static-binary\n"
        let base = DebianBase(suite: .bookworm)
        let binary = StaticBinary(url: nil, sha256: nil)
        let reference = BuildKey.compute(recipe: recipe(text, kind: .staticBinary(base, binary)), binarySHA256: "aa")
        let variants = [
            BuildKey.compute(
                recipe: recipe(text + "# edited\n", kind: .staticBinary(base, binary)), binarySHA256: "aa"),
            BuildKey.compute(recipe: recipe(text, kind: .staticBinary(base, binary)), binarySHA256: "bb"),
            BuildKey.compute(
                recipe: recipe(text, kind: .staticBinary(DebianBase(suite: .bullseye), binary)), binarySHA256: "aa"),
            BuildKey.compute(
                recipe: recipe(
                    text, kind: .staticBinary(DebianBase(suite: .bookworm, extraPackages: ["strace"]), binary)),
                binarySHA256: "aa"),
            BuildKey.compute(
                recipe: recipe(
                    text, kind: .staticBinary(DebianBase(suite: .bookworm, mirror: "http://127.0.0.1/debian"), binary)),
                binarySHA256: "aa"),
            BuildKey.compute(recipe: recipe(text, kind: .debootstrap(base))),
        ]
        #expect(!variants.contains(reference))
        #expect(Set(variants).count == variants.count)
    }

    @Test("package order and duplicates do not change the key")
    func packageOrder() {
        let a = recipe("x", kind: .debootstrap(DebianBase(suite: .trixie, extraPackages: ["strace", "curl"])))
        let b = recipe(
            "x", kind: .debootstrap(DebianBase(suite: .trixie, extraPackages: ["curl", "strace", "curl", "procps"])))
        #expect(a.rootfsPackages == b.rootfsPackages)
        #expect(BuildKey.compute(recipe: a) == BuildKey.compute(recipe: b))
    }

    @Test("default packages per kind and suite")
    func defaultPackages() {
        #expect(
            recipe("x", kind: .debootstrap(DebianBase(suite: .bookworm))).rootfsPackages
                == ["busybox-static", "docker.io", "iptables", "procps"])
        #expect(
            recipe("x", kind: .debootstrap(DebianBase(suite: .trixie))).rootfsPackages
                == ["busybox-static", "docker-cli", "docker.io", "iptables", "procps"])
        #expect(
            recipe("x", kind: .staticBinary(DebianBase(suite: .bookworm), StaticBinary(url: nil, sha256: nil)))
                .rootfsPackages
                == ["busybox-static", "git", "iptables", "procps", "xz-utils"])
        #expect(recipe("x", kind: .dockerfile(DockerfileSpec())).rootfsPackages == nil)
    }

    @Test("a context digest follows file contents, names and modes, not timestamps")
    func contextDigest() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("Dockerfile")
        try Data("FROM centos:7\n".utf8).write(to: file)
        let first = try BuildKey.contextDigest(of: folder.url)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: file.path)
        #expect(try BuildKey.contextDigest(of: folder.url) == first)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        let executable = try BuildKey.contextDigest(of: folder.url)
        #expect(executable != first)
        try Data("FROM centos:6\n".utf8).write(to: file)
        #expect(try BuildKey.contextDigest(of: folder.url) != executable)
    }
}
