import Foundation
import Testing
@testable import DindLab

@Suite("Readiness and the inner image load in one exec")
struct ReadyThenLoadTests {
    @Test("the ready marker gives the instant the daemon answered and leaves the rest of the output")
    func marker() throws {
        let output = "noise\n\(OuterScripts.readyMarker)1795000000250000000\nimport said this\n"
        let (instant, rest) = OuterScripts.readyInstant(in: output)
        #expect(try #require(instant).timeIntervalSince1970 == 1_795_000_000.25)
        #expect(rest == "noise\nimport said this\n")
        // A `date` without %N prints a letter: no instant, and the line still goes.
        let (none, left) = OuterScripts.readyInstant(in: "\(OuterScripts.readyMarker)1795000000N\n")
        #expect(none == nil && left == "")
    }

    @Test("the script runs the load only after the daemon answered, and tells its failure apart")
    func script() throws {
        let script = try #require(OuterScripts.waitReady(timeoutSeconds: 5, then: OuterScripts.loadInnerImageLines("busybox", checkFirst: false)).last)
        let ready = try #require(script.range(of: "docker version"))
        let load = try #require(script.range(of: "docker import '/dindlab/images/busybox.tar' 'busybox:latest'"))
        #expect(ready.upperBound < load.lowerBound)
        #expect(script.contains("|| exit \(OuterScripts.ReadyStatus.thenFailed.rawValue)"))
        #expect(!script.contains("docker inspect"))
        #expect(OuterScripts.loadInnerImageLines("busybox", checkFirst: true).first?.contains("docker inspect 'busybox:latest'") == true)
        #expect(OuterScripts.waitReady(timeoutSeconds: 5).last?.contains(OuterScripts.readyMarker) == false)
    }

    @Test("a phase entered at an instant measured inside the container takes the time since then")
    func clockSplit() throws {
        var clock = PhaseClock()
        clock.enter(.daemon)
        Thread.sleep(forTimeInterval: 0.2)
        let readyAt = Date().addingTimeInterval(-0.05)
        clock.enter(.prepare, since: readyAt)
        let daemon = try #require(clock.durations[.daemon])
        let prepare = try #require(clock.durations[.prepare])
        // The daemon phase gave the 50 ms since `readyAt` to prepare, and the sum is kept.
        #expect(prepare >= 0.05)
        #expect(daemon >= 0.15 - 1e-3)
        // The phase is dated at the instant, for the daemon log window.
        #expect(abs(clock.began[.prepare]!.timeIntervalSince(readyAt)) < 0.5)
        // An instant before the phase began moves no more than the phase's own time.
        clock.enter(.inner, since: Date.distantPast)
        #expect((clock.durations[.prepare] ?? -1) >= 0)
    }
}
