import DindLabCore
import DindLabEngines
import DockerEngine
import Foundation
import Synchronization

/// Runs trials through the phases outer, setup, daemon, prepare, inner and cleanup, and
/// turns what happened into a `TrialRecord`.
///
/// Every engine call gets the time left until the trial's deadline, so a hung step ends
/// as a timeout at the deadline, and cleanup still runs.
struct TrialExecutor: Sendable {
    let runID: RunID
    let engine: TrialEngine
    let store: ResultStore
    let imageFacts: OuterImageFacts
    /// Labels every outer container of this run carries (run id, owner, start time).
    let ownership: [String: String]
    /// Collect forensics for passing trials too (`--forensics always`).
    let forensicsAlways: Bool
    /// Leave the outer container of a failed trial running (`repro --keep`).
    let keepFailed: Bool
    /// Which failed trials to keep; nil keeps all of them.
    var keepWhen: (@Sendable (TrialRecord) -> Bool)? = nil
    /// The longest one short engine call may take (see `RunOptions.engineCallTimeout`).
    var callTimeout: Duration = .seconds(60)
    /// Marked when a trial finds the engine gone; the runner then starts no further trial.
    var health = EngineHealth()
    /// The run's seeds of inner images (see `InnerImageSeeds`); nil imports in every trial.
    var seeds: InnerImageSeeds? = nil
    let finder = FirstErrorFinder()

    /// Runs a cell's trials. With `isolation: trial` each gets its own outer container;
    /// with `isolation: cell` one container serves them all, in order.
    ///
    /// A trial cut short by Task cancellation (a second SIGINT) is not recorded: it did not
    /// run to an outcome, and a resumed run runs it again. Its outer container is removed all
    /// the same.
    ///
    /// - Parameters:
    ///   - trials: Trials of one cell, in the order to run them.
    ///   - shouldStop: Asked between trials: true ends the unit there (a repro found its
    ///     failure, or the run was interrupted), leaving or removing a cell's shared container
    ///     as its last trial asks.
    ///   - onRecord: Called with each trial's record as soon as it ends.
    ///   - onlyCleanupLeft: Called once, when what is left of the unit is the removal of its
    ///     last outer container (or nothing): the runner may start the next unit then, so the
    ///     removal overlaps it (see `RunOptions` and the README's "What overlaps").
    func run(
        _ trials: [PlannedTrial], shouldStop: @Sendable () async -> Bool = { false },
        onlyCleanupLeft: @escaping @Sendable () -> Void = {}, onRecord: @Sendable (TrialRecord) async -> Void
    ) async {
        let freeing = OnceCall(onlyCleanupLeft)
        defer { freeing.call() }
        guard let first = trials.first else { return }
        let sharesSession = first.cell.scenario.isolation == .cell
        // The cell's shared session; with `isolation: trial` each trial has its own.
        var shared = OuterSession()
        for (index, trial) in trials.enumerated() {
            let last = index == trials.count - 1
            let record: TrialRecord
            if sharesSession {
                record = await execute(
                    trial, session: &shared, endsSession: last, beforeLastCleanup: last ? freeing.call : {})
            } else {
                var own = OuterSession()
                record = await execute(
                    trial, session: &own, endsSession: true, beforeLastCleanup: last ? freeing.call : {})
            }
            if Task.isCancelled {
                _ = await release(&shared, keep: false)
                return
            }
            await onRecord(record)
            if !last, await shouldStop() {
                _ = await release(&shared, keep: keeps(record))
                return
            }
        }
    }

