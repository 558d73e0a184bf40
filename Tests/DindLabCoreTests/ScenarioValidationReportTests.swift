import Foundation
import Testing

@testable import DindLabCore

/// What `dindlab validate` prints, from files on disk.
@Suite("Scenario validation report")
struct ScenarioValidationReportTests {
    /// Writes files into a fresh temporary directory and returns their paths.
    static func write(_ files: [String: String]) throws -> (directory: URL, paths: [String: String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var paths: [String: String] = [:]
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            paths[name] = url.path
        }
        return (directory, paths)
    }

    @Test("valid files report their cells and trials; invalid ones every problem; the order is the files' order")
    func report() throws {
        let (directory, paths) = try Self.write([
            "good.yaml":
                "version: 1\nname: good\nrepeat: 4\nouter: {image: i}\nmatrix:\n  inner.mode: [ti, d]\n  outer.image: [a, b, c]\n",
            "bad.yaml": "version: 1\nname: bad\nouter: {image: i}\ninner:\n  mode: it\n  runs: 0\n",
            "one.yaml": "version: 1\nname: one\nrepeat: 1\nouter: {image: i}\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = paths["good.yaml"]!
        let bad = paths["bad.yaml"]!
        let one = paths["one.yaml"]!
        let report = ValidationReport(files: [good, bad, one])
        #expect(!report.isValid)
        #expect(
            report.text == """
                \(good): ok (6 cells, 24 trials)
                \(bad):5:9: inner.mode: expected one of ti, d, got "it"
                \(bad):6:9: inner.runs: expected an integer from 1 to 10000, got 0
                \(bad): invalid (2 problems)
                \(one): ok (1 cell, 1 trial)
                """)
        #expect(ValidationReport(files: [good, one]).isValid)
    }

    @Test("a file that can't be read is invalid and says why")
    func unreadable() {
        let report = ValidationReport(files: ["/nonexistent/x.yaml"])
        #expect(!report.isValid)
        #expect(
            report.text
                == "/nonexistent/x.yaml: cannot read the file: no such file\n/nonexistent/x.yaml: invalid (1 problem)")
    }

    @Test("loading several files reports the problems of all of them")
    func loadFiles() throws {
        let (directory, paths) = try Self.write([
            "a.yaml": "version: 1\nname: a\nouter: {image: i}\nrepeat: x\n",
            "b.yaml": "version: 1\nname: b\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try ScenarioLoader.load(files: [paths["a.yaml"]!, paths["b.yaml"]!])
            Issue.record("invalid files loaded")
        } catch {
            #expect(
                error.errors.map(\.description) == [
                    "\(paths["a.yaml"]!):4:9: repeat: expected an integer, got \"x\"",
                    "\(paths["b.yaml"]!):1:1: outer: missing required key \"outer\" (with at least outer.image)",
                ])
        }
    }
}
