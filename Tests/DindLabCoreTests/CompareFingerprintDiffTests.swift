import Testing

@testable import DindLabCore

@Suite("Compare: fingerprint diff")
struct CompareFingerprintDiffTests {
    /// The field report's two hosts: same kernel and versions, other daemon cgroup lines.
    let good = EngineFingerprint(
        daemonVersion: "1.9.1", apiVersion: "1.21", kernelVersion: "3.10.0-229.el7.x86_64",
        storageDriver: "devicemapper", cgroupDriver: "cgroupfs",
        daemonCgroupLines: ["3:cpuset:/", "2:perf_event:/", "1:name=systemd:/system.slice/docker.service"])
    var bad: EngineFingerprint {
        var bad = good
        bad.daemonCgroupLines = [
            "3:cpuset:/docker-daemon", "2:perf_event:/docker-daemon", "1:name=systemd:/system.slice/docker.service",
        ]
        return bad
    }

    @Test("names exactly the lines that differ, with each engine's value")
    func differing() {
        let diff = FingerprintDiff([("rz-ep17", good), ("rz-ep16", bad)])
        #expect(!diff.identical)
        #expect(diff.differing.map(\.name) == ["daemon cgroup[0]", "daemon cgroup[1]"])
        #expect(diff.differing.first?.values == ["3:cpuset:/", "3:cpuset:/docker-daemon"])
        #expect(diff.sameCount == good.lines.count - 2)
        #expect(diff.rendered.contains("2 line(s) differ"))
        #expect(diff.rendered.contains("rz-ep17"))
    }

    @Test("identical fingerprints say so")
    func identical() {
        let diff = FingerprintDiff([("a", good), ("b", good)])
        #expect(diff.identical)
        #expect(diff.rendered.contains("identical"))
    }

    @Test("a line only one engine has differs, shown as absent on the other")
    func absent() {
        var fewer = good
        fewer.daemonCgroupLines = nil
        fewer.storageDriver = "vfs"
        let diff = FingerprintDiff([("a", good), ("b", fewer), ("c", good)])
        #expect(
            diff.differing.map(\.name) == [
                "storage driver", "daemon cgroup[0]", "daemon cgroup[1]", "daemon cgroup[2]",
            ])
        #expect(
            diff.differing.last?.values == [
                "1:name=systemd:/system.slice/docker.service", FingerprintDiff.absent,
                "1:name=systemd:/system.slice/docker.service",
            ])
    }
}
