import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

@Suite("Results: SHA-256")
struct ResultsSHA256Tests {
    /// NIST FIPS 180-4 examples and vectors cross-checked with Python's hashlib.
    @Test(
        "matches the reference digests",
        arguments: [
            (Array(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (Array("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                Array("The quick brown fox jumps over the lazy dog"),
                "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
            ),
            (
                Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func referenceDigests(text: [Character], digest: String) {
        #expect(SHA256.hexDigest(of: Array(String(text).utf8)) == digest)
    }

    @Test("a million a's (the long NIST vector)")
    func millionA() {
        #expect(
            SHA256.hexDigest(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("feeding in uneven pieces gives the one-shot digest", arguments: [1, 7, 55, 56, 63, 64, 65, 200])
    func incremental(pieceSize: Int) {
        let bytes = (0..<768).map { UInt8($0 % 256) }
        var hasher = SHA256()
        for start in stride(from: 0, to: bytes.count, by: pieceSize) {
            hasher.update(bytes[start..<min(start + pieceSize, bytes.count)])
        }
        let expected = "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363"
        #expect(hasher.finalize() == SHA256.hash(bytes))
        #expect(SHA256.hexDigest(of: bytes) == expected)
    }

    @Test("digests a file, and says which file it could not read")
    func fileDigest() throws {
        let directory = try ResultsFixtures.TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("exec-vs-cmd.yaml")
        try Data("name: exec-vs-cmd\n".utf8).write(to: file)
        #expect(try SHA256.hexDigest(ofFileAt: file) == SHA256.hexDigest(of: Data("name: exec-vs-cmd\n".utf8)))
        let missing = directory.url.appendingPathComponent("missing.yaml")
        let error = #expect(throws: ResultsError.self) { try SHA256.hexDigest(ofFileAt: missing) }
        #expect(error?.description.contains(missing.path) == true)
    }
}
