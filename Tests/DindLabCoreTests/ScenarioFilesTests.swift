import Foundation
import Testing

@testable import DindLabCore

/// The scenarios shipped in Scenarios/ are valid, and say what DESIGN.md and issue 4 ask of them.
@Suite("Scenario files shipped")
struct ScenarioFilesTests {
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: ScenarioFiles.directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { ScenarioFiles.directory.appendingPathComponent($0).path }
    }()

    @Test("Scenarios/ has the files issue 4 asks for")
    func expectedFilesExist() {
        let names = Self.files.map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(names.contains("smoke.yaml") && names.contains("start-and-run-modes.yaml"))
    }

    @Test("every file in Scenarios/ validates", arguments: files)
    func validates(file: String) throws {
        let report = ValidationReport(files: [file])
        #expect(report.isValid, "\(report.text)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("#"), "a scenario file starts with a comment saying what it shows")
    }

    @Test("smoke is one cell of busybox echo ok, run -d, daemon from cmd, 3 trials")
    func smoke() throws {
        let scenario = try ScenarioLoader.load(file: ScenarioFiles.directory.appendingPathComponent("smoke.yaml").path)
        let cells = scenario.cells()
        #expect(cells.count == 1)
        let cell = try #require(cells.first).scenario
        #expect(cell.outer.image == "dindlab/outer:bookworm")
        #expect(cell.daemon.start == .cmd)
        #expect(
            cell.inner.mode == .d && cell.inner.image == "busybox" && cell.inner.command == ["sh", "-c", "echo ok"])
        #expect(cell.inner.expectOutput == "^ok")
        #expect(cell.repeatCount == 3)
        #expect(cell.expect.successRate == (try SuccessRateExpectation(.atLeast, 1)))
    }

    @Test("start-and-run-modes crosses daemon.start, inner.mode and the three Debian images")
    func startAndRunModes() throws {
        let scenario = try ScenarioLoader.load(
            file: ScenarioFiles.directory.appendingPathComponent("start-and-run-modes.yaml").path)
        #expect(scenario.matrix.map(\.key) == ["daemon.start", "inner.mode", "outer.image"])
        #expect(
            scenario.matrix.map(\.values) == [
                ["cmd", "exec"], ["ti", "d"],
                ["dindlab/outer:bullseye", "dindlab/outer:bookworm", "dindlab/outer:trixie"],
            ])
        #expect(scenario.cells().count == 12)
    }
}
