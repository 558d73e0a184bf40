package import DindLabCore
package import DindLabEngines
package import DockerEngine
package import Foundation

/// How a run goes, beyond its plan.
package struct RunOptions: Sendable {
    /// Trials (or cells with `isolation: cell`) running at once.
    package var jobs: Int
    /// Folder that holds run folders (results/), or the run folder itself with `exactOutput`.
    package var resultsRoot: URL
    /// The command line, for the manifest (the executable passes its arguments in).
    package var commandLine: [String]
    /// What the run was asked to do, recorded in the manifest so that `--resume` can rebuild
    /// it; nil records none.
    package var request: RunRequest?
    /// Collect forensics for passing trials too.
    package var forensicsAlways: Bool
    /// Leave failed trials' outer containers running. Every outer container of the run is
    /// then created with the label `dindlab.kept=true` (labels cannot be added later): dindlab
    /// removes those whose trials pass itself, and `dindlab gc` leaves the rest alone unless
    /// asked (`--include-kept`).
    package var keepFailed: Bool
    /// With `keepFailed`, which failed trials to keep; nil keeps every failed trial.
    package var keepWhen: (@Sendable (TrialRecord) -> Bool)?
    /// Stop starting trials once this returns true for a finished trial (repro).
    package var stopWhen: (@Sendable (TrialRecord) -> Bool)?

    /// Asks the run to end early (signals, see `InterruptSignals`); nil: it runs to the end.
    package var interruption: RunInterruption?
    /// Continue this interrupted run in its own folder instead of starting a new one
    /// (`resultsRoot` and `commandLine` are then the earlier run's).
    package var resume: ResumePoint?
    /// The longest one short engine call of a trial (create, start, inspect, exec create)
    /// may take, so a hung engine ends the trial as an error that names the call instead of
    /// using up the trial's whole timeout. Streams (an exec's output) get the trial's time.
    package var engineCallTimeout: Duration
    /// Keep every trial record in memory for `RunResult.records` (repro and tests read them
    /// there). `dindlab run` does not: its memory then stays flat however many trials run,
    /// since the summary is counted as records come (`TallyAccumulator`) and trials.jsonl
    /// holds every record anyway.
    package var keepRecords: Bool
    /// What earlier runs learnt about the engines' daemons (`EngineFactsCache`); nil: every
    /// engine is probed anew.
    package var engineFactsCache: EngineFactsCache?
    /// DOCKER_HOST, TLS and the API version, for the engines the scenarios name themselves
    /// (`engine: v17`) and the default engine; nil: resolved from the environment when needed.
    package var engineConfiguration: EngineConfiguration?
    /// Let the removal of a unit's last outer container overlap the next unit (default): the
    /// unit frees its place among the `jobs` once only that removal is left, and its record
    /// (which includes the removal) comes when the removal ends. So a stop request made when
    /// a record arrives may find the next trial already started; it then finishes. False
    /// waits for each removal before the next unit starts. A repro (`stopWhen`) always waits.
    package var overlapsCleanup = true

    package init(
        jobs: Int = 1, resultsRoot: URL, commandLine: [String] = [], forensicsAlways: Bool = false,
        keepFailed: Bool = false, keepWhen: (@Sendable (TrialRecord) -> Bool)? = nil,
        stopWhen: (@Sendable (TrialRecord) -> Bool)? = nil,
        interruption: RunInterruption? = nil, resume: ResumePoint? = nil, engineCallTimeout: Duration = .seconds(60),
        keepRecords: Bool = true,
        engineFactsCache: EngineFactsCache? = nil, engineConfiguration: EngineConfiguration? = nil
    ) {
        self.engineConfiguration = engineConfiguration
        self.keepRecords = keepRecords
        self.engineFactsCache = engineFactsCache
        self.jobs = max(1, jobs)
        self.resultsRoot = resultsRoot
        self.commandLine = commandLine
        self.forensicsAlways = forensicsAlways
        self.keepFailed = keepFailed
        self.keepWhen = keepWhen
        self.interruption = interruption
        self.resume = resume
        self.engineCallTimeout = engineCallTimeout
        self.stopWhen = stopWhen
    }
}