    /// Runs one trial in `session`.
    func execute(
        _ trial: PlannedTrial, session: inout OuterSession, endsSession: Bool,
        beforeLastCleanup: @Sendable () -> Void = {}
    ) async -> TrialRecord {
        let scenario = trial.cell.scenario
        let startedAt = Date()
        var attempt = TrialAttempt(trial: trial, deadline: .now + scenario.timeout)

        var failure: TrialFailure?
        var logOffset = 0
        do {
            let ready: (container: OuterContainer, route: InnerRoute)
            switch session.beginTrial(trial.id) {
            case .createContainer:
                ready = try await setUp(&session, &attempt)
            case .waitForDaemon(let wait, let measureLog):
                // A later trial of the cell: the daemon may have died since (and an earlier trial's
                // load may have failed, so the image may still be missing).
                if measureLog {
                    logOffset = try await daemonLogSize(wait.container, wait.route, &attempt)
                }
                attempt.clock.enter(.daemon)
                ready = try await becomeReady(wait, &session, &attempt)
            case let other:
                throw misstep(other, in: attempt.clock.current)
            }
            try await innerRuns(ready.container, ready.route, &session, &attempt)
            if scenario.inner.checkPlacement == true {
                try await checkPlacement(in: ready.container.id, &attempt)
            }
        } catch {
            failure = await classify(error, attempt: attempt)
        }
        let masker = SecretMasker(environment: scenario.outer.env)

        var record = TrialRecord(
            runID: runID, trialID: trial.id, sequence: trial.sequence, scenario: trial.scenarioName,
            cellID: trial.cell.id, cellValues: CellValues(trial.cell.values.map { ($0.key, $0.value) }),
            engine: engine.name, outcome: failure?.outcome ?? .pass, startedAt: startedAt, finishedAt: startedAt
        )
        record.innerRuns = attempt.innerResults
        record.notes = attempt.notes
        if failure == nil, let placement = attempt.placement, placement.isMisplaced {
            // Still a pass (the inner container ran), with a signature of its own: the tables
            // list it as "passed, but misplaced" instead of a plain green cell.
            record.signature = ErrorNormaliser(maximumLength: 300).normalise(placement.signature)
            record.firstError = placement.signature
        }

        if let container = session.container?.id, !Task.isCancelled,
            failure != nil || forensicsAlways || scenario.forensics == .always
        {
            var forensics = await Forensics.collect(
                from: container, client: engine.client, steps: attempt.steps, logOffset: logOffset)
            if let failure {
                let daemonLog = DaemonLogWindow.lines(
                    forensics.daemonLogLines, failedIn: failure.phase, clock: attempt.clock,
                    until: attempt.failureSeenAt)
                let diagnosis = finder.diagnose(
                    FailureEvidence(
                        phase: failure.phase, daemonLog: daemonLog, stepOutput: failure.stepOutput,
                        daemonDied: failure.daemonDied))
                record.record(diagnosis)
                forensics.firstError = diagnosis.firstError
            }
            forensics.mask(with: masker)
            record.mask(with: masker)
            if let folder = try? await store.artifactsDirectory(for: trial.id) {
                forensics.write(to: folder, record: record)
                record.artifactsPath = try? ResultStore.artifactsPath(for: trial.id)
            }
            if forensics.cgroups?.anyDifference == true {
                record.notes.append(
                    "The daemon's or an exec'd process's cgroups differ from PID 1's (see cgroups.txt).")
            }
        } else if let failure {
            record.record(
                finder.diagnose(
                    FailureEvidence(
                        phase: failure.phase, stepOutput: failure.stepOutput, daemonDied: failure.daemonDied)))
        }

        if endsSession || (failure != nil && scenario.isolation == .trial) {
            if failure == nil, session.reachesDaemonFromHost {
                // The host route leaves the engine alone from the inner run's exec to here: one
                // ping (marking a dead engine lost) keeps the next unit from starting on it.
                _ = await engineLoss()
            }
            beforeLastCleanup()
            await cleanUp(&session, keep: keeps(record), attempt: &attempt)
        }
        if record.outcome == .pass, !attempt.cleanupNotes.isEmpty, let lost = await engineLoss() {
            // On the host route a trial needs the engine only to start and to remove its outer
            // container: an engine that died meanwhile is still this trial's error.
            record.outcome = .error
            record.record(finder.diagnose(FailureEvidence(phase: .cleanup, stepOutput: lost)))
        }
        record.notes += attempt.cleanupNotes
        record.mask(with: masker)
        attempt.clock.finish()
        record.phaseDurations = attempt.clock.durations
        record.finishedAt = Timestamp.rounded(Date())
        record.durationSeconds = record.finishedAt.timeIntervalSince(record.startedAt)
        return record
    }

    // MARK: Phases

