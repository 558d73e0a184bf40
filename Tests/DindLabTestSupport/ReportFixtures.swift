package import DindLabCore
package import Foundation

/// Run folders made without an engine: a plan from scenario YAML, records synthesised for its
/// trials the way TrialExecutor makes them, written through ResultStore.
package enum ReportFixtures {
    /// A 2 × 2 matrix with an expectation, repeat 5: 4 cells, 20 trials.
    package static let modesYAML = """
        version: 1
        name: modes
        repeat: 5
        outer: {image: dindlab/outer:bookworm}
        expect:
          success-rate: ">= 0.9"
        matrix:
          daemon.start: [cmd, exec]
          inner.mode: [ti, d]

        """

    /// One cell, no expectation, repeat 3.
    package static let plainYAML = """
        version: 1
        name: plain
        repeat: 3
        outer: {image: dindlab/outer:bookworm}

        """

    /// A signature with everything that needs escaping somewhere: markup, quotes, a table
    /// pipe, an ampersand and a terminal escape.
    package static let nastySignature =
        "daemon: failed to start daemon: Devices cgroup isn't mounted <&> \"x\" | \u{1B}[31m"

    /// What each trial of the mixed fixture does, so that its cells get every judgement:
    /// - `cmd,ti`: all pass (passes);
    /// - `cmd,d`: trial 0 fails, the rest pass: 80% [37.6%, 96.4%], fails `>= 0.9` by the rate
    ///   but not by the interval (so `--strict` lets it pass);
    /// - `exec,ti`: all fail with `nastySignature` (fails by rate and interval);
    /// - `exec,d`: all harness errors (not judged);
    /// - `plain`: trial 1 times out (a failure without an expectation).
    package static func mixedOutcome(_ trial: PlannedTrial) -> (TrialOutcome, String?) {
        switch (trial.scenarioName, trial.cell.id, trial.index) {
        case ("modes", "daemon.start=cmd,inner.mode=d", 0): (.fail, "inner: exit status 1")
        case ("modes", "daemon.start=exec,inner.mode=ti", _): (.fail, nastySignature)
        case ("modes", "daemon.start=exec,inner.mode=d", _): (.error, "outer: image dindlab/outer:bookworm is missing")
        case ("plain", _, 1): (.timeout, "inner: timed out after 300s")
        default: (.pass, nil)
        }
    }

    /// Writes scenario files into `folder` (created if missing) and plans them.
    package static func plan(_ yamls: [String], in folder: URL, seed: UInt64 = 42) throws -> (plan: Plan, files: [URL])
    {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var files: [URL] = []
        var scenarios: [Scenario] = []
        for (index, yaml) in yamls.enumerated() {
            let file = folder.appendingPathComponent("scenario\(index).yaml")
            try yaml.write(to: file, atomically: true, encoding: .utf8)
            files.append(file)
            scenarios.append(try ScenarioLoader.load(file: file.path))
        }
        return (try Plan(scenarios: scenarios, seed: seed), files)
    }

    /// A record of a planned trial, as TrialExecutor would make it.
    package static func record(
        _ trial: PlannedTrial, runID: RunID, engine: String = "default", outcome: TrialOutcome, signature: String?
    ) -> TrialRecord {
        let start = ResultsFixtures.start.addingTimeInterval(Double(trial.sequence) * 2)
        return TrialRecord(
            runID: runID, trialID: trial.id, sequence: trial.sequence, scenario: trial.scenarioName,
            cellID: trial.cell.id, cellValues: CellValues(trial.cell.values.map { ($0.key, $0.value) }),
            engine: engine, outcome: outcome, failingPhase: outcome == .pass ? nil : .inner,
            signature: signature, firstError: signature, startedAt: start, finishedAt: start.addingTimeInterval(1.5),
            artifactsPath: outcome == .pass ? nil : "artifacts/\(trial.id)")
    }

    package static let engine = RunManifest.Engine(
        name: "default", endpoint: "unix:///tmp/dl/docker.sock",
        fingerprint: EngineFingerprint(
            daemonVersion: "20.10.24", apiVersion: "1.41", kernelVersion: "6.1.0-18-amd64",
            storageDriver: "overlay2", cgroupDriver: "cgroupfs", cgroupVersion: "2",
            daemonCgroupLines: ["0::/system.slice/docker.service"], privilegedSupported: true))

    /// Writes a run folder for `plan` (whole or a shard) as the runner would: manifest, one
    /// record per trial, an artifacts folder for each trial that did not pass.
    @discardableResult
    package static func writeRun(
        _ plan: Plan, files: [URL], in root: URL, runID: RunID, engine: RunManifest.Engine = engine,
        outcome: (PlannedTrial) -> (TrialOutcome, String?) = mixedOutcome
    ) async throws -> URL {
        let store = try ResultStore(creatingIn: root, runID: runID)
        var manifest = RunManifest(
            runID: runID, startedAt: ResultsFixtures.start, commandLine: ["dindlab", "run"], plan: plan,
            scenarioFiles: try files.map {
                try RunManifest.ScenarioFile(reading: $0, recordedAs: $0.lastPathComponent)
            },
            engines: [engine])
        manifest.finishedAt = ResultsFixtures.start.addingTimeInterval(100)
        try await store.writeManifest(manifest)
        for trial in plan.trials {
            let (result, signature) = outcome(trial)
            let record = record(trial, runID: runID, engine: engine.name, outcome: result, signature: signature)
            try await store.append(record)
            if result != .pass {
                let folder = try await store.artifactsDirectory(for: trial.id)
                try "log of \(trial.id)\n".write(
                    to: folder.appendingPathComponent("daemon.log"), atomically: true, encoding: .utf8)
            }
        }
        return store.directory
    }

    /// The mixed fixture: `modes` and `plain`, whole plan, in a fresh run folder.
    package static func mixedRun(in root: URL, runID: RunID = ResultsFixtures.runID) async throws -> URL {
        let (plan, files) = try plan([modesYAML, plainYAML], in: root)
        return try await writeRun(plan, files: files, in: root.appendingPathComponent("results"), runID: runID)
    }

    /// Runs a command line tool; nil when it is not installed.
    package static func tool(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs a program to its end and returns its status and output (stdout and stderr together).
    package static func run(_ program: URL, _ arguments: [String], timeout: Duration = .seconds(120)) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // A hung browser must not hang the suite: stop it at the deadline.
        let deadline = DispatchTime.now() + .milliseconds(Int(timeout.components.seconds * 1000))
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: deadline, execute: watchdog)
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
