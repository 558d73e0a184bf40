import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner
@testable import dindlab

/// The libraries' errors about options say what happened; the executable names the option
/// (`--only`, `--cell`, `--binary`, `--dir`) in the message the user reads. These are the
/// assertions on those words that the library tests made before the wording moved here.
@Suite("Diagnostics: errors worded with the options they are about")
struct OptionErrorTextTests {
    static let matrix = """
        version: 1
        name: m
        outer: {image: base}
        matrix:
          daemon.start: [cmd, exec]
          inner.mode: [ti, d]
          outer.image: [a, b, c]

        """

    @Test(
        "a bad --only says what is wrong",
        arguments: [
            ("inner.mode", "--only \"inner.mode\": expected key=value, e.g. --only inner.mode=ti."),
            ("=ti", "--only \"=ti\": expected key=value, e.g. --only inner.mode=ti."),
            (
                "isolation=cell",
                "--only isolation=cell: isolation is not a matrix key of the scenarios given (the matrix keys are daemon.start, inner.mode, outer.image)."
            ),
            (
                "colour=blue",
                "--only colour=blue: colour is not a matrix key of the scenarios given (the matrix keys are daemon.start, inner.mode, outer.image)."
            ),
            ("inner.mode=x", "--only inner.mode=x: expected one of ti, d, got \"x\"."),
            (
                "outer.image=z",
                "--only outer.image=z: the matrix never gives outer.image the value \"z\"; its values are a, b, c."
            ),
            ("outer.image=", "--only outer.image=: expected a string, got null."),
        ])
    func badOnly(argument: String, expected: String) throws {
        let scenario = try ScenarioLoader.load(yaml: Self.matrix, file: "m.yaml")
        do {
            _ = try scenario.cells(only: [CellFilter(parsing: argument)])
            Issue.record("--only \(argument) was accepted")
        } catch {
            #expect(DiagnosticText.text(for: error) == expected)
        }
    }