    /// outer, setup, daemon, prepare: everything up to a ready daemon with its image loaded, in a
    /// session that has no container yet.
    ///
    /// - Returns: The started container and the route to its ready inner daemon.
    private func setUp(_ session: inout OuterSession, _ attempt: inout TrialAttempt) async throws -> (
        container: OuterContainer, route: InnerRoute
    ) {
        let scenario = attempt.trial.cell.scenario
        do {
            attempt.clock.enter(.outer)
            // Files are checked at load time; a scenario built in code is checked here.
            if let problem = ScenarioCombinations.problems(in: scenario).first {
                throw TrialFailure.harness(.outer, "The cell cannot run: \(problem)")
            }
            let imageLabels = try await imageFacts.labels(of: scenario.outer.image, on: engine.client)
            let daemon = InnerDaemonCommand.make(
                scenarioCommand: scenario.daemon.command, imageLabels: imageLabels,
                cgroupParent: scenario.daemon.cgroupParent)
            if let tmpfs = scenario.outer.cgroupTmpfs, engine.fingerprint.cgroupVersion == "2" {
                throw TrialFailure.harness(
                    .outer,
                    "outer.cgroup-tmpfs: \(tmpfs.rawValue) needs a cgroup v1 engine (a tmpfs above the hierarchies at /sys/fs/cgroup); the engine \(engine.name) is cgroup v2, where /sys/fs/cgroup is the cgroup2 mount itself."
                )
            }
            let cgroupSteps = Self.cgroupSteps(for: scenario)
            let seed = seedToPlant(scenario, daemon: daemon, trial: attempt.trial)
            let command =
                scenario.daemon.start == .cmd
                ? OuterScripts.commandStart(
                    setup: scenario.outer.setup, daemon: daemon, prelude: cgroupSteps?.script, seedGate: seed != nil)
                : OuterScripts.idleStart()
            let request = OuterContainerRequest(
                image: scenario.outer.image, command: command, privileged: scenario.outer.privileged,
                cgroups: scenario.outer.cgroups, cgroupParent: scenario.outer.cgroupParent,
                network: scenario.outer.network.rawValue,
                env: scenario.outer.env, labels: labels(for: attempt.trial)
            )
            try await holdCgroupParent(scenario, &session, &attempt)
            let created = try await engine.client.createContainer(
                request.containerConfig(
                    apiVersion: engine.apiVersion, privilege: engine.privilege,
                    engineCgroupVersion: engine.fingerprint.cgroupVersion),
                timeout: try attempt.remaining(cappedAt: callTimeout))
            let start = session.containerCreated(OuterContainer(id: created.id, daemonCommand: daemon))
            guard case .startContainer(let container) = start else { throw misstep(start, in: attempt.clock.current) }
            try await engine.client.startContainer(container.id, timeout: try attempt.remaining(cappedAt: callTimeout))
            let route = try await findOuterRoot(container, scenario: scenario, &attempt)
            let launch = session.routeDecided(route)
            guard case .startDaemon = launch else { throw misstep(launch, in: attempt.clock.current) }

            if scenario.daemon.start == .exec {
                attempt.clock.enter(.setup)
                if let cgroupSteps {
                    let result = try await exec(
                        ["sh", "-c", cgroupSteps.script], in: container.id, title: cgroupSteps.title, &attempt)
                    guard result.exitCode == 0 else {
                        throw TrialFailure.failed(
                            .setup,
                            "\(cgroupSteps.title) exited with status \(result.exitCode): " + result.output.stderrText
                                + result.output.stdoutText)
                    }
                }
                for (number, line) in scenario.outer.setup.enumerated() {
                    let result = try await exec(
                        OuterScripts.setupLine(line), in: container.id, title: "setup line \(number + 1)", &attempt)
                    guard result.exitCode == 0 else {
                        throw TrialFailure.failed(
                            .setup,
                            "setup line \(number + 1) (\(OuterScripts.summary(ofSetupLine: line))) exited with status \(result.exitCode): "
                                + result.output.stderrText + result.output.stdoutText)
                    }
                }
                attempt.clock.enter(.daemon)
                if let seed { await plant(seed, in: container.id, through: route, gated: false, &attempt) }
                let divergence = scenario.daemon.cgroupDivergence.flatMap { $0.isNone ? nil : $0 }
                let execID = try await engine.client.createExec(
                    in: container.id,
                    ExecConfig(cmd: OuterScripts.execDaemon(daemon, held: divergence != nil), attach: false),
                    timeout: try attempt.remaining(cappedAt: callTimeout))
                try await engine.client.startExecDetached(execID, timeout: try attempt.remaining(cappedAt: callTimeout))
                if let divergence {
                    try await diverge(execID, divergence, &session, &attempt)
                }
            } else {
                attempt.clock.enter(.daemon)
                if let seed { await plant(seed, in: container.id, through: route, gated: true, &attempt) }
                if let divergence = scenario.daemon.cgroupDivergence, !divergence.isNone {
                    attempt.notes.append(
                        "daemon.cgroup-divergence \(divergence) moves an exec-started daemon; with start: cmd the daemon is born from PID 1, so nothing was moved."
                    )
                }
            }
            let waiting = session.daemonLaunched()
            guard case .waitForDaemon(let wait, _) = waiting else { throw misstep(waiting, in: attempt.clock.current) }
            return try await becomeReady(wait, &session, &attempt)
        }
    }

    /// Waits for the inner daemon as `wait` says and tells the session it answered.
    ///
    /// - Returns: The container and the route to its ready inner daemon.
    private func becomeReady(_ wait: DaemonWait, _ session: inout OuterSession, _ attempt: inout TrialAttempt)
        async throws -> (container: OuterContainer, route: InnerRoute)
    {
        let client = try await waitUntilReady(wait, &attempt)
        let next = session.daemonAnswered(client: client)
        guard case .runInner(let container, let route) = next else { throw misstep(next, in: attempt.clock.current) }
        return (container, route)
    }

    /// The failure for an action of the session that does not fit where the trial is: a bug in
    /// the executor, recorded as the harness's error in the current phase.
    private func misstep(_ action: OuterSession.Action, in phase: TrialPhase) -> TrialFailure {
        if case .invalid(let reason) = action { return .harness(phase, reason) }
        return .harness(
            phase,
            "The trial's state machine asked for \(action) where the trial executor did not expect it; this is a bug in dindlab's trial executor."
        )
    }

