import Foundation

/// SHA-256 (FIPS 180-4), incremental, in plain Swift.
///
/// Foundation on Linux has no digest API and the package's only dependencies are
/// swift-argument-parser, Yams and swift-log, so dindlab carries its own. Files are hashed
/// in chunks, so a large binary is never loaded into memory at once.
public struct SHA256: Sendable {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var pending: [UInt8] = []
    private var totalBytes: UInt64 = 0

    public init() {}

    /// Feeds more bytes into the digest.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Feeds bytes from memory into the digest: whole blocks straight from the buffer, only
    /// the ragged edges through `pending`.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        var bytes = buffer.bindMemory(to: UInt8.self)[...]
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes.prefix(take))
            bytes = bytes.dropFirst(take)
            guard pending.count == 64 else { return }
            pending.withUnsafeBufferPointer { compress($0) }
            pending.removeAll(keepingCapacity: true)
            totalBytes += 64
        }
        while bytes.count >= 64 {
            compress(UnsafeBufferPointer(rebasing: bytes.prefix(64)))
            bytes = bytes.dropFirst(64)
            totalBytes += 64
        }
        pending.append(contentsOf: bytes)
    }

    /// Feeds a string's UTF-8 bytes into the digest.
    public mutating func update(_ text: String) {
        update(Array(text.utf8))
    }

    /// Finishes the digest.
    ///
    /// - Returns: The 32-byte digest as lowercase hex.
    public func finalizeHex() -> String {
        var copy = self
        let messageBits = (copy.totalBytes + UInt64(copy.pending.count)) &* 8
        var tail: [UInt8] = [0x80]
        while (copy.pending.count + tail.count) % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: messageBits >> UInt64(shift)))
        }
        copy.update(tail)
        return copy.state.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }

    /// The hex digest of a byte sequence.
    public static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var digest = SHA256()
        digest.update(bytes)
        return digest.finalizeHex()
    }

    /// The hex digest of a string's UTF-8 bytes.
    public static func hex(of text: String) -> String {
        hex(of: Array(text.utf8))
    }

    /// The hex digest of a file, read in 1 MiB chunks.
    ///
    /// - Parameter file: The file to hash.
    /// - Throws: The error of opening or reading the file.
    public static func hex(ofFile file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var digest = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { digest.update($0) }
        }
        return digest.finalizeHex()
    }

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// One 64-byte block. Written against raw buffers because this also runs in debug builds,
    /// where array bounds checks and copies would make hashing a 50 MB binary take seconds.
    private mutating func compress(_ block: UnsafeBufferPointer<UInt8>) {
        Self.roundConstants.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for i in 0..<16 {
                    w[i] = UInt32(block[4 * i]) << 24 | UInt32(block[4 * i + 1]) << 16
                        | UInt32(block[4 * i + 2]) << 8 | UInt32(block[4 * i + 3])
                }
                for i in 16..<64 {
                    let s0 = w[i - 15].rotatedRight(7) ^ w[i - 15].rotatedRight(18) ^ (w[i - 15] >> 3)
                    let s1 = w[i - 2].rotatedRight(17) ^ w[i - 2].rotatedRight(19) ^ (w[i - 2] >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                state.withUnsafeMutableBufferPointer { h in
                    var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
                    for i in 0..<64 {
                        let s1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
                        let choice = (e & f) ^ (~e & g)
                        let t1 = hh &+ s1 &+ choice &+ k[i] &+ w[i]
                        let s0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
                        let majority = (a & b) ^ (a & c) ^ (b & c)
                        (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ s0 &+ majority)
                    }
                    h[0] = h[0] &+ a
                    h[1] = h[1] &+ b
                    h[2] = h[2] &+ c
                    h[3] = h[3] &+ d
                    h[4] = h[4] &+ e
                    h[5] = h[5] &+ f
                    h[6] = h[6] &+ g
                    h[7] = h[7] &+ hh
                }
            }
        }
    }
}

extension UInt32 {
    fileprivate func rotatedRight(_ count: UInt32) -> UInt32 {
        (self >> count) | (self << (32 - count))
    }
}
