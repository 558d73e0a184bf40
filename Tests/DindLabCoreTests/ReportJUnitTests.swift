import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// junit.xml: valid against a strict JUnit schema (checked with xmllint), counts that add up,
/// and failure texts that say what failed.
@Suite("Reports: junit.xml")
struct ReportJUnitTests {
    /// The common JUnit.xsd shape, strict: every count and `time` required on suites,
    /// `message` and `type` on failures and errors, nothing unknown anywhere.
    static let schema = """
        <?xml version="1.0" encoding="UTF-8"?>
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
          <xs:simpleType name="nonEmpty"><xs:restriction base="xs:string"><xs:minLength value="1"/></xs:restriction></xs:simpleType>
          <xs:simpleType name="seconds"><xs:restriction base="xs:decimal"><xs:minInclusive value="0"/></xs:restriction></xs:simpleType>
          <xs:complexType name="problem">
            <xs:simpleContent>
              <xs:extension base="xs:string">
                <xs:attribute name="message" type="xs:string" use="required"/>
                <xs:attribute name="type" type="nonEmpty" use="required"/>
              </xs:extension>
            </xs:simpleContent>
          </xs:complexType>
          <xs:element name="testsuites">
            <xs:complexType>
              <xs:sequence><xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
              <xs:attribute name="name" type="xs:string"/>
              <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
              <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
              <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
              <xs:attribute name="skipped" type="xs:nonNegativeInteger"/>
              <xs:attribute name="time" type="seconds"/>
            </xs:complexType>
          </xs:element>
          <xs:element name="testsuite">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="properties" minOccurs="0">
                  <xs:complexType>
                    <xs:sequence>
                      <xs:element name="property" minOccurs="0" maxOccurs="unbounded">
                        <xs:complexType>
                          <xs:attribute name="name" type="nonEmpty" use="required"/>
                          <xs:attribute name="value" type="xs:string" use="required"/>
                        </xs:complexType>
                      </xs:element>
                    </xs:sequence>
                  </xs:complexType>
                </xs:element>
                <xs:element name="testcase" minOccurs="0" maxOccurs="unbounded">
                  <xs:complexType>
                    <xs:sequence>
                      <xs:choice minOccurs="0">
                        <xs:element name="skipped"><xs:complexType><xs:attribute name="message" type="xs:string"/></xs:complexType></xs:element>
                        <xs:element name="error" type="problem"/>
                        <xs:element name="failure" type="problem"/>
                      </xs:choice>
                      <xs:element name="system-out" type="xs:string" minOccurs="0"/>
                      <xs:element name="system-err" type="xs:string" minOccurs="0"/>
                    </xs:sequence>
                    <xs:attribute name="name" type="nonEmpty" use="required"/>
                    <xs:attribute name="classname" type="nonEmpty" use="required"/>
                    <xs:attribute name="time" type="seconds" use="required"/>
                  </xs:complexType>
                </xs:element>
                <xs:element name="system-out" type="xs:string" minOccurs="0"/>
                <xs:element name="system-err" type="xs:string" minOccurs="0"/>
              </xs:sequence>
              <xs:attribute name="name" type="nonEmpty" use="required"/>
              <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
              <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
              <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
              <xs:attribute name="skipped" type="xs:nonNegativeInteger" use="required"/>
              <xs:attribute name="time" type="seconds" use="required"/>
              <xs:attribute name="timestamp" type="xs:dateTime"/>
              <xs:attribute name="hostname" type="xs:string"/>
              <xs:attribute name="id" type="xs:string"/>
              <xs:attribute name="package" type="xs:string"/>
            </xs:complexType>
          </xs:element>
        </xs:schema>

        """

    static let xmllint = ReportFixtures.tool("xmllint")

    /// Writes the mixed fixture's junit.xml and the schema; returns both paths.
    func junit(in root: URL, strict: Bool = false) async throws -> (xml: URL, xsd: URL, text: String) {
        let report = try await RunReport.load(runDirectory: try await ReportFixtures.mixedRun(in: root), strict: strict)
        try report.write()
        let xml = ReportFiles(in: report.directory).junit
        let xsd = root.appendingPathComponent("junit.xsd")
        try Self.schema.write(to: xsd, atomically: true, encoding: .utf8)
        return (xml, xsd, try String(contentsOf: xml, encoding: .utf8))
    }