/// What a run produced.
package struct RunResult: Sendable {
    package var directory: URL
    /// Every trial record of the run, in plan order, when `RunOptions.keepRecords` (the
    /// default); empty otherwise (trials.jsonl in `directory` has them).
    package var records: [TrialRecord]
    /// How many trials are recorded (with a resumed run's earlier ones).
    package var recordCount: Int
    package var summary: RunSummary
    package var manifest: RunManifest
    /// Trials of the plan that never ran (a stop condition or a signal ended the run early).
    package var skippedTrials: Int
    /// The signal that ended the run early, if one did (see `RunInterruption`).
    package var interruptedBy: Int32?
}

/// Things a run reports while it goes.
package protocol RunObserver: Sendable {
    /// Said once the engines are known, before the first trial.
    func runStarted(directory: URL, plan: Plan, engines: [TrialEngine]) async
    /// Said as each trial ends.
    func trialFinished(_ record: TrialRecord, done: Int, total: Int) async
    /// Said for what the user should know while the run goes: containers that dead runs left
    /// on an engine, what a resumed run still has to do, cells skipped, an engine lost.
    func note(_ notice: RunNotice) async
}

extension RunObserver {
    /// Ignores the notice (the executable's progress printer words them).
    package func note(_ notice: RunNotice) async {}
}

/// What a run tells its observer besides trials, as facts; the executable words them.
package enum RunNotice: Sendable, Hashable {
    /// Containers of dead runs are left on one of the run's engines.
    case orphans(OrphanSurvey)
    /// `jobs` trials at once on an engine whose host has fewer CPUs (`cpus`), so trials wait
    /// for CPU and their phase timings stretch.
    case oversubscribed(jobs: Int, engine: String, cpus: Int)
    /// A resumed run: `recorded` of the plan's `total` trials were recorded before.
    case resuming(runID: RunID, recorded: Int, total: Int)
    /// A cell is not run (its outer image is not on its engine).
    case skippedCell(RunManifest.SkippedCell)
    /// An engine stopped answering during the run (`reason` says how), so no further trial
    /// was started; what it kept of the run stays on it.
    case engineLost(reason: String, engine: String, runDirectory: URL)
}

