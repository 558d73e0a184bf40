extension Tally {
    /// The same counts in an order that does not change from run to run: scenarios by name, each
    /// scenario's cells in matrix order (first key slowest, as `Scenario.cells()` expands it, read
    /// from the trial ids), a cell's engines in the order they first ran it.
    ///
    /// The tally itself lists cells in the order of their first trial, which the seed shuffles, so
    /// two nightly reports would list the same cells differently; a person comparing them should
    /// find every cell in its place.
    /// - Parameter cellIndex: Each cell's index in its scenario's matrix, by "scenario/cell id",
    ///   as its trial ids give it (`PlannedTrial.cellIndex(ofTrialID:)`).
    /// - Returns: The reordered tally.
    func inMatrixOrder(cellIndices cellIndex: [String: Int]) -> Tally {
        Tally(
            scenarios: scenarios.sorted { $0.name < $1.name }.map { scenario in
                // A stable sort keeps each cell's engines in their first-run order.
                let positions = scenario.cells.enumerated().map { offset, cell in
                    (cellIndex["\(scenario.name)/\(cell.cellID)"] ?? Int.max, offset, cell)
                }
                let cells = positions.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
                return ScenarioTally(name: scenario.name, expectation: scenario.expectation, cells: cells)
            })
    }
}
