import DindLabCore
import DindLabEngines
import DockerEngine
import Foundation

/// The steps of a trial around the inner image's seed (`InnerImageSeeds`): taking the cell's
/// seed after the first import, and putting it into a later trial's fresh data root before its
/// inner daemon starts.
extension TrialExecutor {
    /// The seed a trial's inner daemon starts from: the cell's, when it has one and may use it.
    func seedToPlant(_ scenario: Scenario, daemon: [String], trial: PlannedTrial) -> InnerImageSeeds.Seed? {
        guard let seeds, seedsApply(to: scenario, daemon: daemon) else { return nil }
        return seeds.seed(forCell: Self.seedKey(trial))
    }

    /// Puts `seed` into the outer container's data root before the inner daemon starts, and
    /// records the step. `gated`: the container's command waits at `InnerImageSeeds.gate`
    /// (`start: cmd`) and must be let through whatever happens, or its daemon never starts.
    func plant(
        _ seed: InnerImageSeeds.Seed, in container: String, through route: InnerRoute, gated: Bool,
        _ attempt: inout TrialAttempt
    ) async {
        guard let seeds else { return }
        let began = ContinuousClock.now
        let scenario = attempt.trial.cell.scenario
        let title = "inner image \(scenario.inner.image) from the cell's seed (from the engine's host)"
        var problem: String?
        if case .hostSocket(let root, _) = route {
            let limit = (try? attempt.remaining(cappedAt: scenario.daemon.readyTimeout)) ?? .seconds(1)
            problem =
                gated
                ? await seeds.plantAtGate(seed, into: root, timeout: limit) : await seeds.plant(seed, into: root)
        } else {
            problem = "the trial reaches the inner daemon through exec, where no seed can be put in"
            if gated { problem = (problem ?? "") + "; " + (await openGateThroughExec(in: container, &attempt)) }
        }
        attempt.seeded = problem == nil
        attempt.steps.append(
            .init(
                phase: attempt.clock.current, title: title, command: [], exitCode: problem == nil ? 0 : nil,
                error: problem.map { $0 + " (the image is imported instead)" },
                seconds: (ContinuousClock.now - began).inSeconds,
                detail: problem == nil
                    ? "the \(seed.driver) image store and layers the cell's first trial imported, untarred into \(seed.dataRoot) before the daemon started"
                    : nil))
    }

    /// After a trial imported the inner image into a fresh daemon, keeps what the import wrote
    /// as the seed of the trial's cell (once per cell), and records the step.
    func captureSeed(
        _ wait: DaemonWait, root: OuterRoot, client: EngineClient, _ attempt: inout TrialAttempt
    ) async {
        let scenario = attempt.trial.cell.scenario
        guard let seeds, !attempt.seeded, seedsApply(to: scenario, daemon: wait.container.daemonCommand),
            seeds.seed(forCell: Self.seedKey(attempt.trial)) == nil
        else { return }
        let began = ContinuousClock.now
        let detail = await seeds.capture(cell: Self.seedKey(attempt.trial), from: root, client: client)
        attempt.steps.append(
            .init(
                phase: attempt.clock.current, title: "take the seed of inner image \(scenario.inner.image)",
                command: [], seconds: (ContinuousClock.now - began).inSeconds, detail: detail))
    }

    private func seedsApply(to scenario: Scenario, daemon: [String]) -> Bool {
        let route = OuterRoot.unusableReason(
            endpoint: engine.client.address.endpoint, environment: scenario.outer.env, daemonCommand: daemon)
        return InnerImageSeeds.unusableReason(
            scenario: scenario, routeUnusable: route, daemonCommand: daemon, apiVersion: engine.apiVersion) == nil
    }

    private static func seedKey(_ trial: PlannedTrial) -> String {
        "\(trial.scenarioName)/\(trial.cell.id)"
    }

    /// Lets a gated command through from inside the container, when the host cannot reach it.
    private func openGateThroughExec(in container: String, _ attempt: inout TrialAttempt) async -> String {
        let state = OuterScripts.stateDirectory
        let gate = InnerImageSeeds.gate
        let script =
            "while [ ! -p \(gate) ] && [ ! -e \(state)/setup.failed ] && [ ! -e \(OuterScripts.daemonPID) ]; do sleep 0.01; done; if [ -p \(gate) ]; then echo go >\(gate); fi"
        do {
            let result = try await exec(
                ["sh", "-c", script], in: container, title: "open the seed gate", &attempt)
            return "the seed gate was opened through exec (status \(result.exitCode))"
        } catch {
            return "the seed gate could not be opened through exec: \(error)"
        }
    }
}