/// Runs a plan: probes the engines, executes trials up to `jobs` at a time, records each
/// trial as it ends, and summarises.
package struct Runner: Sendable {
    let engines: [EngineSelection]
    let options: RunOptions
    let observer: (any RunObserver)?

    /// - Parameters:
    ///   - engines: Engines to spread trials over (at least one).
    ///   - options: Concurrency, results folder and the rest.
    ///   - observer: Progress reporting, or nil.
    package init(engines: [EngineSelection], options: RunOptions, observer: (any RunObserver)? = nil) {
        self.engines = engines
        self.options = options
        self.observer = observer
    }

    /// Runs every trial of the plan.
    ///
    /// - Parameters:
    ///   - plan: The trials and their order.
    /// - Returns: The records, summary and run folder.
    /// - Throws: `EngineError` when an engine cannot be reached at the start (no run folder is
    ///   made then), `ResultsError` when the results cannot be written.
    package func run(plan: Plan) async throws -> RunResult {
        let resume = options.resume
        let earlier = try resume?.recordedTrials(in: plan) ?? []
        let startedAt = Date()
        // The run folder is made once every engine answered and the scenario files are read: a
        // run that never reached its engine leaves no empty folder behind.
        let runID = resume?.store.runID ?? RunID.generate(at: startedAt)
        ActiveRuns.shared.add(runID.rawValue)
        defer { ActiveRuns.shared.remove(runID.rawValue) }
        let ownership = Ownership.current(runID: runID, startedAt: startedAt).labels

        // The matrix may set the image, so look at the cells' resolved scenarios.
        var probeImages: [String] = []
        for image in plan.scenarios.flatMap(\.cells).map(\.scenario.outer.image)
        where !image.isEmpty && !probeImages.contains(image) {
            probeImages.append(image)
        }
        let selections = try Self.engineSelections(
            given: engines, plan: plan, configuration: options.engineConfiguration)
        var trialEngines: [TrialEngine] = []
        for selection in selections.all {
            let engine = try await Self.prepare(
                selection, probeImages: probeImages, labels: ownership, factsCache: options.engineFactsCache)
            if let orphans = await OrphanCheck.survey(client: engine.client, engineName: engine.name) {
                await observer?.note(.orphans(orphans))
            }
            if let notice = Self.concurrencyNotice(
                jobs: options.jobs, engine: engine.name, cpus: engine.fingerprint.cpuCount)
            {
                await observer?.note(notice)
            }
            trialEngines.append(engine)
        }
        let engineEntries = trialEngines.map {
            RunManifest.Engine(name: $0.name, endpoint: $0.client.address.description, fingerprint: $0.fingerprint)
        }
        let files = resume == nil ? RunManifest.ScenarioFile.files(of: plan) : []
        let store = try resume?.store ?? ResultStore(creatingIn: options.resultsRoot, runID: runID)

        var manifest: RunManifest
        if let resume {
            manifest = resume.manifest
            manifest.finishedAt = nil
            // Engines the resumed part uses replace the earlier entries of the same name.
            manifest.engines =
                manifest.engines.filter { old in !engineEntries.contains { $0.name == old.name } } + engineEntries
        } else {
            manifest = RunManifest(
                runID: store.runID, startedAt: startedAt, commandLine: SecretMasker.maskArguments(options.commandLine),
                plan: plan,
                scenarioFiles: files, engines: engineEntries
            )
            manifest.request = options.request
        }
        try await store.writeManifest(manifest)
        await observer?.runStarted(directory: store.directory, plan: plan, engines: trialEngines)
        if resume != nil {
            await observer?.note(.resuming(runID: store.runID, recorded: earlier.count, total: plan.trials.count))
        }

        let planned = Self.units(
            of: plan, spreadOver: selections.spread, named: selections.named, skipping: Set(earlier.map(\.trialID)))
        if let mismatch = EngineCombinationError.check(planned, engines: trialEngines) { throw mismatch }
        // One inspection per engine and outer image serves the skip, the manifest and the trials.
        let imageFacts = trialEngines.map { _ in OuterImageFacts() }
        let (units, skippedCells) = try await Self.withoutMissingImages(
            planned, engines: trialEngines, facts: imageFacts)
        if !skippedCells.isEmpty {
            // A resumed run meets the cells its earlier part skipped again: they replace those entries.
            let earlierSkipped = (manifest.skippedCells ?? []).filter { old in
                !skippedCells.contains {
                    $0.scenario == old.scenario && $0.cellID == old.cellID && $0.engine == old.engine
                }
            }
            manifest.skippedCells = earlierSkipped + skippedCells
            try await store.writeManifest(manifest)
            for cell in skippedCells {
                await observer?.note(.skippedCell(cell))
            }
        }
        manifest.outerImages = await Self.outerImages(of: units, engines: trialEngines, facts: imageFacts)
        try await store.writeManifest(manifest)
        let health = trialEngines.map { _ in EngineHealth() }
        let collector = RecordCollector(
            earlier: earlier, keepingAll: options.keepRecords, stopWhen: options.stopWhen,
            interruption: options.interruption, engineHealth: health)
        let executors = trialEngines.indices.map { index in
            TrialExecutor(
                runID: store.runID, engine: trialEngines[index], store: store, imageFacts: imageFacts[index],
                ownership: ownership, forensicsAlways: options.forensicsAlways, keepFailed: options.keepFailed,
                keepWhen: options.keepWhen, callTimeout: options.engineCallTimeout, health: health[index],
                seeds: InnerImageSeeds())
        }
        let observer = self.observer

        // A unit frees its place among the `jobs` running ones once only the removal of its
        // last outer container is left, so that removal overlaps the next unit. Not in a
        // repro (`stopWhen`): the next trial must see whether this one ended the search.
        let overlapsCleanup = options.overlapsCleanup && options.stopWhen == nil
        let (freed, free) = AsyncStream<Void>.makeStream()
        // Discarding: a unit's task is freed as soon as it ends. Units are started as places
        // free up (`freed`), not as tasks end, so a plain task group would keep every finished
        // unit's task until the run ends (27 kB per trial: 88 MB of RSS at 2,000 trials).
        await withDiscardingTaskGroup { group in
            var pending = units.makeIterator()
            func startNext() -> Bool {
                guard let unit = pending.next() else { return false }
                group.addTask {
                    defer { if !overlapsCleanup { free.yield() } }
                    guard await !collector.shouldStop else {
                        if overlapsCleanup { free.yield() }
                        return
                    }
                    await executors[unit.engineIndex].run(
                        unit.trials, shouldStop: { await collector.shouldStop },
                        onlyCleanupLeft: { if overlapsCleanup { free.yield() } }
                    ) { record in
                        let done = await collector.add(record)
                        do {
                            try await store.append(record)
                        } catch {
                            await collector.noteWriteFailure(error)
                        }
                        await observer?.trialFinished(record, done: done, total: plan.trials.count)
                    }
                }
                return true
            }
            var running = 0
            for _ in 0..<options.jobs where startNext() { running += 1 }
            var places = freed.makeAsyncIterator()
            while running > 0, await places.next() != nil {
                running -= 1
                if startNext() { running += 1 }
            }
            free.finish()
        }
        if let failure = await collector.writeFailure { throw failure }
        for (engine, health) in zip(trialEngines, health) {
            if let lost = health.lost {
                await observer?.note(.engineLost(reason: lost, engine: engine.name, runDirectory: store.directory))
            }
        }
        let kept = await collector.kept
        let records = kept.records.sorted { $0.sequence < $1.sequence }
        let recordCount = kept.done
        // forensics.md of failed trials says what differs from a passing trial of the same cell.
        ForensicsCrossReference.annotate(runDirectory: store.directory, records: kept.withArtifacts)

        manifest.finishedAt = Date()
        if recordCount < plan.trials.count, await collector.stoppedByCondition {
            manifest.stoppedEarly = true  // by the stop condition: the trials not run are not missing
        }
        try await store.writeManifest(manifest)
        let expectations = manifest.expectations ?? RunExpectations()
        let tally = kept.counts.tally(expectations: expectations).adding(
            skipped: manifest.skippedCells ?? [], expectations: expectations
        )
        .keepingFollowingTrials(for: manifest.cellStateScenarios)
        let summary = RunSummary(runID: store.runID, tally: tally, corruptLines: resume?.corruptLines ?? [])
        try await store.writeSummary(summary)
        return RunResult(
            directory: store.directory, records: records, recordCount: recordCount, summary: summary,
            manifest: manifest, skippedTrials: plan.trials.count - recordCount,
            interruptedBy: options.interruption?.stopRequested == true ? options.interruption?.signal : nil)
    }

    /// A notice when the run asks for more trials at once than the engine's host has CPUs: a
    /// trial keeps about one CPU busy (the engine's and the inner daemon's processes), so the
    /// rest wait for CPU and every phase takes longer than it would alone.
    static func concurrencyNotice(jobs: Int, engine: String, cpus: Int?) -> RunNotice? {
        guard let cpus, cpus > 0, jobs > cpus else { return nil }
        return .oversubscribed(jobs: jobs, engine: engine, cpus: cpus)
    }

    /// Leaves out the units whose outer image is not on their engine: such cells are skipped
    /// with a message saying how to build the image, not run as errors (a scenario over the
    /// 1.7-era images runs wherever the user has built them). So are the units whose outer
    /// image's labels say it ships no file for their inner image (`OuterScripts.notShipped`).
    static func withoutMissingImages(_ units: [Unit], engines: [TrialEngine], facts: [OuterImageFacts]) async throws
        -> ([Unit], [RunManifest.SkippedCell])
    {
        var labels: [String: [String: String]?] = [:]
        var kept: [Unit] = []
        var skipped: [String: RunManifest.SkippedCell] = [:]
        var order: [String] = []
        for unit in units {
            guard let trial = unit.trials.first else { continue }
            let image = trial.cell.scenario.outer.image
            let inner = trial.cell.scenario.inner.image
            let engine = engines[unit.engineIndex]
            let key = "\(unit.engineIndex)/\(image)"
            if labels[key] == nil {
                labels[key] = .some(try await facts[unit.engineIndex].inspect(image, on: engine.client)?.labels)
            }
            let reason: String
            if let found = labels[key] ?? nil {
                guard let sentence = OuterScripts.notShipped(inner, by: image, labels: found) else {
                    kept.append(unit)
                    continue
                }
                reason = sentence
            } else {
                reason = "the outer image \(image) is not on the engine; \(OuterImageCheck.source(of: image))"
            }
            let cellKey = "\(trial.scenarioName)/\(trial.cell.id)/\(engine.name)"
            if var cell = skipped[cellKey] {
                cell.trials += unit.trials.count
                skipped[cellKey] = cell
            } else {
                skipped[cellKey] = RunManifest.SkippedCell(
                    scenario: trial.scenarioName, cellID: trial.cell.id, engine: engine.name, trials: unit.trials.count,
                    reason: reason,
                    cellValues: CellValues(trial.cell.values.map { ($0.key, $0.value) }), cellIndex: trial.cell.index)
                order.append(cellKey)
            }
        }
        return (kept, order.compactMap { skipped[$0] })
    }

    /// Connects to an engine, negotiates, probes privileged mode and fingerprints it.
    ///
    /// The probe uses the first of `probeImages` the engine has (an engine may lack some); a
    /// daemon instance probed before is not probed again (`factsCache`).
    static func prepare(
        _ selection: EngineSelection, probeImages: [String], labels: [String: String], factsCache: EngineFactsCache?
    ) async throws -> TrialEngine {
        let client = selection.client()
        let apiVersion = try await client.negotiate()
        var privilege = PrivilegeSupport(
            privileged: true, grantableCapabilities: [], refusedCapabilities: [], privilegedError: nil)
        var probeImage: String?
        for image in probeImages where try await client.inspectImage(image) != nil {
            probeImage = image
            break
        }
        if let probeImage {
            // A daemon cannot change what it grants while it runs: what a probe of this very
            // daemon instance found is reused (see EngineFactsCache).
            let instance = factsCache == nil ? nil : EngineInstance(address: client.address)
            if let instance, let known = factsCache?.privilege(of: instance) {
                privilege = known
            } else {
                var probeLabels = labels
                probeLabels[Ownership.probeLabel] = "privilege"
                privilege = try await PrivilegeProbe(
                    client: client, image: probeImage, labels: probeLabels, daemonPID: selection.localDaemonPID
                ).run()
                if let instance { factsCache?.store(privilege, of: instance) }
            }
        }
        // Without a probe the privilege facts are unknown, and the fingerprint leaves them out
        // (privilegedSupported nil): every cell on this engine is skipped anyway.
        let fingerprint = try await FingerprintCollector(client: client).collect(
            privilege: probeImage == nil ? nil : privilege, daemonPID: selection.localDaemonPID)
        return TrialEngine(
            name: selection.name, client: client, apiVersion: apiVersion, privilege: privilege,
            fingerprint: fingerprint, localDaemonPID: selection.engineHostPID)
    }

    /// A unit of work: trials that run one after another on one engine.
    struct Unit: Sendable {
        var trials: [PlannedTrial]
        var engineIndex: Int
    }

    /// The engines of a run: those given on the command line, over which trials of cells
    /// that name no engine are spread, plus every engine a scenario or its matrix names
    /// (`engine: v17`), which get exactly the trials of their cells.
    struct EngineSelections {
        var all: [EngineSelection]
        /// Indices into `all` for cells without an engine of their own.
        var spread: [Int]
        /// The index into `all` of each engine a cell names, by the name it is written as.
        var named: [String: Int]
    }

    static func engineSelections(given: [EngineSelection], plan: Plan, configuration: EngineConfiguration? = nil) throws
        -> EngineSelections
    {
        // Resolved only when an engine must be, so a run on given engines reads no environment.
        var resolved = configuration
        func resolve(_ reference: String?) throws -> EngineSelection {
            let configuration = try resolved ?? EngineConfiguration.resolve()
            resolved = configuration
            return try EngineSelection.resolve(reference, configuration: configuration)
        }
        var all = given
        var named: [String: Int] = [:]
        let references = plan.scenarios.flatMap(\.cells).compactMap(\.scenario.engine)
        for reference in references where named[reference] == nil {
            if let index = all.firstIndex(where: { $0.name == reference || $0.address.description == reference }) {
                named[reference] = index
                continue
            }
            var selection = try resolve(reference)
            if !reference.contains("://") { selection.name = reference }
            named[reference] = all.count
            all.append(selection)
        }
        let cellsWithoutEngine = plan.scenarios.flatMap(\.cells).contains { $0.scenario.engine == nil }
        if all.isEmpty || (given.isEmpty && cellsWithoutEngine) {
            all.insert(try resolve(nil), at: 0)
            named = named.mapValues { $0 + 1 }
            return EngineSelections(all: all, spread: [0], named: named)
        }
        return EngineSelections(all: all, spread: given.isEmpty ? [0] : Array(given.indices), named: named)
    }

    /// Splits the plan into units: one per trial, or one per cell and engine for
    /// `isolation: cell`. A cell that names its engine runs there; other cells' trials are
    /// spread over the `spread` engines by their index within the cell, so every cell runs
    /// on every engine. Units keep the plan's interleaved order.
    /// Trials in `skipping` (recorded by an earlier part of a resumed run) are left out.
    static func units(of plan: Plan, spreadOver spread: [Int], named: [String: Int], skipping: Set<String> = [])
        -> [Unit]
    {
        var units: [Unit] = []
        var cellUnits: [String: Int] = [:]
        for trial in plan.trials.sorted(by: { $0.sequence < $1.sequence }) where !skipping.contains(trial.id) {
            let engineIndex =
                trial.cell.scenario.engine.flatMap { named[$0] } ?? spread[trial.index % max(1, spread.count)]
            if trial.cell.scenario.isolation == .cell {
                let key = "\(trial.scenarioName)/\(trial.cell.id)/\(engineIndex)"
                if let index = cellUnits[key] {
                    units[index].trials.append(trial)
                    continue
                }
                cellUnits[key] = units.count
            }
            units.append(Unit(trials: [trial], engineIndex: engineIndex))
        }
        for index in units.indices {
            units[index].trials.sort { $0.index < $1.index }
        }
        return units
    }
}