    /// Waits for the inner daemon; when `wait` says the inner image is not loaded, loads it in the
    /// same exec as soon as the daemon answers (phase `prepare` from then on).
    ///
    /// - Returns: The inner daemon's client on the host route (nil through exec).
    /// - Throws: The trial's failure when the daemon does not answer or the load fails.
    private func waitUntilReady(_ wait: DaemonWait, _ attempt: inout TrialAttempt) async throws -> EngineClient? {
        let scenario = attempt.trial.cell.scenario
        let container = wait.container.id
        let readySeconds = Int(scenario.daemon.readyTimeout.inSeconds.rounded(.up))
        let image = wait.loadImage ? scenario.inner.image : nil
        // An inner daemon on a fresh tmpfs (API 1.22 and later) has no images to check for,
        // unless a seed put the image there.
        let fresh = wait.firstTrial && engine.apiVersion >= APIVersion(1, 22) && !attempt.seeded
        if case .hostSocket(let root, _) = wait.route {
            let (status, client) = try await waitFromHost(
                root, image: image, checkFirst: !fresh, readySeconds: readySeconds, &attempt)
            if status != .ready {
                try await readinessFailed(
                    status, exitCode: Int(status.rawValue), stderr: "", container: container, &attempt)
            }
            if image != nil, let client {
                await captureSeed(wait, root: root, client: client, &attempt)
            }
            return client
        }
        var then: [String] = []
        if let image {
            then = OuterScripts.loadInnerImageLines(image, checkFirst: !fresh)
        }
        let title =
            image.map { "wait for the inner daemon, then load inner image \($0)" } ?? "wait for the inner daemon"
        let result: ExecResult
        do {
            result = try await exec(
                OuterScripts.waitReady(timeoutSeconds: readySeconds, then: then), in: container, title: title, &attempt)
        } catch let error as EngineError where error.status == 409 {
            throw await outerContainerEnded(container, phase: attempt.clock.current, error: error)
        }
        let status = OuterScripts.ReadyStatus(rawValue: Int32(result.exitCode))
        if image != nil, status == .ready || status == .thenFailed || status == .innerImageNotShipped {
            let (readyAt, output) = OuterScripts.readyInstant(in: result.output.stdoutText)
            if let readyAt {
                attempt.clock.enter(.prepare, since: readyAt)
            } else {
                // Without the marker (a `date` without %N) the load's time stays in `daemon`.
                attempt.clock.enter(.prepare)
            }
            if status == .innerImageNotShipped {
                throw TrialFailure.innerImageNotShipped(
                    result.output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            guard status == .ready else {
                throw TrialFailure.failed(.prepare, result.output.stderrText + output)
            }
            return nil
        }
        try await readinessFailed(
            status, exitCode: result.exitCode, stderr: result.output.stderrText, container: container, &attempt)
        return nil
    }

    /// Turns a readiness status other than ready into the trial's failure (and returns on ready).
    private func readinessFailed(
        _ status: OuterScripts.ReadyStatus?, exitCode: Int, stderr: String, container: String,
        _ attempt: inout TrialAttempt
    ) async throws {
        let scenario = attempt.trial.cell.scenario
        let readySeconds = Int(scenario.daemon.readyTimeout.inSeconds.rounded(.up))
        switch status {
        case .ready:
            return
        case .setupFailed:
            let failed = try await exec(
                OuterScripts.failedSetup, in: container, title: "read the failed setup line", &attempt)
            let lines = failed.output.stdoutText.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let number = Int(lines.first ?? "") ?? -1
            let line = number > 0 && number <= scenario.outer.setup.count ? scenario.outer.setup[number - 1] : "?"
            attempt.clock.attribute(attempt.clock.durations[.daemon] ?? 0, to: .setup, from: .daemon)
            let step =
                number == OuterScripts.preludeNumber
                ? Self.cgroupSteps(for: scenario)?.title ?? "setup line 0"
                : "setup line \(number) (\(OuterScripts.summary(ofSetupLine: line)))"
            throw TrialFailure.failed(
                .setup, "\(step) failed: " + (lines.count > 1 ? String(lines[1]) : "") + failed.output.stderrText)
        case .daemonDied:
            throw TrialFailure.failed(.daemon, "the inner daemon exited before it answered", daemonDied: true)
        case .timedOut:
            throw TrialFailure.failed(
                .daemon, "the inner daemon did not answer within the ready-timeout of \(readySeconds) s")
        case nil, .thenFailed, .innerImageNotShipped:
            throw TrialFailure.harness(
                .daemon, "waiting for the inner daemon failed with status \(exitCode): \(stderr)")
        }
    }

    /// Decides, once per outer container, whether trials reach its inner daemon from the
    /// engine's host (`OuterRoot`) or through exec, and says why in the step log when exec.
    ///
    /// - Returns: The route, without the inner daemon's client yet.
    private func findOuterRoot(_ container: OuterContainer, scenario: Scenario, _ attempt: inout TrialAttempt)
        async throws -> InnerRoute
    {
        let began = ContinuousClock.now
        let route: InnerRoute
        let detail: String
        func exec(because reason: String) -> (InnerRoute, String) {
            (
                .exec,
                "the inner daemon is reached through exec (docker version, docker import in the container): \(reason)"
            )
        }
        if let reason = OuterRoot.unusableReason(
            endpoint: engine.client.address.endpoint, environment: scenario.outer.env,
            daemonCommand: container.daemonCommand)
        {
            (route, detail) = exec(because: reason)
        } else {
            let inspect = try await engine.client.inspectContainer(
                container.id, timeout: try attempt.remaining(cappedAt: callTimeout))
            switch OuterRoot.find(pid: inspect.state.pid, containerID: inspect.id) {
            case .success(let root):
                route = .hostSocket(root, client: nil)
                detail =
                    "the inner daemon is reached from the engine's host through \(root.prefix) (socket \(root.socketPath)): readiness by GET /_ping, the inner image by POST /images/create, no exec"
            case .failure(let error):
                (route, detail) = exec(because: error.description)
            }
        }
        let title = if case .hostSocket = route { "host socket" } else { "exec" }
        attempt.steps.append(
            .init(
                phase: attempt.clock.current, title: "route to the inner daemon: " + title, command: [],
                seconds: (ContinuousClock.now - began).inSeconds, detail: detail))
        return route
    }

    /// Waits for the inner daemon from the engine's host and, when `image` is given, imports it
    /// (phase `prepare` from the moment the daemon answered). Both are recorded as steps.
    ///
    /// - Returns: The readiness status, and the inner daemon's client once it answered.
    private func waitFromHost(
        _ root: OuterRoot, image: String?, checkFirst: Bool, readySeconds: Int, _ attempt: inout TrialAttempt
    ) async throws -> (OuterScripts.ReadyStatus, EngineClient?) {
        let began = ContinuousClock.now
        let limit = min(Duration.seconds(readySeconds), try attempt.remaining())
        let (status, client, detail) = await root.waitReady(timeout: limit)
        if status == .timedOut, attempt.isNearDeadline || Task.isCancelled {
            // The trial's own deadline came before the ready-timeout: the trial timed out.
            attempt.steps.append(
                .init(
                    phase: attempt.clock.current, title: "wait for the inner daemon (from the engine's host)",
                    command: [], error: detail, seconds: (ContinuousClock.now - began).inSeconds))
            throw TrialFailure.timedOut(
                attempt.clock.current,
                "the trial did not finish within its timeout of \(Int(attempt.trial.cell.scenario.timeout.inSeconds)) s (\(detail))"
            )
        }
        attempt.steps.append(
            .init(
                phase: attempt.clock.current, title: "wait for the inner daemon (from the engine's host)", command: [],
                exitCode: Int(status.rawValue), seconds: (ContinuousClock.now - began).inSeconds, detail: detail))
        guard status == .ready, let client, let image else { return (status, client) }
        attempt.clock.enter(.prepare)
        let loading = ContinuousClock.now
        do {
            let done = try await root.importInnerImage(
                image, into: client, checkFirst: checkFirst, timeout: try attempt.remaining(cappedAt: callTimeout))
            attempt.steps.append(
                .init(
                    phase: .prepare, title: "load inner image \(image) (from the engine's host)", command: [],
                    exitCode: 0, seconds: (ContinuousClock.now - loading).inSeconds, detail: done))
        } catch let failure as TrialFailure {
            attempt.steps.append(
                .init(
                    phase: .prepare, title: "load inner image \(image) (from the engine's host)", command: [],
                    error: failure.stepOutput, seconds: (ContinuousClock.now - loading).inSeconds))
            throw failure
        } catch let error as EngineError where !error.isTimeout {
            attempt.steps.append(
                .init(
                    phase: .prepare, title: "load inner image \(image) (from the engine's host)", command: [],
                    error: "\(error)", seconds: (ContinuousClock.now - loading).inSeconds))
            // The inner daemon's refusal is the system under test failing, as `docker import` failing would be.
            throw TrialFailure.failed(
                .prepare, "importing the inner image \(image) into the inner daemon failed: \(error)")
        }
        return (status, client)
    }

    /// The inner runs of one trial in `outer`, through `route`; the first one that fails ends
    /// the trial. A fault's restarted daemon is told to `session`.
    private func innerRuns(
        _ outer: OuterContainer, _ route: InnerRoute, _ session: inout OuterSession, _ attempt: inout TrialAttempt
    ) async throws {
        let inner = attempt.trial.cell.scenario.inner
        let container = outer.id
        var route = route
        let pattern = try inner.expectOutput.map { try NSRegularExpression(pattern: $0, options: [.anchorsMatchLines]) }
        attempt.clock.enter(.inner)
        for index in 0..<inner.runs {
            let began = ContinuousClock.now
            let tty = inner.mode == .ti
            // From the engine's host, mode d runs only `docker run -d` in the exec (`OuterRoot.runDetached`).
            let host = tty ? nil : route.hostClient
            let command =
                tty
                ? OuterScripts.innerInteractive(image: inner.image, command: inner.command)
                : host != nil
                    ? OuterScripts.innerDetachedRun(image: inner.image, command: inner.command)
                    : OuterScripts.innerDetached(image: inner.image, command: inner.command)
            let fault =
                index == 0 && attempt.trial.cell.scenario.faults.killDaemonAtTrial == attempt.trial.index + 1
                ? injectDaemonKill(in: container, after: attempt.trial.cell.scenario.faults.killAfter) : nil
            let outcome: Result<ExecResult, any Error>
            do {
                let run = try await exec(
                    command, in: container, tty: tty, title: "inner run \(index + 1) (\(tty ? "run -ti" : "run -d"))",
                    &attempt)
                if let host {
                    let waiting = ContinuousClock.now
                    let (result, detail) = try await OuterRoot.runDetached(
                        run: run, client: host, limit: Self.outputLimit, timeout: try attempt.remaining())
                    attempt.steps.append(
                        .init(
                            phase: .inner, title: "inner run \(index + 1): wait and logs (from the engine's host)",
                            command: [], exitCode: result.exitCode, output: result.output,
                            seconds: (ContinuousClock.now - waiting).inSeconds, detail: detail))
                    if let note = result.output.truncationNote {
                        attempt.notes.append("inner run \(index + 1) (run -d): \(note)")
                    }
                    outcome = .success(result)
                } else {
                    outcome = .success(run)
                }
            } catch {
                outcome = .failure(error)
            }
            let daemonKilled = fault != nil
            if let fault {
                // The restarted daemon's start-up lines come after the failure and explain nothing.
                attempt.failureSeenAt = Date()
                attempt.notes.append(await fault.value)
                if attempt.trial.cell.scenario.faults.restartDaemon {
                    route = try await restartDaemon(outer, from: route, &session, &attempt)
                }
            }
            let result = try outcome.get()
            // A TTY turns "\n" into "\r\n".
            let output = (result.output.stdoutText + result.output.stderrText).replacingOccurrences(
                of: "\r\n", with: "\n")
            let matched = pattern.map {
                $0.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil
            }
            attempt.innerResults.append(
                InnerRunResult(
                    index: index, exitCode: result.exitCode, outputMatched: matched,
                    durationSeconds: (ContinuousClock.now - began).inSeconds))
            if result.exitCode != 0 {
                let daemonDied = daemonKilled ? true : await !daemonIsAlive(in: container)
                throw TrialFailure.innerRunFailed(
                    index + 1, status: result.exitCode, stderr: result.output.stderrText,
                    stdout: result.output.stdoutText, daemonDied: daemonDied)
            }
            if matched == false {
                throw TrialFailure.failed(
                    .inner,
                    "inner run \(index + 1): the output does not match expect-output /\(inner.expectOutput ?? "")/: \(output.prefix(500))"
                )
            }
        }
    }

    /// The failure of a trial whose outer container stopped on its own (its command exited:
    /// with `start: cmd`, a setup line that runs `exit` ends the container's shell).
    private func outerContainerEnded(_ container: String, phase: TrialPhase, error: EngineError) async -> TrialFailure {
        guard let state = try? await engine.client.inspectContainer(container, timeout: .seconds(15)),
            !state.state.running
        else {
            return .harness(phase, error)
        }
        let logs =
            (try? await engine.client.containerLogs(container, tty: false, tail: 50, timeout: .seconds(15))).map {
                $0.stderrText + $0.stdoutText
            } ?? ""
        return .failed(
            phase,
            "the outer container's command exited with status \(state.state.exitCode) before the inner daemon was ready (a setup line that runs `exit` ends it with start: cmd)\n"
                + logs)
    }

    /// Whether the inner daemon's process still exists (true when that cannot be told).
    private func daemonIsAlive(in container: String) async -> Bool {
        let check = ["sh", "-c", "kill -0 $(cat \(OuterScripts.daemonPID)) 2>/dev/null"]
        guard let result = try? await engine.client.exec(in: container, check, timeout: .seconds(15)) else {
            return true
        }
        return result.exitCode == 0
    }

    /// SIGKILLs the inner daemon after `delay`, while an inner run is in flight.
    private func injectDaemonKill(in container: String, after delay: Duration) -> Task<String, Never> {
        let client = engine.client
        return Task {
            try? await Task.sleep(for: delay)
            do {
                let result = try await client.exec(in: container, OuterScripts.killDaemon, timeout: .seconds(30))
                let pid = result.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
                return result.exitCode == 0
                    ? "Fault: the inner daemon (pid \(pid)) was killed with SIGKILL \(DurationText.format(delay)) into the inner run."
                    : "Fault: killing the inner daemon failed: \(result.output.stderrText)"
            } catch {
                return "Fault: killing the inner daemon failed: \(error)"
            }
        }
    }

    /// Starts the inner daemon again after a fault, through a detached exec (so it is an
    /// exec-born process now, whatever `daemon.start` says), appending to its log.
    ///
    /// - Returns: The route to the restarted daemon.
    private func restartDaemon(
        _ outer: OuterContainer, from route: InnerRoute, _ session: inout OuterSession, _ attempt: inout TrialAttempt
    ) async throws -> InnerRoute {
        // The killed daemon's pid file goes first: the host route reads it at once and would
        // take the dead pid for the new daemon's, which the detached exec writes a moment later.
        if case .hostSocket(let root, _) = route {
            try? FileManager.default.removeItem(atPath: root.hostPath(OuterScripts.daemonPID))
        }
        let execID = try await engine.client.createExec(
            in: outer.id, ExecConfig(cmd: OuterScripts.execDaemon(outer.daemonCommand, appendLog: true), attach: false),
            timeout: try attempt.remaining(cappedAt: callTimeout))
        try await engine.client.startExecDetached(execID, timeout: try attempt.remaining(cappedAt: callTimeout))
        let waiting = session.daemonRestarted()
        guard case .waitForDaemon(let wait, _) = waiting else { throw misstep(waiting, in: attempt.clock.current) }
        let route = try await becomeReady(wait, &session, &attempt).route
        attempt.notes.append("Fault: the inner daemon was started again (through exec).")
        return route
    }

    private func cleanUp(_ session: inout OuterSession, keep: Bool, attempt: inout TrialAttempt) async {
        attempt.clock.enter(.cleanup)
        if let note = await release(&session, keep: keep) { attempt.cleanupNotes.append(note) }
    }

    /// Whether the outer container of a finished trial is to be left running (`repro --keep`).
    private func keeps(_ record: TrialRecord) -> Bool {
        keepFailed && record.outcome != .pass && (keepWhen?(record) ?? true)
    }

    /// Removes the session's outer container, or leaves it running when `keep` is true.
    /// - Returns: A note for the trial record, if there is something to say.
    private func release(_ session: inout OuterSession, keep: Bool) async -> String? {
        let container: String
        switch session.release(keep: keep) {
        case .remove(let outer):
            container = outer.id
        case .keep(let outer):
            let container = outer.id
            let cgroups =
                session.heldCgroups.isEmpty
                ? ""
                : " The cgroups dindlab made for it stay too: \(session.heldCgroups.joined(separator: ", ")) (rmdir them, innermost first, once it is removed)."
            return "The outer container \(container) was kept for inspection (label \(KeptContainer.label)=true)."
                + cgroups
        default:
            return nil
        }
        // Where the inner containers' cgroups are, read before the container and its root are
        // gone: through the root the host route has, else (exec) through the container's pid.
        let innerCgroups: [String]
        if let enginePID = engine.localDaemonPID {
            innerCgroups =
                if let root = session.outerRoot {
                    InnerContainerCgroups.find(in: root, enginePID: enginePID)
                } else {
                    await InnerContainerCgroups.find(
                        ofContainer: container, client: engine.client, enginePID: enginePID)
                }
        } else {
            innerCgroups = []
        }
        // Removal must happen even when the trial was cancelled (a second SIGINT): an
        // unstructured task does not inherit the cancellation.
        let client = engine.client
        let removal = Task.detached {
            try await client.removeContainer(container, force: true, volumes: true, timeout: .seconds(60))
        }
        let removed: String?
        do {
            try await removal.value
            _ = session.containerRemoved()
            removed = nil
        } catch let error as EngineError where error.isNotFound {
            _ = session.containerRemoved()
            removed = nil
        } catch {
            removed =
                "Removing the outer container \(container) failed: \(error). It keeps its run labels, so garbage collection removes it later."
        }
        let innerLeft =
            removed == nil && !innerCgroups.isEmpty
            ? await Task.detached { await InnerContainerCgroups.remove(innerCgroups) }.value : []
        let released = await releaseCgroups(&session)
        let notes = [removed].compactMap { $0 } + innerLeft + [released].compactMap { $0 }
        return notes.isEmpty ? nil : notes.joined(separator: " ")
    }

    /// Lets go of the cgroups the session held on the engine's host; the last holder removes
    /// them. Detached, like the removal, so a cancelled trial still cleans up.
    private func releaseCgroups(_ session: inout OuterSession) async -> String? {
        guard !session.heldCgroups.isEmpty else { return nil }
        let held = session.heldCgroups
        session.heldCgroups = []
        let problems = await Task.detached { await HostCgroupLedger.shared.release(held) }.value
        return problems.isEmpty ? nil : problems.joined(separator: " ")
    }

    // MARK: Helpers

    /// dindlab's own cgroup steps before the setup lines, as one script with its title; nil
    /// when there are none: the remount that makes the engine's cgroup mounts writable
    /// (`outer.cgroups: private`, `outer.cgroup-tmpfs`), then the nesting step
    /// (`outer.cgroup-nesting: true`), which needs a writable mount.
    static func cgroupSteps(for scenario: Scenario) -> (script: String, title: String)? {
        var scripts: [String] = []
        var what: [String] = []
        if scenario.outer.cgroups == .private {
            scripts.append(OuterScripts.cgroupRemount)
            what.append("outer.cgroups: private")
        }
        if let tmpfs = scenario.outer.cgroupTmpfs {
            scripts.append(OuterScripts.cgroupTmpfsRemount(writable: tmpfs == .writable))
            what.append("outer.cgroup-tmpfs: \(tmpfs.rawValue)")
        }
        var titles =
            what.isEmpty
            ? [] : ["the remount of the engine's cgroup mounts read-write (\(what.joined(separator: ", ")))"]
        if scenario.outer.cgroupNesting {
            scripts.append(OuterScripts.cgroupNesting)
            titles.append("the cgroup nesting step (outer.cgroup-nesting: true)")
        }
        guard !scripts.isEmpty else { return nil }
        let script = scripts.count == 1 ? scripts[0] : scripts.map { "{\n\($0)\n}" }.joined(separator: " &&\n")
        return (script, titles.joined(separator: " and "))
    }

    /// Bytes of output kept per stream of each command run in the outer container; the rest
    /// is counted and dropped, and the trial's notes say so.
    static let outputLimit = 1 << 20

    func exec(
        _ command: [String], in container: String, tty: Bool = false, title: String, _ attempt: inout TrialAttempt
    ) async throws -> ExecResult {
        let began = ContinuousClock.now
        let phase = attempt.clock.current
        do {
            let result = try await engine.client.exec(
                in: container, command, tty: tty, limit: Self.outputLimit, timeout: try attempt.remaining(),
                callTimeout: callTimeout)
            attempt.steps.append(
                .init(
                    phase: phase, title: title, command: command, exitCode: result.exitCode, output: result.output,
                    seconds: (ContinuousClock.now - began).inSeconds))
            if let note = result.output.truncationNote {
                attempt.notes.append("\(title): \(note)")
            }
            return result
        } catch {
            attempt.steps.append(
                .init(
                    phase: phase, title: title, command: command, error: "\(error)",
                    seconds: (ContinuousClock.now - began).inSeconds))
            throw error
        }
    }

    private func daemonLogSize(_ container: OuterContainer, _ route: InnerRoute, _ attempt: inout TrialAttempt)
        async throws -> Int
    {
        if case .hostSocket(let root, _) = route, let size = root.size(OuterScripts.daemonLog) { return size }
        let result = try await engine.client.exec(
            in: container.id, ["sh", "-c", "wc -c < \(OuterScripts.daemonLog)"], timeout: try attempt.remaining(),
            callTimeout: callTimeout)
        return Int(result.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    private func labels(for trial: PlannedTrial) -> [String: String] {
        var labels = ownership
        labels["dindlab.trial"] = trial.id
        labels["dindlab.scenario"] = trial.scenarioName
        labels["dindlab.cell"] = trial.cell.id
        // Decided at creation, since labels cannot be added later: see RunOptions.keepFailed.
        if keepFailed { labels[KeptContainer.label] = "true" }
        return labels
    }

    /// What an error thrown by a phase means for the trial.
    ///
    /// The trial's deadline passing is a timeout. An engine call that times out before it, or
    /// a broken connection, is the engine's failure (`error`), named with the call. So is a
    /// failure of the system under test while the engine no longer answers: a stopping engine
    /// kills the outer container, which looks like the inner daemon dying. When a ping after
    /// the failure finds the engine gone, it is marked lost and the run starts no more trials.
    private func classify(_ error: any Error, attempt: TrialAttempt) async -> TrialFailure {
        let phase = attempt.clock.current
        let timeoutText =
            "the trial did not finish within its timeout of \(Int(attempt.trial.cell.scenario.timeout.inSeconds)) s"
        switch error {
        case let failure as TrialFailure where failure.outcome == .fail:
            if let lost = await engineLoss() {
                return .harness(phase, lost + " (the trial had failed: \(failure.stepOutput.prefix(300)))")
            }
            return failure
        case let failure as TrialFailure:
            return failure
        case let error as EngineError where error.isTimeout && attempt.isNearDeadline:
            return .timedOut(phase, "\(timeoutText) (\(error))")
        case let error as EngineError where error.isTimeout:
            if let lost = await engineLoss() { return .harness(phase, lost) }
            return .harness(phase, "the engine did not answer in time: \(error)")
        case let error as EngineError where error.isTransport:
            if let lost = await engineLoss(after: error) { return .harness(phase, lost) }
            return .harness(
                phase, "the connection to the engine \(engine.name) broke, though it still answers: \(error)")
        default:
            return .harness(phase, error)
        }
    }

    /// Why the engine is lost, when a quick ping fails (and marks it lost); nil when it answers.
    ///
    /// - Parameter failure: The error that made the trial ask, named in the reason.
    private func engineLoss(after failure: (any Error)? = nil) async -> String? {
        guard !Task.isCancelled else { return nil }
        do {
            _ = try await engine.client.ping(timeout: .seconds(5))
            return nil
        } catch {
            let reason = "the engine \(engine.name) stopped answering: \(failure ?? error)"
            health.markLost(reason)
            return reason
        }
    }
}

/// The mutable state of one trial while it runs.
struct TrialAttempt: Sendable {
    let trial: PlannedTrial
    let deadline: ContinuousClock.Instant
    var clock = PhaseClock()
    var steps = StepLog()
    var innerResults: [InnerRunResult] = []
    var notes: [String] = []
    var cleanupNotes: [String] = []
    /// When the failure was seen, if the daemon was restarted after it (a fault).
    var failureSeenAt: Date?
    /// What `inner.check-placement` found.
    var placement: InnerPlacement?
    /// Whether a seed put the inner image into the inner daemon's data root (`InnerImageSeeds`).
    var seeded = false

    init(trial: PlannedTrial, deadline: ContinuousClock.Instant) {
        self.trial = trial
        self.deadline = deadline
    }

    var isPastDeadline: Bool { ContinuousClock.now >= deadline }

    /// True from shortly before the deadline: an engine call given the time left ends a
    /// little early, and that is the trial's timeout, not the engine's failure.
    var isNearDeadline: Bool { deadline - .now < .milliseconds(250) }

    /// The time left for the next engine call, at most `cap`.
    ///
    /// - Throws: A timeout failure once the deadline has passed.
    func remaining(cappedAt cap: Duration? = nil) throws -> Duration {
        let left = deadline - .now
        guard left > .milliseconds(50) else {
            throw TrialFailure.timedOut(
                clock.current,
                "the trial did not finish within its timeout of \(Int(trial.cell.scenario.timeout.inSeconds)) s")
        }
        return cap.map { min($0, left) } ?? left
    }
}

extension TrialFailure {
    static func harness(_ phase: TrialPhase, _ message: String) -> TrialFailure {
        TrialFailure(outcome: .error, phase: phase, stepOutput: message)
    }
}

/// A closure that runs at most once, however often and from wherever it is called.
final class OnceCall: Sendable {
    private let action: Mutex<(@Sendable () -> Void)?>

    init(_ action: @escaping @Sendable () -> Void) {
        self.action = Mutex(action)
    }

    @Sendable func call() {
        let pending = action.withLock { action in
            defer { action = nil }
            return action
        }
        pending?()
    }
}
