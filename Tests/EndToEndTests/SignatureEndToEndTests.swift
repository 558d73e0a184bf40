import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

/// One failure, one signature, on a real engine: the same failing inner command in mode d and
/// mode ti is signed the same, so `compare --by inner.mode` finds no difference that is not there.
@Suite(
    .enabled(if: RealEngine.canRunTrials, RealEngine.noOuterImageReason),
    .enabled(if: DindlabBinary.url != nil, DindlabBinary.missingReason), .serialized)
struct SignatureEndToEndTests {
    @Test(
        "a failing inner command has one signature in mode d and mode ti, and compare --by inner.mode reports no signature on one side only"
    )
    func sameSignatureInBothModes() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-e2e-sig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("flaky.yaml")
        // The field report's kind of failure: the inner command's own error on stderr, with a
        // number that differs every time, and no error word the finder could key on.
        try """
        version: 1
        name: flaky
        repeat: 2
        outer: {image: \(RealEngine.outerImage!)}
        inner:
          command: [sh, -c, "echo \\"flaky: drew $$\\" >&2; exit 3"]
        matrix:
          inner.mode: [d, ti]
        """.write(to: file, atomically: true, encoding: .utf8)
        let plan = try Plan(scenarios: [try ScenarioLoader.load(file: file.path)], seed: 5)
        let result = try await Runner(
            engines: [try EngineSelection.resolve(RealEngine.address)],
            options: RunOptions(resultsRoot: folder.appendingPathComponent("results"))
        )
        .run(plan: plan)

        #expect(result.records.count == 4)
        #expect(
            result.records.allSatisfy { $0.outcome == .fail },
            "\(result.records.map { "\($0.outcome) \($0.signature ?? "")" })")
        let signatures = Set(result.records.compactMap(\.signature))
        #expect(signatures == ["inner: flaky: drew <n>"], "\(signatures.sorted())")
        // The exit status stays in the record.
        #expect(result.records.allSatisfy { $0.innerRuns.first?.exitCode == 3 }, "\(result.records.map(\.innerRuns))")

        let compare = try await DindlabBinary.run(["compare", result.directory.path, "--by", "inner.mode"])
        #expect(compare.status == 0, "\(compare.output)")
        #expect(!compare.output.contains("one side only"), "\(compare.output)")
    }
}
