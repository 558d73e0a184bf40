// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dindlab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dindlab", targets: ["dindlab"]),
        .library(name: "DindLab", targets: ["DindLab"]),
        .library(name: "DockerEngine", targets: ["DockerEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // The only C in the project: typed, non-variadic wrappers around libcurl.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // Engine API client. Knows nothing of scenarios.
        .target(
            name: "DockerEngine",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Scenarios, images, runner, results, statistics, reports, private engines.
        .target(
            name: "DindLab",
            dependencies: [
                "DockerEngine",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Argument parsing only: one file per subcommand.
        .executableTarget(
            name: "dindlab",
            dependencies: [
                "DindLab",
                "DockerEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
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
            dependencies: ["DindLab"],
            path: "benchmarks/ReportBenchmark"
        ),
        .testTarget(
            name: "DockerEngineTests",
            dependencies: ["DockerEngine", "FakeEngine"]
        ),
        .testTarget(
            name: "DindLabTests",
            dependencies: ["DindLab", "DockerEngine", "FakeEngine"]
        ),
        // The executable's own code: how it words the library's facts, and the layering rule
        // that keeps the command line out of the libraries (it reads the sources).
        .testTarget(
            name: "FrontendTests",
            dependencies: ["dindlab", "DindLab", "DockerEngine", "FakeEngine"]
        ),
        // Tests against a real engine (the private dockerd that scripts/test starts).
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["DindLab", "DockerEngine", "FakeEngine"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
