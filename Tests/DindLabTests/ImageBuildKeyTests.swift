import DindLab
import Foundation
import Testing

@Suite("Image build keys and digests")
struct ImageBuildKeyTests {
    @Test("SHA-256 matches the FIPS 180-4 examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownDigests(text: String, digest: String) {
        #expect(SHA256.hex(of: text) == digest)
    }

    @Test("SHA-256 of a million 'a's, fed in uneven pieces, and of a file")
    func longInput() throws {
        var digest = SHA256()
        var remaining = 1_000_000
        var piece = 1
        while remaining > 0 {
            let count = min(piece, remaining)
            digest.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            remaining -= count
            piece = piece * 3 % 1001 + 1
        }
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(digest.finalizeHex() == expected)

        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("a")
        try Data(repeating: UInt8(ascii: "a"), count: 1_000_000).write(to: file)
        #expect(try SHA256.hex(ofFile: file) == expected)
    }

    private func recipe(_ text: String, kind: Recipe.Kind? = nil, folder: URL = URL(fileURLWithPath: "/nonexistent")) -> Recipe {
        Recipe(
            name: "r", kind: kind ?? .debootstrap(DebianBase(suite: .bookworm)), folder: folder,
            fileSHA256: SHA256.hex(of: text))
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
            BuildKey.compute(recipe: recipe(text + "# edited\n", kind: .staticBinary(base, binary)), binarySHA256: "aa"),
            BuildKey.compute(recipe: recipe(text, kind: .staticBinary(base, binary)), binarySHA256: "bb"),
            BuildKey.compute(recipe: recipe(text, kind: .staticBinary(DebianBase(suite: .bullseye), binary)), binarySHA256: "aa"),
            BuildKey.compute(recipe: recipe(text, kind: .staticBinary(DebianBase(suite: .bookworm, extraPackages: ["strace"]), binary)), binarySHA256: "aa"),
            BuildKey.compute(recipe: recipe(text, kind: .staticBinary(DebianBase(suite: .bookworm, mirror: "http://127.0.0.1/debian"), binary)), binarySHA256: "aa"),
            BuildKey.compute(recipe: recipe(text, kind: .debootstrap(base))),
        ]
        #expect(!variants.contains(reference))
        #expect(Set(variants).count == variants.count)
    }

    @Test("package order and duplicates do not change the key")
    func packageOrder() {
        let a = recipe("x", kind: .debootstrap(DebianBase(suite: .trixie, extraPackages: ["strace", "curl"])))
        let b = recipe("x", kind: .debootstrap(DebianBase(suite: .trixie, extraPackages: ["curl", "strace", "curl", "procps"])))
        #expect(a.rootfsPackages == b.rootfsPackages)
        #expect(BuildKey.compute(recipe: a) == BuildKey.compute(recipe: b))
    }

    @Test("default packages per kind and suite")
    func defaultPackages() {
        #expect(recipe("x", kind: .debootstrap(DebianBase(suite: .bookworm))).rootfsPackages
            == ["busybox-static", "docker.io", "iptables", "procps"])
        #expect(recipe("x", kind: .debootstrap(DebianBase(suite: .trixie))).rootfsPackages
            == ["busybox-static", "docker-cli", "docker.io", "iptables", "procps"])
        #expect(recipe("x", kind: .staticBinary(DebianBase(suite: .bookworm), StaticBinary(url: nil, sha256: nil))).rootfsPackages
            == ["busybox-static", "git", "iptables", "procps", "xz-utils"])
        #expect(recipe("x", kind: .dockerfile(DockerfileSpec())).rootfsPackages == nil)
    }

    @Test("a context digest follows file contents, names and modes, not timestamps")
    func contextDigest() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("Dockerfile")
        try Data("FROM centos:7\n".utf8).write(to: file)
        let first = try BuildKey.contextDigest(of: folder.url)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: file.path)
        #expect(try BuildKey.contextDigest(of: folder.url) == first)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        let executable = try BuildKey.contextDigest(of: folder.url)
        #expect(executable != first)
        try Data("FROM centos:6\n".utf8).write(to: file)
        #expect(try BuildKey.contextDigest(of: folder.url) != executable)
    }
}
