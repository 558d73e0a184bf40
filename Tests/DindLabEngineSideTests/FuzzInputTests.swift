import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// Bad input: the shipped scenario and recipe files, mutated by a seeded generator, and inputs
/// built to hurt (deep nesting, alias bombs, invalid UTF-8, huge values). Every input must
/// load or fail with a clear error (one that names the file); none may crash or hang.
///
/// The cases are CPU work on Swift's cooperative threads (two on a two-core machine): the suite
/// runs serialized and yields between cases, so it never starves the rest of the test run.
@Suite("Fuzz: scenario and recipe files, trials.jsonl", .serialized)
struct FuzzInputTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardizedFileURL

    /// A shipped file to mutate, and how to load bytes as one.
    struct Subject: Sendable, CustomTestStringConvertible {
        enum Kind: Sendable {
            case scenario
            case recipe(folder: URL)
        }
        var path: String
        var kind: Kind
        var bytes: [UInt8]
        var testDescription: String { path }

        /// Loads `bytes` as this kind of file. Returns nil when they load, the error text otherwise.
        func load(_ bytes: [UInt8], file: String) -> String? {
            switch kind {
            case .scenario:
                do {
                    _ = try ScenarioLoader.decode(YAMLDocument.parse(bytes: bytes, file: file))
                    return nil
                } catch let error as YAMLError {
                    return YAMLErrors([error]).description
                } catch let error as YAMLErrors {
                    return error.errors.isEmpty ? "" : error.description
                } catch {
                    return "unexpected error type \(type(of: error)): \(error)"
                }
            case .recipe(let folder):
                do {
                    _ = try RecipeLoader.parse(bytes: bytes, name: folder.lastPathComponent, folder: folder, file: file)
                    return nil
                } catch {
                    return error.errors.isEmpty ? "" : error.description
                }
            }
        }
    }

    static let subjects: [Subject] = {
        let fm = FileManager.default
        var subjects: [Subject] = []
        let scenarios = root.appendingPathComponent("Scenarios")
        for name in ((try? fm.contentsOfDirectory(atPath: scenarios.path)) ?? []).sorted() where name.hasSuffix(".yaml")
        {
            let url = scenarios.appendingPathComponent(name)
            subjects.append(
                Subject(
                    path: "Scenarios/\(name)", kind: .scenario, bytes: Array((try? Data(contentsOf: url)) ?? Data())))
        }
        let images = root.appendingPathComponent("Images")
        for name in ((try? fm.contentsOfDirectory(atPath: images.path)) ?? []).sorted() {
            let folder = images.appendingPathComponent(name)
            let url = folder.appendingPathComponent("recipe.yaml")
            guard let data = try? Data(contentsOf: url) else { continue }
            subjects.append(
                Subject(path: "Images/\(name)/recipe.yaml", kind: .recipe(folder: folder), bytes: Array(data)))
        }
        return subjects
    }()

    /// Mutations per shipped file.
    static let mutationsPerFile = 40

    /// Fragments that mean something to YAML, to splice in.
    static let fragments: [String] = [
        ":", ": ", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "&b [1, 2] ", "*b", "!!binary ", "!!str ", "!custom ",
        "\t", "\n  ", "\n", "\"", "'", "#", "\n---\n", "\n...\n", "? ", "|", ">", "%YAML 1.2\n", "<<: *a\n", "\u{0}",
        "99999999999999999999999", "-1", "1e400", ".nan", ".inf", "~", "null", "true", "0x7f", "0o17", "1_000",
        "9223372036854775808", "-9223372036854775809", "120h", "0s", "1ms", "\u{FEFF}", "\r\n", "é", "\u{202E}",
    ]

    /// One mutation of `bytes`, drawn from `generator`.
    static func mutate(_ bytes: [UInt8], using generator: inout SplitMix64) -> (String, [UInt8]) {
        var bytes = bytes
        let position = { (generator: inout SplitMix64) in bytes.isEmpty ? 0 : generator.next(below: bytes.count + 1) }
        switch generator.next(below: 8) {
        case 0:
            let at = position(&generator)
            guard at < bytes.count else { return ("empty", []) }
            let value = UInt8(truncatingIfNeeded: generator.next())
            bytes[at] = value
            return ("byte \(at) set to 0x\(String(value, radix: 16))", bytes)
        case 1:
            let at = position(&generator)
            let length = min(bytes.count - at, 1 + generator.next(below: 40))
            bytes.removeSubrange(at..<(at + length))
            return ("\(length) bytes deleted at \(at)", bytes)
        case 2:
            let at = position(&generator)
            let fragment = fragments[generator.next(below: fragments.count)]
            bytes.insert(contentsOf: Array(fragment.utf8), at: at)
            return ("\(fragment.debugDescription) inserted at \(at)", bytes)
        case 3:
            let at = position(&generator)
            return ("truncated at \(at)", Array(bytes.prefix(at)))
        case 4:
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            guard lines.count > 1 else { return ("unchanged", bytes) }
            let a = generator.next(below: lines.count)
            let b = generator.next(below: lines.count)
            if generator.next(below: 2) == 0 {
                lines.swapAt(a, b)
                return ("lines \(a + 1) and \(b + 1) swapped", Array(lines.joined(separator: [UInt8(ascii: "\n")])))
            }
            lines.insert(lines[a], at: b)
            return ("line \(a + 1) repeated at \(b + 1)", Array(lines.joined(separator: [UInt8(ascii: "\n")])))
        case 5:
            // A value replaced by a huge one.
            guard let colon = bytes.indices.filter({ bytes[$0] == UInt8(ascii: ":") }).randomElement(using: &generator)
            else { return ("unchanged", bytes) }
            let end = bytes[colon...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let huge =
                generator.next(below: 2) == 0
                ? " " + String(repeating: "9", count: 5000) : " " + String(repeating: "x", count: 200_000)
            bytes.replaceSubrange((colon + 1)..<end, with: Array(huge.utf8))
            return ("value after byte \(colon) made huge", bytes)
        case 6:
            // Invalid UTF-8: a lone continuation byte, a truncated sequence, an overlong form.
            let bad: [[UInt8]] = [[0x80], [0xC3], [0xE2, 0x82], [0xC0, 0xAF], [0xFF], [0xED, 0xA0, 0x80]]
            let at = position(&generator)
            let chosen = bad[generator.next(below: bad.count)]
            bytes.insert(contentsOf: chosen, at: at)
            return ("invalid UTF-8 \(chosen) at \(at)", bytes)
        default:
            // Indentation changed on one line.
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            guard !lines.isEmpty else { return ("unchanged", bytes) }
            let line = generator.next(below: lines.count)
            if generator.next(below: 2) == 0 {
                lines[line].insert(
                    contentsOf: Array(repeating: UInt8(ascii: " "), count: 1 + generator.next(below: 4)), at: 0)
            } else {
                lines[line].removeFirst(min(lines[line].count, 2))
            }
            return ("indentation of line \(line + 1) changed", Array(lines.joined(separator: [UInt8(ascii: "\n")])))
        }
    }

    /// Inputs built to hurt a loader.
    static let hostile: [(String, [UInt8])] = {
        var cases: [(String, [UInt8])] = []
        func add(_ name: String, _ text: String) { cases.append((name, Array(text.utf8))) }
        add("empty", "")
        add("only a comment", "# nothing\n")
        add("a byte-order mark", "\u{FEFF}version: 1\nname: x\nouter: {image: a}\n")
        add("CRLF line ends", "version: 1\r\nname: crlf\r\nouter:\r\n  image: a\r\n")
        add("flow nesting 10 000 deep", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        add(
            "block nesting 500 deep",
            (0..<500).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n") + " 1\n")
        add(
            "list nesting 300 deep",
            (0..<300).map { String(repeating: "  ", count: $0) + "-" }.joined(separator: "\n") + " x\n")
        var bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...12 {
            bomb +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        add("billion laughs", "version: 1\nname: bomb\n" + bomb + "outer: {image: *a12}\n")
        add(
            "alias bomb as a matrix value",
            "version: 1\nname: bomb\nouter: {image: a}\nx: " + bomb.replacingOccurrences(of: "\n", with: " ") + "\n")
        add("alias used as a key", "version: 1\nname: &n x\n*n : 1\nouter: {image: a}\n")
        add("undefined alias", "version: 1\nname: *missing\n")
        add("a self-referencing anchor", "a: &a [*a]\n")
        add("merge key", "base: &b {image: a}\nouter:\n  <<: *b\n")
        add("two documents", "version: 1\n---\nversion: 2\n")
        add("a tag on everything", "!!map {!!str version: !!int 1, !!str name: !!str t}\n")
        add("a 2 MiB file", "version: 1\nname: big\ndescription: " + String(repeating: "x", count: 2 << 20) + "\n")
        add("a flow mapping of 20 000 keys", "{" + (0..<20_000).map { "k\($0): 1" }.joined(separator: ", ") + "}")
        add("a 500 kB key", "version: 1\n" + String(repeating: "k", count: 500_000) + ": 1\n")
        add("200 000 list items", "[" + Array(repeating: "1", count: 200_000).joined(separator: ",") + "]")
        add("repeat beyond Int", "version: 1\nname: r\nrepeat: 99999999999999999999999999\nouter: {image: a}\n")
        add("negative repeat", "version: 1\nname: r\nrepeat: -5\nouter: {image: a}\n")
        add("timeout beyond Int64", "version: 1\nname: r\ntimeout: 99999999999999999999s\nouter: {image: a}\n")
        add(
            "matrix with 90 000 values",
            "version: 1\nname: m\nouter: {image: a}\nmatrix:\n  inner.runs: ["
                + (1...90_000).map(String.init).joined(separator: ", ") + "]\n")
        add(
            "matrix of 3 keys with 300 values each",
            "version: 1\nname: m\nouter: {image: a}\nmatrix:\n"
                + ["inner.runs", "daemon.command", "outer.setup"].map { key in
                    "  \(key): [" + (1...300).map { key == "inner.runs" ? "\($0)" : "[x\($0)]" }.joined(separator: ", ")
                        + "]"
                }.joined(separator: "\n") + "\n")
        add("NUL bytes", "version: 1\nname: \u{0}\u{0}\nouter: {image: a}\n")
        cases.append(("invalid UTF-8 in a key", Array("version: 1\nna".utf8) + [0xFF, 0xFE] + Array("me: x\n".utf8)))
        cases.append(("UTF-16", Array("version: 1\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })))
        cases.append(("random bytes", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }))
        return cases
    }()

    /// Loads one input, checking the result is a load or a clear error, in loose time.
    /// - Returns: Whether it failed to load.
    @discardableResult
    static func check(_ subject: Subject, _ bytes: [UInt8], what: String) async -> Bool {
        await Task.yield()
        let file = "fuzz/\(subject.path)"
        let began = ContinuousClock.now
        let error = subject.load(bytes, file: file)
        let elapsed = ContinuousClock.now - began
        if let error {
            #expect(!error.isEmpty, "\(what): failed without saying why")
            #expect(error.contains(file), "\(what): the error does not name the file: \(error.prefix(300))")
            #expect(!error.contains("unexpected error type"), "\(what): \(error.prefix(300))")
        }
        // Loose: most cases take milliseconds, the largest a few seconds in a debug build; a
        // loader that goes quadratic takes minutes.
        #expect(elapsed < .seconds(15), "\(what) took \(elapsed)")
        return error != nil
    }

    @Test("there is something to fuzz: the shipped scenarios and recipes load as they are")
    func shippedFilesLoad() {
        #expect(Self.subjects.count >= 4, "\(Self.subjects.map(\.path))")
        for subject in Self.subjects {
            #expect(subject.load(subject.bytes, file: subject.path) == nil, "\(subject.path) does not load as shipped")
        }
    }

    @Test("random mutations of each shipped file load or fail with a clear error", arguments: subjects)
    func mutations(of subject: Subject) async {
        var generator = SplitMix64(
            seed: 0xD1_4D1A_B000 ^ UInt64(subject.path.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF_FFFF))
        var failures = 0
        for number in 0..<Self.mutationsPerFile {
            var bytes = subject.bytes
            var steps: [String] = []
            // One to three mutations on top of each other.
            for _ in 0...generator.next(below: 3) {
                let (step, mutated) = Self.mutate(bytes, using: &generator)
                steps.append(step)
                bytes = mutated
            }
            if await Self.check(
                subject, bytes, what: "\(subject.path) mutation \(number) (\(steps.joined(separator: "; ")))")
            {
                failures += 1
            }
        }
        // Mutations that break nothing are fine, but the fuzzer must reach the error paths.
        #expect(failures > 0, "no mutation of \(subject.path) produced an error")
    }

    @Test("inputs built to hurt a loader load or fail with a clear error", arguments: ["scenario", "recipe"])
    func hostileInputs(kind: String) async throws {
        let subject = try #require(
            Self.subjects.first { subject in
                switch subject.kind {
                case .scenario: kind == "scenario"
                case .recipe: kind == "recipe"
                }
            })
        // Both loaders share the YAML layer; the largest inputs go through it once.
        for (name, bytes) in Self.hostile where kind == "scenario" || bytes.count < 100_000 {
            await Self.check(subject, bytes, what: "\(name) as \(subject.path)")
        }
    }

    @Test(
        "a trials.jsonl with corrupted lines: every other line is read, every corrupted line is reported by its number")
    func corruptTrialsFile() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        var generator = SplitMix64(seed: 7)
        for round in 0..<20 {
            let store = try ResultStore(creatingIn: root.url, runID: RunID("fuzz-\(round)")!)
            let records = (1...30).map {
                ResultsFixtures.record(
                    $0, outcome: $0 % 4 == 0 ? .fail : .pass, signature: $0 % 4 == 0 ? "inner: boom" : nil)
            }
            for record in records { try await store.append(record) }
            var lines = try Data(contentsOf: store.trialsURL).split(
                separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false
            ).map(Array.init)
            lines.removeLast()
            var touched = Set<Int>()
            for _ in 0..<(1 + generator.next(below: 5)) {
                let index = generator.next(below: lines.count)
                touched.insert(index + 1)
                switch generator.next(below: 4) {
                case 0: lines[index] = Array(lines[index].prefix(generator.next(below: lines[index].count)))
                case 1:
                    lines[index][generator.next(below: lines[index].count)] =
                        [0x00, 0xFF, UInt8(ascii: "{"), UInt8(ascii: "\"")][generator.next(below: 4)]
                case 2: lines[index] = []
                default: lines[index] = Array("{\"runID\": 5}".utf8)
                }
            }
            try Data(lines.joined(separator: [UInt8(ascii: "\n")]) + [UInt8(ascii: "\n")]).write(to: store.trialsURL)
            let log = try await store.readTrials()
            #expect(log.records.count + log.corruptLines.count == 30)
            #expect(
                Set(log.corruptLines.map(\.lineNumber)).isSubset(of: touched),
                "round \(round): an untouched line was reported")
            let intact = Set(1...30).subtracting(touched)
            #expect(
                Set(log.records.map(\.sequence)).isSuperset(of: Set(intact.map { records[$0 - 1].sequence })),
                "round \(round): an untouched record was lost")
            for line in log.corruptLines {
                #expect(line.description.contains("line \(line.lineNumber)"))
            }
        }
    }
}