    @Test("--repeat, --max, --until-signature and --last name their option")
    func counts() {
        #expect(DiagnosticText.text(for: PlanError.invalidRepeat(0)) == "--repeat 0: a cell needs at least 1 trial.")
        #expect(DiagnosticText.text(for: ReproError.invalidMax(0)) == "--max 0: repro needs at least 1 trial.")
        #expect(
            DiagnosticText.text(for: ReproError.badSignaturePattern("(", reason: "unbalanced"))
                == "--until-signature ( is not a regular expression: unbalanced.")
        #expect(DiagnosticText.text(for: HistoryError.badLast(0)) == "--last must be at least one night, got 0.")
        #expect(
            DiagnosticText.text(for: CompareError.tooFewEngines(1)).hasSuffix("several run folders, or --engine twice.")
        )
        // What is not about an option reads as the library says it.
        #expect(DiagnosticText.text(for: PlanError.noScenarios) == PlanError.noScenarios.description)
    }

    @Test("repro lists the cells as --cell arguments")
    func cells() throws {
        let cells = [
            "daemon.start=cmd,inner.command=[sh, -c, \"echo ok\"]",
            "daemon.start=exec,inner.command=[sh, -c, \"echo ok\"]",
        ]
        let required = DiagnosticText.text(for: ReproError.cellRequired(scenario: "flaky", cells: cells))
        #expect(required.contains("has 2 cells and repro runs one; choose it with --cell:"))
        #expect(required.contains("\n  --cell daemon.start=exec,inner.command=[sh, -c, \"echo ok\"]"))
        let none = DiagnosticText.text(
            for: ReproError.cellNotSelected("daemon.start=kubelet", scenario: "flaky", cells: cells, reason: "no."))
        #expect(none.hasPrefix("--cell daemon.start=kubelet selects no cell of the scenario flaky"))
        #expect(none.contains("--cell daemon.start=cmd,"))
    }

    @Test("merge names --seed, --repeat and --only, and --shard K/N")
    func merge() {
        #expect(
            DiagnosticText.text(for: MergeError.seedsDiffer(["a: seed 1", "b: seed 2"])).hasSuffix(
                "run every shard with the same --seed."))
        #expect(
            DiagnosticText.text(for: MergeError.plansDiffer(["a: 4", "b: 5"])).hasSuffix(
                "give every shard the same files, --repeat and --only."))
        #expect(
            DiagnosticText.text(for: MergeError.shardCountsDiffer(["a: 1/2", "b: 1/3"])).hasSuffix(
                "give every shard the same N in --shard K/N."))
    }

    @Test("image builds name --binary and --own-build")
    func images() {
        let expected = String(repeating: "0", count: 64)
        let mismatch = DiagnosticText.text(
            for: ImageBuildError.checksumMismatch(recipe: "1.9.1", file: "/b", expected: expected, actual: "ab"))
        #expect(mismatch.contains("--binary"))
        #expect(mismatch.contains("Pass --binary PATH with the file whose sha256 is \(expected)"))
        #expect(mismatch.contains("--own-build"))
        #expect(
            DiagnosticText.text(
                for: ImageBuildError.binaryUnavailable(recipe: "1.9.1", url: "http://x/y", reason: "refused")
            ).contains("Pass --binary PATH"))
        #expect(
            DiagnosticText.text(for: ImageBuildError.binaryNotDeclared(recipe: "1.9.1")).contains("pass --binary PATH"))
        #expect(
            DiagnosticText.text(
                for: ImageBuildError.missingFile(recipe: "1.9.1", what: ImageBuildError.localBinary, path: "/nope")
            ).contains("given with --binary"))
        // The build display's failure line is worded the same way; a reporter of the library's own says it as the library does.
        let display = BuildProgressDisplay(handle: FileHandle(forWritingAtPath: "/dev/null")!, isTerminal: false)
        #expect(
            display.describe(ImageBuildError.binaryNotDeclared(recipe: "1.9.1")).hasSuffix(
                "must be given: pass --binary PATH."))
        #expect(
            RecordingReporter().describe(ImageBuildError.binaryNotDeclared(recipe: "1.9.1")).hasSuffix(
                "must be given as a local file."))
    }

    /// A reporter that keeps the library's wording of errors.
    struct RecordingReporter: BuildProgressReporter {
        func report(_ event: BuildEvent) async {}
    }

    @Test("private engines: dockerd not found names --binary, a long directory --dir, cgroup versions --cgroup-version")
    func engines() throws {
        let missing = #expect(throws: PrivateEngineError.self) {
            try DaemonBinary.defaultDaemon(environment: ["PATH": "/nonexistent"], fallbackDirectories: [])
        }
        let text = DiagnosticText.text(for: try #require(missing))
        #expect(text.contains("apt-get install docker.io"))
        #expect(text.contains("--binary"))
        #expect(
            text
                == "dockerd was not found on PATH (/nonexistent); install it with `apt-get install docker.io`, or pass --binary PATH to a Docker daemon binary."
        )

        let overhead = EngineLayout.socketSuffixes.map { $0.utf8.count + 1 }.max()!
        let fitting = "/" + String(repeating: "d", count: EngineLayout.maximumSocketPathBytes - overhead - 1)
        let long = #expect(throws: PrivateEngineError.self) {
            try EngineLayout(directory: fitting + "d").validateSocketPaths()
        }
        let words = DiagnosticText.text(for: try #require(long))
        #expect(words.contains("108"))
        #expect(words.contains("at most \(fitting.utf8.count) bytes"))
        #expect(words.hasSuffix("; pass --dir a directory of at most \(fitting.utf8.count) bytes, e.g. under /tmp."))

        let v2 = #expect(throws: PrivateEngineError.self) {
            try CgroupVersionSetup.plan(
                requested: .v2, daemon: DaemonVersion(1, 9, 1), mounts: [], placements: [], rootPath: "/r")
        }
        #expect(
            DiagnosticText.text(for: try #require(v2))
                == "A cgroup v2 engine needs Docker 20.10 or later; Docker 1.9.1 knows only cgroup v1; leave out --cgroup-version."
        )
    }

    @Test(
        "a missing outer image: the command that builds it",
        arguments: [
            (
                OuterImageCheck.Source.recipe("bookworm", ownBinary: false),
                "build it with `dindlab images build bookworm --engine unix:///e.sock`"
            ),
            (
                .recipe("1.9.1", ownBinary: true),
                "build it with `dindlab images build 1.9.1 --binary PATH --engine unix:///e.sock` (Docker's old static binaries are no longer published: keep your own)"
            ),
            (
                .noRecipe("bookwrom", folder: "Images", available: ["bookworm", "bullseye"]),
                "no recipe Images/bookwrom exists either: is the name misspelt? The recipes are bookworm, bullseye; build one with `dindlab images build NAME --engine unix:///e.sock`"
            ),
        ])
    func outerImage(source: OuterImageCheck.Source, expected: String) {
        #expect(OptionErrorText.howToGet(source, engine: "unix:///e.sock") == expected)
        #expect(!source.description.contains("dindlab images"))
    }

    @Test("plan's seed line says how to reproduce the order")
    func planSeed() throws {
        let scenario = try ScenarioLoader.load(yaml: Self.matrix, file: "m.yaml")
        let plan = try Plan(scenarios: [scenario], seed: 99)
        #expect(
            PlanCommand.text(of: plan).split(separator: "\n").last == "seed: 99 (reproduce the order with --seed 99)")
    }

    @Test("repro's kept container names gc and --include-kept")
    func keptNote() {
        #expect(ReproCommand.keptNote == "dindlab gc leaves it unless --include-kept")
    }
}
