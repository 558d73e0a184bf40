import Foundation

/// `junit.xml`: the run in the JUnit XML format CI systems read (Jenkins, GitLab, GitHub
/// test reporters).
///
/// One `testsuite` per scenario and one `testcase` per cell (named by its matrix values, and its
/// engine when the run used several). A cell gets a `failure` when it violates its expectation
/// or, without one, when any trial failed or timed out; an `error` when every trial was a harness
/// or engine error and there is nothing to judge (`CellJudgement`); a `skipped` element, whose
/// message gives the reason and the command that fixes it, when the run did not start any of its
/// trials (its outer image is not on its engine). The failure text gives the
/// rate, its 95% interval and the top signatures with an example trial each; `system-out` holds
/// the counts. Every suite carries name, tests, failures, errors, skipped and time, as strict
/// JUnit schemas require.
package enum JUnitReport {
    /// Renders the report.
    /// - Parameters:
    ///   - report: The run.
    ///   - signatures: How many signatures a failure lists.
    /// - Returns: The XML document.
    package static func render(_ report: RunReport, signatures: Int = 5) -> String {
        var suites: [String] = []
        var total = Counts()
        for (index, scenario) in report.summary.scenarios.enumerated() {
            var counts = Counts()
            var cases: [String] = []
            for cell in scenario.cells {
                let judgement = report.judgement(of: cell)
                let seconds = report.seconds(of: cell, in: scenario.name)
                counts.add(judgement, seconds: seconds)
                cases.append(
                    testcase(
                        cell, judgement: judgement, seconds: seconds, scenario: scenario.name, report: report,
                        signatures: signatures))
            }
            total.add(counts)
            var properties = [("run", report.manifest.runID.description), ("strict", String(report.strict))]
            if let expectation = scenario.expectation {
                properties.append(("expect.success-rate", expectation.description))
            }
            if let seed = report.manifest.seed { properties.append(("seed", String(seed))) }
            if let shard = report.manifest.shard { properties.append(("shard", shard.description)) }
            for engine in report.manifest.engines {
                properties.append(
                    (
                        "engine.\(engine.name)",
                        engine.fingerprint.daemonVersion.map { "Docker \($0)" } ?? "(unknown version)"
                    ))
            }
            suites.append(
                """
                  <testsuite name="\(attribute(scenario.name))" \(counts.attributes) timestamp="\(timestamp(report.manifest.startedAt))" id="\(index)" package="dindlab">
                    <properties>
                \(properties.map { "      <property name=\"\(attribute($0.0))\" value=\"\(attribute($0.1))\"/>" }.joined(separator: "\n"))
                    </properties>
                \(cases.joined(separator: "\n"))
                  </testsuite>
                """)
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="\(attribute("dindlab run \(report.manifest.runID)"))" \(total.attributes)>
            \(suites.joined(separator: "\n"))
            </testsuites>

            """
    }

    private static func testcase(
        _ cell: CellTally, judgement: CellJudgement, seconds: Double, scenario: String, report: RunReport,
        signatures: Int
    ) -> String {
        var body: [String] = []
        switch judgement.verdict {
        case .expectationFailed, .trialsFailed:
            let type = judgement.verdict == .expectationFailed ? "expectation" : "failed-trials"
            let text = ([judgement.explanation + "."] + signatureLines(cell, report: report, limit: signatures)).joined(
                separator: "\n")
            body.append(
                "      <failure message=\"\(attribute(judgement.explanation))\" type=\"\(type)\">\(content(text))</failure>"
            )
        case .notJudged:
            let text = ([judgement.explanation + "."] + signatureLines(cell, report: report, limit: signatures)).joined(
                separator: "\n")
            body.append(
                "      <error message=\"\(attribute(judgement.explanation))\" type=\"harness-or-engine-error\">\(content(text))</error>"
            )
        case .skipped:
            body.append("      <skipped message=\"\(attribute(judgement.explanation))\"/>")
        case .passed:
            break
        }
        let skipped = cell.skipped.map { ", skipped \($0.trials)" } ?? ""
        let counts =
            "trials \(cell.trials)\(skipped), passes \(cell.passes), fails \(cell.fails), timeouts \(cell.timeouts), errors \(cell.errors); \(judgement.explanation)"
        body.append("      <system-out>\(content(counts))</system-out>")
        return """
                <testcase name="\(attribute(report.name(of: cell)))" classname="\(attribute("dindlab.\(scenario)"))" time="\(decimal(seconds))">
            \(body.joined(separator: "\n"))
                </testcase>
            """
    }

    /// `6× daemon: failed to start daemon: … (fail; e.g. trial x-c0-t3, artifacts/x-c0-t3)`.
    static func signatureLines(_ cell: CellTally, report: RunReport, limit: Int) -> [String] {
        let top = report.topSignatures(of: cell, limit: limit)
        guard !top.isEmpty else { return [] }
        return ["Top signatures:"]
            + top.map { signature in
                let artifacts = report.artifactsPath(of: signature.exampleTrialID).map { ", \($0)" } ?? ""
                return
                    "  \(signature.count)× \(signature.signature) (\(signature.outcome); e.g. trial \(signature.exampleTrialID)\(artifacts))"
            }
    }

    private struct Counts {
        var tests = 0, failures = 0, errors = 0, skipped = 0, seconds = 0.0

        mutating func add(_ judgement: CellJudgement, seconds: Double) {
            tests += 1
            if judgement.isFailure { failures += 1 }
            if judgement.verdict == .notJudged { errors += 1 }
            if judgement.verdict == .skipped { skipped += 1 }
            self.seconds += seconds
        }

        mutating func add(_ other: Counts) {
            tests += other.tests
            failures += other.failures
            errors += other.errors
            skipped += other.skipped
            seconds += other.seconds
        }

        var attributes: String {
            "tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(decimal(seconds))\""
        }
    }

    private static func attribute(_ text: String) -> String {
        // Line breaks in attributes are normalised to spaces by XML parsers; say so ourselves.
        ReportEscaping.markup(text.replacingOccurrences(of: "\n", with: " "))
    }

    private static func content(_ text: String) -> String {
        ReportEscaping.markup(text)
    }

    /// Seconds as xs:decimal (no exponent), to the millisecond.
    private static func decimal(_ seconds: Double) -> String {
        String(format: "%.3f", max(0, seconds))
    }

    /// xs:dateTime in UTC without fractions: `2026-11-29T11:22:33Z`.
    private static func timestamp(_ date: Date) -> String {
        let text = Timestamp.format(date)  // 2026-11-29T11:22:33.123Z
        return String(text.prefix(19)) + "Z"
    }
}
