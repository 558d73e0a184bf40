import Foundation
import Testing

@testable import DindLabCore

@Suite("Statistics: success-rate expectation")
struct StatisticsExpectationTests {
    @Test(
        "parses operators and values",
        arguments: [
            (">= 0.95", SuccessRateExpectation.Comparison.atLeast, 0.95),
            (">=0.95", .atLeast, 0.95),
            ("  >  0.5 ", .greaterThan, 0.5),
            ("<= 0.1", .atMost, 0.1),
            ("< .25", .lessThan, 0.25),
            ("== 1", .equal, 1.0),
            (">= 0", .atLeast, 0.0),
            ("> 1.", .greaterThan, 1.0),
        ])
    func parses(text: String, comparison: SuccessRateExpectation.Comparison, threshold: Double) throws {
        let expectation = try SuccessRateExpectation(parsing: text)
        #expect(expectation.comparison == comparison)
        #expect(expectation.threshold == threshold)
    }

    @Test(
        "rejects bad text with a reason",
        arguments: [
            ("0.95", ExpectationError.missingOperator("0.95")),
            ("=> 0.95", .missingOperator("=> 0.95")),
            ("= 0.95", .missingOperator("= 0.95")),
            ("", .missingOperator("")),
            (">= ", .notANumber("", in: ">= ")),
            (">= abc", .notANumber("abc", in: ">= abc")),
            (">= nan", .notANumber("nan", in: ">= nan")),
            (">= 1e-1", .notANumber("1e-1", in: ">= 1e-1")),
            (">= -0.5", .notANumber("-0.5", in: ">= -0.5")),
            (">= 0.9.1", .notANumber("0.9.1", in: ">= 0.9.1")),
            (">= 95", .thresholdOutOfRange("95", in: ">= 95")),
            ("< 1.01", .thresholdOutOfRange("1.01", in: "< 1.01")),
        ])
    func rejects(text: String, error: ExpectationError) {
        #expect(throws: error) { try SuccessRateExpectation(parsing: text) }
    }

    @Test("error messages are sentences that quote the text")
    func errorDescription() {
        let error = ExpectationError.thresholdOutOfRange("95", in: ">= 95")
        #expect(error.description.contains("\">= 95\""))
        #expect(error.description.hasSuffix("."))
    }

    @Test(
        "holds(rate:) compares the observed rate",
        arguments: [
            (">= 0.95", 0.95, true), (">= 0.95", 0.94, false),
            ("> 0.5", 0.5, false), ("> 0.5", 0.51, true),
            ("<= 0.1", 0.1, true), ("<= 0.1", 0.2, false),
            ("< 0.1", 0.1, false), ("< 0.1", 0.0, true),
            ("== 1", 1.0, true), ("== 1", 0.99, false),
        ])
    func holdsForRate(text: String, rate: Double, expected: Bool) throws {
        #expect(try SuccessRateExpectation(parsing: text).holds(rate: rate) == expected)
    }

    @Test(
        "holds(interval:) fails only when the whole interval is on the wrong side",
        arguments: [
            (">= 0.95", 0.80, 0.99, true),  // straddles: not proven violated
            (">= 0.95", 0.60, 0.94, false),  // entirely below
            (">= 0.95", 0.60, 0.95, true),  // touches the threshold
            ("> 0.5", 0.2, 0.5, false),
            ("> 0.5", 0.2, 0.51, true),
            ("<= 0.1", 0.05, 0.3, true),
            ("<= 0.1", 0.11, 0.3, false),
            ("< 0.1", 0.1, 0.3, false),
            ("== 1", 0.72, 1.0, true),
            ("== 1", 0.5, 0.99, false),
        ])
    func holdsForInterval(text: String, lower: Double, upper: Double, expected: Bool) throws {
        let interval = ProportionInterval(lower: lower, upper: upper)
        #expect(try SuccessRateExpectation(parsing: text).holds(interval: interval) == expected)
    }

    @Test("a rate check can fail where the interval check holds")
    func strictIsLenientOnSmallSamples() throws {
        let expectation = try SuccessRateExpectation(parsing: ">= 0.95")
        let interval = try #require(ProportionInterval.wilson(successes: 9, trials: 10))
        #expect(!expectation.holds(rate: 0.9))
        #expect(expectation.holds(interval: interval))
    }

    @Test("encodes as its canonical text and decodes back", arguments: [">=0.95", "< .25", "== 1"])
    func codableRoundTrip(text: String) throws {
        let expectation = try SuccessRateExpectation(parsing: text)
        let data = try JSONEncoder().encode([expectation])
        let back = try JSONDecoder().decode([SuccessRateExpectation].self, from: data)
        #expect(back == [expectation])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(expectation.description)\"]")
    }

    @Test("decoding bad text fails with the parse error's sentence")
    func decodingRejects() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([SuccessRateExpectation].self, from: Data("[\"about 0.9\"]".utf8))
        }
    }
}
