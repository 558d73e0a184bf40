package import Foundation

/// `manifest.json`: what a run was, so that it can be understood and repeated later.
package struct RunManifest: Sendable, Hashable, Codable {
    /// A scenario file the run read, with the digest of its contents.
    package struct ScenarioFile: Sendable, Hashable, Codable {
        /// The path as given on the command line.
        package var path: String
        /// 64 lowercase hex digits.
        package var sha256: String
        /// The name of the scenario the file holds, so that `dindlab history` can tell on which
        /// night a scenario's file changed; nil in manifests written before it was recorded.
        package var scenario: String?

        package init(path: String, sha256: String, scenario: String? = nil) {
            self.path = path
            self.sha256 = sha256
            self.scenario = scenario
        }

        /// The files `plan`'s scenarios were parsed from, each with the digest of the bytes
        /// parsed (`Scenario.sourceSHA256`): the file is not read a second time to be hashed.
        /// Scenarios built in code (no source or digest) have no entry.
        package static func files(of plan: Plan) -> [ScenarioFile] {
            var files: [ScenarioFile] = []
            for planned in plan.scenarios {
                guard let path = planned.scenario.source, let sha256 = planned.scenario.sourceSHA256,
                    !files.contains(where: { $0.path == path })
                else { continue }
                files.append(ScenarioFile(path: path, sha256: sha256, scenario: planned.scenario.name))
            }
            return files
        }

        /// Reads a scenario file and digests it.
        /// - Parameters:
        ///   - url: The file.
        ///   - path: The path to record; by default the URL's path.
        /// - Throws: `ResultsError` when the file cannot be read.
        package init(reading url: URL, recordedAs path: String? = nil) throws(ResultsError) {
            self.init(path: path ?? url.path, sha256: try SHA256.hexDigest(ofFileAt: url))
        }
    }

    /// An engine the run used.
    package struct Engine: Sendable, Hashable, Codable {
        /// The name trial records refer to.
        package var name: String
        /// Where it was reached, e.g. `unix:///var/run/docker.sock`.
        package var endpoint: String?
        package var fingerprint: EngineFingerprint

        package init(name: String, endpoint: String? = nil, fingerprint: EngineFingerprint) {
            self.name = name
            self.endpoint = endpoint
            self.fingerprint = fingerprint
        }
    }

    package var runID: RunID
    package var startedAt: Date
    /// Nil while the run is in progress (the manifest is rewritten when it ends).
    package var finishedAt: Date?
    package var harnessVersion: String
    /// The command line, argument by argument.
    package var commandLine: [String]
    /// The seed that ordered the run's trials, if it was shuffled.
    package var seed: UInt64?
    /// What the run was asked to do, as values (`dindlab run --resume` rebuilds the run from
    /// it); nil for merged runs, repro runs and manifests written before it was recorded.
    package var request: RunRequest?
    package var scenarioFiles: [ScenarioFile]
    package var engines: [Engine]
    /// The expectations the run is judged by; nil in manifests written before they were recorded.
    package var expectations: RunExpectations?
    /// Which part of the plan this run is, when it ran with `--shard K/N`.
    package var shard: Plan.Shard?
    /// How many trials the whole plan has (all shards together); nil in older manifests.
    package var plannedTrials: Int?
    /// The runs `dindlab merge` combined into this one; nil for a run that ran trials itself.
    package var mergedFrom: [MergedRun]?
    /// True when a stop condition (repro's `--until-fail`) ended the run before its plan was
    /// done, so the trials it did not run are not missing; nil otherwise.
    package var stoppedEarly: Bool?
    /// Cells not run because their outer image is not on their engine (e.g. the 1.7-era
    /// images, which need the user's own binaries); their trials are not missing.
    package var skippedCells: [SkippedCell]?

    /// A cell left out of a run, and why.
    package struct SkippedCell: Sendable, Hashable, Codable {
        package var scenario: String
        package var cellID: String
        package var engine: String
        package var trials: Int
        package var reason: String
        /// The cell's matrix values, for the reports' heat maps; nil in older manifests.
        package var cellValues: CellValues?
        /// The cell's index in its scenario's matrix, so reports keep matrix order; nil in
        /// older manifests.
        package var cellIndex: Int?

        package init(
            scenario: String, cellID: String, engine: String, trials: Int, reason: String,
            cellValues: CellValues? = nil, cellIndex: Int? = nil
        ) {
            self.scenario = scenario
            self.cellID = cellID
            self.engine = engine
            self.trials = trials
            self.reason = reason
            self.cellValues = cellValues
            self.cellIndex = cellIndex
        }
    }

    /// The outer images the run's cells use, per engine, as their labels describe them
    /// (Docker version, and for static-binary images the binary's sha256 and whether it was
    /// the recipe's published binary or the user's own build); nil in older manifests.
    package var outerImages: [OuterImage]?

    /// One outer image on one engine.
    package struct OuterImage: Sendable, Hashable, Codable {
        package var engine: String
        package var image: String
        package var imageID: String
        package var dockerVersion: String?
        package var recipe: String?
        package var binarySHA256: String?
        /// `published` or `own-build`.
        package var binaryOrigin: String?

        package init(engine: String, image: String, imageID: String, labels: OuterImageLabels?) {
            self.engine = engine
            self.image = image
            self.imageID = imageID
            self.dockerVersion = labels?.dockerVersion
            self.recipe = labels?.recipe
            self.binarySHA256 = labels?.binarySHA256
            self.binaryOrigin = labels?.binaryOrigin?.rawValue
        }
    }

    /// The scenarios whose trials of a cell can meet what earlier ones left behind
    /// (`isolation: cell`, or a fault injected): only for them does the failure rate after a
    /// cell's first failure mean something, so only their tables show it. nil in older
    /// manifests (every scenario then shows it where it has data).
    package var cellStateScenarios: [String]?

    /// Trials of skipped cells.
    package var skippedTrialCount: Int { (skippedCells ?? []).reduce(0) { $0 + $1.trials } }

    /// A run that `dindlab merge` took trials from.
    package struct MergedRun: Sendable, Hashable, Codable {
        package var runID: RunID
        package var shard: Plan.Shard?
        /// Its command line, from its manifest.
        package var commandLine: [String]

        package init(runID: RunID, shard: Plan.Shard?, commandLine: [String]) {
            self.runID = runID
            self.shard = shard
            self.commandLine = commandLine
        }
    }

    /// - Parameters:
    ///   - runID: The run.
    ///   - startedAt: When it started (kept to the millisecond).
    ///   - finishedAt: When it ended; nil while it runs.
    ///   - harnessVersion: By default this build's `Harness.version`.
    ///   - commandLine: The arguments the executable was started with.
    ///   - seed: The seed that ordered the trials, if any.
    ///   - scenarioFiles: The scenario files read, with digests.
    ///   - engines: The engines used, with fingerprints.
    ///   - expectations: The expectations the run is judged by.
    ///   - shard: The part of the plan, for a sharded run.
    ///   - plannedTrials: The whole plan's trial count.
    ///   - mergedFrom: The runs merged into this one.
    package init(
        runID: RunID, startedAt: Date, finishedAt: Date? = nil, harnessVersion: String = Harness.version,
        commandLine: [String], seed: UInt64? = nil, scenarioFiles: [ScenarioFile] = [], engines: [Engine] = [],
        expectations: RunExpectations? = nil, shard: Plan.Shard? = nil, plannedTrials: Int? = nil,
        mergedFrom: [MergedRun]? = nil
    ) {
        self.runID = runID
        // Times are kept to the millisecond, as results files store them.
        self.startedAt = Timestamp.rounded(startedAt)
        self.finishedAt = finishedAt.map(Timestamp.rounded)
        self.harnessVersion = harnessVersion
        self.commandLine = commandLine
        self.seed = seed
        self.scenarioFiles = scenarioFiles
        self.engines = engines
        self.expectations = expectations
        self.shard = shard
        self.plannedTrials = plannedTrials
        self.mergedFrom = mergedFrom
    }
}