/// What a run keeps of its finished records: counts for the summary as they come, and whole
/// records only where needed (see `RunOptions.keepRecords`).
struct KeptRecords: Sendable {
    let keepingAll: Bool
    /// Every record, with `keepingAll`.
    private(set) var records: [TrialRecord] = []
    /// The records whose trials have artifacts (failed trials, or all with forensics always),
    /// for `ForensicsCrossReference`.
    private(set) var withArtifacts: [TrialRecord] = []
    /// The summary's counts so far.
    private(set) var counts = TallyAccumulator()
    /// How many trials are recorded.
    private(set) var done = 0

    mutating func keep(_ record: TrialRecord) {
        done += 1
        counts.add(record)
        if keepingAll { records.append(record) }
        if record.artifactsPath != nil { withArtifacts.append(record) }
    }
}

/// Finished records, shared by the concurrent trials of a run.
actor RecordCollector {
    /// What is kept of them, a resumed run's earlier ones included.
    private(set) var kept: KeptRecords
    private(set) var writeFailure: (any Error)?
    /// True once the stop condition (repro) held for a record.
    private(set) var stoppedByCondition = false
    let stopWhen: (@Sendable (TrialRecord) -> Bool)?
    let interruption: RunInterruption?
    let engineHealth: [EngineHealth]

    /// - Parameter earlier: What an earlier part of a resumed run recorded.
    init(
        earlier: [TrialRecord] = [], keepingAll: Bool = true, stopWhen: (@Sendable (TrialRecord) -> Bool)?,
        interruption: RunInterruption? = nil, engineHealth: [EngineHealth] = []
    ) {
        var kept = KeptRecords(keepingAll: keepingAll)
        for record in earlier { kept.keep(record) }
        self.kept = kept
        self.stopWhen = stopWhen
        self.interruption = interruption
        self.engineHealth = engineHealth
    }

    /// True once no further trial may start: the stop condition held, results could not be
    /// written, the run was interrupted, or an engine was found lost.
    var shouldStop: Bool {
        stoppedByCondition || writeFailure != nil || interruption?.stopRequested == true
            || engineHealth.contains { $0.lost != nil }
    }

    /// Adds a record and returns how many trials are done.
    func add(_ record: TrialRecord) -> Int {
        kept.keep(record)
        if stopWhen?(record) == true { stoppedByCondition = true }
        return kept.done
    }

    func noteWriteFailure(_ error: any Error) {
        if writeFailure == nil { writeFailure = error }
    }
}
