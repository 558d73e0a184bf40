import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

/// `dindlab history` over five nights that `dindlab run` really ran on the private engine:
/// the Done-when of issue 19. One scenario, two cells, ten trials each, `isolation: cell`:
///
/// - `outer.env.ROLE=steady` passes every night but the fifth, when its file sets
///   STEADY_FAIL_FROM=5 and the 5th to 10th inner runs fail (6 of 10): regressed;
/// - `outer.env.ROLE=flaky` fails its 8th to 10th inner runs every night (3 of 10): flaky.
///
/// The failures are injected, and counted, inside the outer container: a setup line puts a
/// `docker` wrapper before the real CLI on PATH that fails `docker run` from the N-th call on
/// (the outer container and its counter serve the cell's ten trials in order). So the
/// failures are deterministic, and the trial fails the way a real inner run does: `docker run`
/// exits non-zero with its message on stderr, which becomes the trial's signature.
@Suite(
    .enabled(if: DindlabBinary.url != nil, DindlabBinary.missingReason),
    .enabled(if: RealEngine.canRunTrials, RealEngine.noOuterImageReason), .serialized)
struct HistoryEndToEndTests {
    /// The wrapper the setup line installs as /usr/local/bin/docker.
    static let wrapper = """
        #!/bin/sh
        if [ "$1" = run ]; then
            n=$(( $(cat /tmp/dindlab-inner-runs 2>/dev/null || echo 0) + 1 ))
            echo "$n" > /tmp/dindlab-inner-runs
            case "$ROLE" in flaky) from=8 ;; *) from=$STEADY_FAIL_FROM ;; esac
            if [ "$n" -ge "$from" ]; then
                echo "history-e2e: injected failure of inner run $n ($ROLE)" >&2
                exit 1
            fi
        fi
        exec /usr/bin/docker "$@"

        """

    static func scenario(steadyFailFrom: Int) -> String {
        """
        version: 1
        name: nightly-history
        description: role=steady fails from inner run STEADY_FAIL_FROM on, role=flaky from the 8th; see HistoryEndToEndTests
        repeat: 10
        timeout: 120s
        isolation: cell
        outer:
          image: \(RealEngine.outerImage!)
          env:
            STEADY_FAIL_FROM: "\(steadyFailFrom)"
          setup:
            - echo \(Data(wrapper.utf8).base64EncodedString()) | base64 -d > /usr/local/bin/docker
            - chmod 755 /usr/local/bin/docker
        inner:
          command: [sh, -c, "echo ok"]
          expect-output: "^ok"
        expect:
          success-rate: ">= 0.9"
        matrix:
          outer.env.ROLE: [steady, flaky]
        """
    }

    @Test(
        "five nights of dindlab run: the cell that failed 6 of 10 on the fifth night regressed (with its p-value), the one failing 3 of 10 every night is flaky; --fail-on-regression exits 1"
    )
    func fiveRealNights() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-e2e-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let results = root.appendingPathComponent("results")
        let file = root.appendingPathComponent("nightly-history.yaml")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for night in 1...5 {
            try Self.scenario(steadyFailFrom: night == 5 ? 5 : 99).write(to: file, atomically: true, encoding: .utf8)
            let run = try await DindlabBinary.run([
                "run", file.path, "--engine", RealEngine.address!, "--out", results.path, "--seed", "\(night)",
                "--jobs", "2",
            ])
            // Exit 1: the flaky cell misses its expectation every night.
            #expect(run.status == 1, "night \(night): \(run.output)")
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: results.path)
        #expect(runs.count == 5)

        let json = root.appendingPathComponent("site/history.json")
        let html = root.appendingPathComponent("site/history.html")
        let gate = try await DindlabBinary.run([
            "history", results.path, "--json", json.path, "--html", html.path, "--fail-on-regression",
        ])
        #expect(gate.status == 1, "\(gate.output)")
        #expect(gate.output.contains("1 cell regressed: exit 1 (--fail-on-regression)"))
        let plain = try await DindlabBinary.run(["history", results.path])
        #expect(plain.status == 0, "\(plain.output)")

        let document = try ResultsJSON.decoder().decode(HistoryJSON.self, from: Data(contentsOf: json))
        #expect(document.nights.count == 5)
        let steady = try #require(document.cells.first { $0.cellID == "outer.env.ROLE=steady" })
        let flaky = try #require(document.cells.first { $0.cellID == "outer.env.ROLE=flaky" })
        #expect(steady.entries.map { $0?.fails } == [0, 0, 0, 0, 6], "\(steady.entries.map { $0?.topSignature })")
        #expect(flaky.entries.map { $0?.fails } == [3, 3, 3, 3, 3], "\(flaky.entries.map { $0?.topSignature })")
        #expect(steady.classification == .regressed)
        #expect(flaky.classification == .flaky)
        // [[4, 6], [40, 0]]: Fisher p = C(10,6)/C(50,6); Holm over the two cells doubles it.
        let p = try #require(steady.pValue)
        #expect(abs(p - 210.0 / 15_890_700) < 1e-9)
        #expect(abs((steady.adjustedPValue ?? 0) - 2 * p) < 1e-9)
        #expect(gate.output.contains("Fisher p = 1.3e-05, Holm-adjusted 2.6e-05 over 2 cells"))
        #expect((flaky.adjustedPValue ?? 0) > 0.5)

        // The scenario file changed on the fifth night, and the signature that came with it is new then.
        #expect(document.scenarioFileChanges.map(\.night) == [4])
        let new = try #require(document.signatures.first { $0.cells == ["outer.env.ROLE=steady"] })
        #expect(new.firstNight == 4 && new.count == 6)
        #expect(new.signature.contains("injected failure of inner run"), "\(new.signature)")
        let old = try #require(document.signatures.first { $0.cells == ["outer.env.ROLE=flaky"] })
        #expect(old.firstNight == 0 && old.nights == 5 && old.count == 15)

        // history.html: the grid, linking each night's report.html beside the run folders.
        let page = try String(contentsOf: html, encoding: .utf8)
        for night in document.nights {
            #expect(page.contains("href=\"../results/\(night.runIDs[0])/report.html\""))
            #expect(
                FileManager.default.fileExists(
                    atPath: results.appendingPathComponent("\(night.runIDs[0])/report.html").path))
        }
        #expect(page.contains("<span class=\"badge regressed\""))
        #expect(!page.lowercased().contains("<script"))
    }
}

/// `dindlab history`'s exit status for what it cannot read, and for usage errors.
@Suite(.enabled(if: DindlabBinary.url != nil, DindlabBinary.missingReason))
struct HistoryCommandLineTests {
    @Test("a path that does not exist or holds no run exits 2; a bad --last or --window is a usage error (64)")
    func exitStatus() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-e2e-history-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try await DindlabBinary.run(["history", root.appendingPathComponent("missing").path]).status == 2)
        #expect(try await DindlabBinary.run(["history", root.path]).status == 2)
        #expect(try await DindlabBinary.run(["history", root.path, "--last", "0"]).status == 64)
        #expect(try await DindlabBinary.run(["history", root.path, "--window", "0"]).status == 64)
        #expect(try await DindlabBinary.run(["history"]).status == 64)
    }
}