extension RunManifest {
    /// The manifest of a run of `plan`: its seed, expectations, shard and whole-plan size.
    /// - Parameters:
    ///   - runID: The run.
    ///   - startedAt: When it started.
    ///   - commandLine: The arguments.
    ///   - plan: The plan (whole or a shard) the run makes.
    ///   - scenarioFiles: The scenario files read, with digests.
    ///   - engines: The engines used, with fingerprints.
    package init(
        runID: RunID, startedAt: Date, commandLine: [String], plan: Plan, scenarioFiles: [ScenarioFile],
        engines: [Engine]
    ) {
        // Each file names the scenario it holds (a plan's scenarios know their source file).
        let named = scenarioFiles.map { file in
            var file = file
            file.scenario = file.scenario ?? plan.scenarios.first { $0.scenario.source == file.path }?.scenario.name
            return file
        }
        self.init(
            runID: runID, startedAt: startedAt, commandLine: commandLine, seed: plan.seed,
            scenarioFiles: named, engines: engines, expectations: RunExpectations(of: plan),
            shard: plan.shard, plannedTrials: plan.wholePlanTrialCount)
        cellStateScenarios = plan.scenarios.filter { planned in
            planned.scenario.isolation == .cell || planned.cells.contains { $0.scenario.faults.killDaemonAtTrial > 0 }
        }.map(\.scenario.name)
    }
}
