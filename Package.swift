// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dindlab",
    platforms: [.macOS(.v15)],  // the transport uses Synchronization.Atomic (macOS 15)
    products: [
        .executable(name: "dindlab", targets: ["dindlab"]),
        .library(name: "DockerEngine", targets: ["DockerEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // The only C in the project: typed, non-variadic wrappers around libcurl.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // The system's libyaml (Debian: libyaml-dev, which scripts/setup installs): a module map
        // over <yaml.h>, linked as -lyaml; the YAML layer of the core builds its nodes from
        // libyaml's events. Header and library are on the default paths, so no pkg-config.
        .systemLibrary(name: "CLibYAML"),
        // Engine API client. Knows nothing of scenarios.
        .target(
            name: "DockerEngine",
            dependencies: ["CCurl"]
        ),
        // The pure core: scenarios, YAML, plan, results, statistics, signatures, reports,
        // compare, history. No engine, no process, no socket: testable from values alone.
        .target(
            name: "DindLabCore",
            dependencies: ["CLibYAML"]
        ),
        // What touches engines and the host: private engines (namespaces, daemon eras),
        // outer images, fingerprints and probes, the ownership labels of engine objects.
        .target(
            name: "DindLabEngines",
            dependencies: [
                "DindLabCore",
                "DockerEngine",
            ]
        ),
        // Running trials: the trial lifecycle, the runner, repro, forensics, reliability.
        .target(
            name: "DindLabRunner",
            dependencies: [
                "DindLabCore",
                "DindLabEngines",
                "DockerEngine",
            ]
        ),
        // The command line and the terminal: argument parsing (Commands/, one file per
        // subcommand) and the words and output for the libraries' facts (Frontend/).
        .executableTarget(
            name: "dindlab",
            dependencies: [
                "DindLabCore",
                "DindLabEngines",
                "DindLabRunner",
                "DockerEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // An in-process HTTP/1.1 server on a temporary Unix socket that plays Docker daemons.
        .target(
            name: "FakeEngine",
            path: "Tests/FakeEngine",
            // Swift 6.3.1 crashes (signal 11 in IRGen) optimising ConnectionHandler.serve;
            // the fake engine is test support and needs no optimisation.
            swiftSettings: [.unsafeFlags(["-Onone"], .when(configuration: .release))]
        ),
        // Benchmarks (scripts/bench): the fake engine as a process of its own, and the read +
        // tally + render path of `dindlab report` over a large trials.jsonl (and the synthetic
        // nights the history row reads). Not products.
        .executableTarget(
            name: "dindlab-fake-engine",
            dependencies: ["FakeEngine"],
            path: "benchmarks/FakeEngineProcess"
        ),
        .executableTarget(
            name: "dindlab-report-bench",
            dependencies: ["DindLabCore"],
            path: "benchmarks/ReportBenchmark"
        ),
        .testTarget(
            name: "DockerEngineTests",
            dependencies: ["DockerEngine", "FakeEngine"]
        ),
        // Fixtures the test targets share (trial records, plans, temporary folders): values
        // of the core only.
        .target(
            name: "DindLabTestSupport",
            dependencies: ["DindLabCore"],
            path: "Tests/DindLabTestSupport"
        ),
        // Core tests from values alone: no engine, fake or real.
        .testTarget(
            name: "DindLabCoreTests",
            dependencies: ["DindLabCore", "DindLabTestSupport"]
        ),
        // Tests of the engine side (DindLabEngines, DindLabRunner), most against the fake engine.
        .testTarget(
            name: "DindLabEngineSideTests",
            dependencies: [
                "DindLabCore", "DindLabEngines", "DindLabRunner", "DockerEngine", "FakeEngine", "DindLabTestSupport",
            ]
        ),
        // The executable's own code: how it words the library's facts, and the layering rule
        // that keeps the command line out of the libraries (it reads the sources).
        .testTarget(
            name: "FrontendTests",
            dependencies: [
                "dindlab", "DindLabCore", "DindLabEngines", "DindLabRunner", "DockerEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Tests against a real engine (the private dockerd that scripts/test starts).
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["DindLabCore", "DindLabEngines", "DindLabRunner", "DockerEngine", "FakeEngine"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Every Swift target: `any` before existential types, imports internal unless a public
// signature needs them (`public import`), members visible only from modules a file imports.
for target in package.targets where target.type != .system && target.name != "CCurl" {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("InternalImportsByDefault"),
            .enableUpcomingFeature("MemberImportVisibility"),
        ]
}
