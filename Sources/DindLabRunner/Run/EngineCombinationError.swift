/// Cells that cannot run as written on the engine they were given to, found once the
/// engines are known (their cgroup version and API version), before any trial runs.
import DindLabCore
import DindLabEngines

package struct EngineCombinationError: Error, Sendable, CustomStringConvertible {
    /// One sentence per scenario, cell and engine that does not fit.
    package var problems: [String]

    package var description: String {
        "Some cells cannot run on the engine they were given to; no trial was run:\n"
            + problems.map { "- " + $0 }.joined(separator: "\n")
    }

    /// The problems of the units' cells on their engines.
    static func check(_ units: [Runner.Unit], engines: [TrialEngine]) -> EngineCombinationError? {
        var problems: [String] = []
        for unit in units {
            guard let trial = unit.trials.first else { continue }
            let engine = engines[unit.engineIndex]
            let outer = trial.cell.scenario.outer
            guard
                let problem = OuterContainerRequest.cgroupProblem(
                    cgroups: outer.cgroups, apiVersion: engine.apiVersion,
                    engineCgroupVersion: engine.fingerprint.cgroupVersion)
            else { continue }
            let line = "\(trial.scenarioName) \(trial.cell.id) on \(engine.name): \(problem)."
            if !problems.contains(line) { problems.append(line) }
        }
        return problems.isEmpty ? nil : EngineCombinationError(problems: problems)
    }
}