    func xpath(_ expression: String, in xml: URL) throws -> String {
        let result = try ReportFixtures.run(Self.xmllint!, ["--xpath", expression, xml.path])
        #expect(result.status == 0, "xmllint --xpath \(expression): \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "junit.xml of a run with passing, failing and erroring cells validates against a strict JUnit XSD",
        .enabled(
            if: xmllint != nil, "xmllint is not installed (Debian package libxml2-utils; scripts/setup installs it)"))
    func validates() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        for strict in [false, true] {
            let (xml, xsd, _) = try await junit(in: root.url.appendingPathComponent("strict-\(strict)"), strict: strict)
            let result = try ReportFixtures.run(Self.xmllint!, ["--noout", "--schema", xsd.path, xml.path])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("validates"))
        }
    }

    @Test(
        "the schema itself rejects a suite without its counts, so the check above can fail",
        .enabled(
            if: xmllint != nil, "xmllint is not installed (Debian package libxml2-utils; scripts/setup installs it)"))
    func schemaIsStrict() throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let xsd = root.url.appendingPathComponent("junit.xsd")
        try Self.schema.write(to: xsd, atomically: true, encoding: .utf8)
        let bad = root.url.appendingPathComponent("bad.xml")
        try
            #"<testsuites tests="1" failures="0" errors="0"><testsuite name="s" tests="1"><testcase name="c" classname="x" time="1"/></testsuite></testsuites>"#
            .write(to: bad, atomically: true, encoding: .utf8)
        let result = try ReportFixtures.run(Self.xmllint!, ["--noout", "--schema", xsd.path, bad.path])
        #expect(result.status != 0)
        #expect(result.output.contains("failures"), "\(result.output)")
    }

    @Test(
        "suites count their testcases' failures and errors; one testcase per cell",
        .enabled(
            if: xmllint != nil, "xmllint is not installed (Debian package libxml2-utils; scripts/setup installs it)"))
    func counts() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (xml, _, _) = try await junit(in: root.url)
        for suite in ["modes", "plain"] {
            for (attribute, child) in [
                ("tests", "testcase"), ("failures", "testcase[failure]"), ("errors", "testcase[error]"),
            ] {
                let declared = try xpath("string(//testsuite[@name='\(suite)']/@\(attribute))", in: xml)
                let counted = try xpath("count(//testsuite[@name='\(suite)']/\(child))", in: xml)
                #expect(declared == counted, "\(suite) \(attribute)")
            }
        }
        #expect(try xpath("string(//testsuite[@name='modes']/@tests)", in: xml) == "4")
        #expect(try xpath("string(//testsuite[@name='modes']/@failures)", in: xml) == "2")
        #expect(try xpath("string(//testsuite[@name='modes']/@errors)", in: xml) == "1")
        #expect(try xpath("string(//testsuite[@name='plain']/@failures)", in: xml) == "1")
        #expect(try xpath("string(/testsuites/@tests)", in: xml) == "5")
        #expect(
            try xpath("string(//testcase[@name='daemon.start=exec,inner.mode=d']/error/@type)", in: xml)
                == "harness-or-engine-error")
        #expect(try xpath("string(//testcase[@name='default']/failure/@type)", in: xml) == "failed-trials")
        // Seconds: five trials of 1.5 s each.
        #expect(try xpath("string(//testcase[@name='daemon.start=cmd,inner.mode=ti']/@time)", in: xml) == "7.500")
    }

    @Test(
        "--strict turns a failure by the rate alone into a pass",
        .enabled(
            if: xmllint != nil, "xmllint is not installed (Debian package libxml2-utils; scripts/setup installs it)"))
    func strict() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let cell = "//testcase[@name='daemon.start=cmd,inner.mode=d']"
        let (lenient, _, _) = try await junit(in: root.url.appendingPathComponent("a"))
        #expect(try xpath("count(\(cell)/failure)", in: lenient) == "1")
        let (strict, _, _) = try await junit(in: root.url.appendingPathComponent("b"), strict: true)
        #expect(try xpath("count(\(cell)/failure)", in: strict) == "0")
        #expect(try xpath("count(//testcase[@name='daemon.start=exec,inner.mode=ti']/failure)", in: strict) == "1")
    }

    @Test(
        "the failure text gives the rate, its interval and the top signature with an example trial; system-out the counts"
    )
    func failureText() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (_, _, text) = try await junit(in: root.url)
        let escaped = ReportEscaping.markup(ReportFixtures.nastySignature)
        #expect(text.contains("success rate 0.0% [0.0%, 43.4%] over 5 trials does not satisfy &gt;= 0.9"))
        #expect(text.contains("5× \(escaped) (fail; e.g. trial modes-c2-t0, artifacts/modes-c2-t0)"))
        #expect(text.contains("<system-out>trials 5, passes 4, fails 1, timeouts 0, errors 0;"))
        // The terminal escape would make the file unreadable to every XML parser.
        #expect(!text.unicodeScalars.contains("\u{1B}"))
        #expect(text.contains("\\u{1B}[31m"))
    }

    @Test("cells are named with their engine when the run used several")
    func engineNames() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.plainYAML], in: root.url)
        let directory = try await ReportFixtures.writeRun(
            plan, files: files, in: root.url, runID: ResultsFixtures.runID)
        // A second engine's trials of the same cell, appended to the same run.
        let store = try ResultStore(opening: directory)
        for trial in plan.trials {
            var record = ReportFixtures.record(
                trial, runID: ResultsFixtures.runID, engine: "docker-1.9", outcome: .pass, signature: nil)
            record.trialID += "-b"
            try await store.append(record)
        }
        let xml = JUnitReport.render(try await RunReport.load(runDirectory: directory, strict: false))
        #expect(xml.contains(#"<testcase name="default [default]""#))
        #expect(xml.contains(#"<testcase name="default [docker-1.9]""#))
    }
}
