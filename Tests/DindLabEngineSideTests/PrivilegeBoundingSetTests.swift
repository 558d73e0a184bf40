import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

struct PrivilegeBoundingSetTests {
    @Test(
        "a bounding set mask names capabilities by bit",
        arguments: [
            (UInt64(0x1ff_feff_ffff), ["SYS_RESOURCE"]),  // this VM's dockerd: all but bit 24
            (UInt64(0x1ff_ffff_ffff), []),
            (UInt64(0xff_ffff_ffff), ["CHECKPOINT_RESTORE"]),
        ])
    func mask(mask: UInt64, missing: [String]) {
        let names = PrivilegeProbe.boundingCapabilities(mask: mask)
        #expect(Set(PrivilegeProbe.allCapabilities).subtracting(names) == Set(missing))
        #expect(PrivilegeProbe.boundingCapabilities(mask: 1 << 24) == ["SYS_RESOURCE"])
    }

    @Test("this process's own bounding set reads from /proc")
    func ownProcess() throws {
        let names = try #require(PrivilegeProbe.boundingCapabilities(ofProcess: getpid()))
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("CapBnd:") })
        let mask = try #require(UInt64(line.dropFirst("CapBnd:".count).trimmingCharacters(in: .whitespaces), radix: 16))
        #expect(names == PrivilegeProbe.boundingCapabilities(mask: mask))
        #expect(PrivilegeProbe.boundingCapabilities(ofProcess: Int32.max) == nil)
    }
}
