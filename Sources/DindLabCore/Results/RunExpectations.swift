/// The success-rate expectations a run is judged by, per scenario and per cell.
///
/// Recorded in manifest.json so that `dindlab report` and `dindlab merge` can judge a run from
/// its folder alone, on another machine, without the scenario files. A matrix may vary
/// `expect.success-rate`, so a cell can have its own expectation; every other cell has its
/// scenario's.
///
///     "expectations": {
///       "smoke": {"successRate": ">= 1"},
///       "modes": {"successRate": ">= 0.9", "cells": {"expect.success-rate=>= 0.5": ">= 0.5"}}
///     }
package struct RunExpectations: Sendable, Hashable, Codable {
    /// One scenario's expectation and the cells that differ from it.
    package struct ScenarioExpectations: Sendable, Hashable, Codable {
        /// The scenario's own `expect.success-rate`; nil when the file has none.
        package var successRate: SuccessRateExpectation?
        /// Cells (by cell id) whose matrix sets another expectation.
        package var cells: [String: SuccessRateExpectation]

        package init(successRate: SuccessRateExpectation?, cells: [String: SuccessRateExpectation] = [:]) {
            self.successRate = successRate
            self.cells = cells
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            successRate = try container.decodeIfPresent(SuccessRateExpectation.self, forKey: .successRate)
            cells = try container.decodeIfPresent([String: SuccessRateExpectation].self, forKey: .cells) ?? [:]
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(successRate, forKey: .successRate)
            if !cells.isEmpty { try container.encode(cells, forKey: .cells) }
        }

        private enum CodingKeys: String, CodingKey {
            case successRate, cells
        }
    }

    /// By scenario name.
    package var scenarios: [String: ScenarioExpectations]

    /// - Parameter scenarios: Each scenario's expectations, by scenario name.
    package init(scenarios: [String: ScenarioExpectations] = [:]) {
        self.scenarios = scenarios
    }

    /// One expectation per scenario, the same for all its cells.
    /// - Parameter byScenario: Each scenario's expectation, by scenario name.
    package init(byScenario: [String: SuccessRateExpectation]) {
        self.init(scenarios: byScenario.mapValues { ScenarioExpectations(successRate: $0) })
    }

    /// The expectations of a plan's scenarios. Every cell of each scenario's matrix is looked
    /// at, not only the plan's, so that the shards of one plan record the same expectations.
    /// - Parameter plan: A plan, whole or a shard.
    package init(of plan: Plan) {
        var scenarios: [String: ScenarioExpectations] = [:]
        for planned in plan.scenarios {
            let own = planned.scenario.expect.successRate
            var entry = ScenarioExpectations(successRate: own)
            for cell in planned.scenario.cells() where cell.scenario.expect.successRate != own {
                entry.cells[cell.id] = cell.scenario.expect.successRate
            }
            if entry.successRate != nil || !entry.cells.isEmpty {
                scenarios[planned.scenario.name] = entry
            }
        }
        self.init(scenarios: scenarios)
    }

    /// The scenario's own expectation.
    package func expectation(scenario: String) -> SuccessRateExpectation? {
        scenarios[scenario]?.successRate
    }

    /// A cell's expectation: its own when its matrix sets one, else its scenario's.
    package func expectation(scenario: String, cellID: String) -> SuccessRateExpectation? {
        guard let entry = scenarios[scenario] else { return nil }
        return entry.cells[cellID] ?? entry.successRate
    }
}
