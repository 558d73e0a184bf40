import Foundation

/// Puts the runs' tallies together into a `History`: nights, a row per cell, signatures with
/// their first night, scenario file changes, and each cell's class.
struct HistoryBuilder {
    typealias TalliedRun = (run: HistoryReader.RunFolder, tally: RunTally)

    /// The nights' runs, oldest night first.
    let groups: [[TalliedRun]]
    let window: Int
    var warnings: [String]

    /// A row of the grid: scenario, cell id, and the engine when engines are told apart.
    private struct RowKey: Hashable {
        let scenario: String
        let cellID: String
        let engine: String?
    }

    func build() -> History {
        // Engines tell cells apart only when some night ran on several (as `compare` pairs cells).
        let showsEngines = groups.contains { group in
            var engines = Set<String>()
            for (run, tally) in group {
                engines.formUnion(tally.cells.keys.map(\.engine))
                engines.formUnion((run.manifest.skippedCells ?? []).map(\.engine))
            }
            return engines.count > 1
        }
        func rowKey(_ key: RunTally.CellKey) -> RowKey {
            RowKey(scenario: key.scenario, cellID: key.cellID, engine: showsEngines ? key.engine : nil)
        }

        var entries: [RowKey: [HistoryEntry?]] = [:]
        var cellIndex: [RowKey: Int] = [:]
        var valuesJSON: [RowKey: [UInt8]] = [:]
        var nights: [HistoryNight] = []
        for (index, group) in groups.enumerated() {
            var nightEntries: [RowKey: HistoryEntry] = [:]
            var scenarios = Set<String>()
            for (run, tally) in group {
                let expectations = run.manifest.expectations ?? RunExpectations()
                for (key, cell) in tally.cells {
                    let row = rowKey(key)
                    var entry = cell.entry
                    entry.topSignature = cell.signatureCounts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
                    entry.expectation = expectations.expectation(scenario: key.scenario, cellID: key.cellID)
                    nightEntries[row, default: HistoryEntry()].add(entry)
                    if let position = cell.cellIndex { cellIndex[row] = position }
                    if let json = cell.cellValuesJSON { valuesJSON[row] = json }
                    scenarios.insert(key.scenario)
                }
                for skipped in run.manifest.skippedCells ?? [] {
                    let row = rowKey(
                        RunTally.CellKey(scenario: skipped.scenario, cellID: skipped.cellID, engine: skipped.engine))
                    var entry = HistoryEntry(skippedReason: skipped.reason)
                    entry.expectation = expectations.expectation(scenario: skipped.scenario, cellID: skipped.cellID)
                    nightEntries[row, default: HistoryEntry()].add(entry)
                    scenarios.insert(skipped.scenario)
                }
            }
            for (row, entry) in nightEntries {
                entries[row, default: Array(repeating: nil, count: groups.count)][index] = entry
            }
            nights.append(night(index: index, group: group, scenarios: scenarios))
        }

        let rows = entries.keys.sorted {
            ($0.scenario, cellIndex[$0] ?? Int.max, $0.cellID, $0.engine ?? "") < (
                $1.scenario, cellIndex[$1] ?? Int.max, $1.cellID, $1.engine ?? ""
            )
        }
        let absent = [HistoryEntry?](repeating: nil, count: groups.count)
        var cells = rows.map { row in
            HistoryCell(
                scenario: row.scenario, cellID: row.cellID,
                cellValues: Self.cellValues(json: valuesJSON[row], cellID: row.cellID),
                engine: row.engine, entries: entries[row, default: absent], trend: CellTrend(classification: .passing))
        }
        HistoryClassifier(window: window).classify(&cells)
        let rowNames = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($0.element, $0.offset) })
        return History(
            nights: nights, cells: cells, signatures: signatures(rowOrder: rowNames, rowKey: rowKey),
            scenarioChanges: Self.changes(nights), window: window, showsEngines: showsEngines, warnings: warnings)
    }

    // MARK: - Nights

    private func night(index: Int, group: [TalliedRun], scenarios: Set<String>) -> HistoryNight {
        let manifests = group.map(\.run.manifest)
        var provenance: String?
        if let merged = manifests[0].mergedFrom, group.count == 1 {
            provenance = "merged from \(merged.count) shard\(merged.count == 1 ? "" : "s")"
        } else if manifests[0].shard != nil {
            let shards = manifests.compactMap(\.shard).map(\.description).joined(separator: ", ")
            provenance = "shard\(group.count == 1 ? "" : "s") \(shards) (not merged)"
        }
        let versions = manifests.map(\.harnessVersion).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        var digests: [String: String] = [:]
        for manifest in manifests {
            for file in manifest.scenarioFiles {
                if let name = Self.scenarioName(of: file, in: manifest, scenarios: scenarios) {
                    digests[name] = file.sha256
                }
            }
        }
        return HistoryNight(
            index: index, directories: group.map(\.run.directory), runIDs: manifests.map(\.runID),
            startedAt: manifests.dropFirst().reduce(manifests[0].startedAt) { min($0, $1.startedAt) },
            finishedAt: manifests.allSatisfy { $0.finishedAt != nil } ? manifests.compactMap(\.finishedAt).max() : nil,
            seed: manifests[0].seed, harnessVersion: versions.joined(separator: ", "), provenance: provenance,
            trialCount: group.reduce(0) { $0 + $1.tally.trials },
            corruptLineCount: group.reduce(0) { $0 + $1.tally.corruptLines.count },
            scenarioDigests: digests)
    }

    /// Which scenario a manifest's file holds: as recorded; else the only scenario of a
    /// one-file run; else the scenario named like the file (`Scenarios/smoke.yaml` → smoke).
    static func scenarioName(of file: RunManifest.ScenarioFile, in manifest: RunManifest, scenarios: Set<String>)
        -> String?
    {
        if let name = file.scenario { return name }
        if manifest.scenarioFiles.count == 1, scenarios.count == 1 { return scenarios.first }
        let stem = URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent
        return scenarios.contains(stem) ? stem : nil
    }

    /// The nights on which a scenario's file differed from the last night that knew it.
    static func changes(_ nights: [HistoryNight]) -> [ScenarioFileChange] {
        var last: [String: String] = [:]
        var changes: [ScenarioFileChange] = []
        for night in nights {
            for (scenario, digest) in night.scenarioDigests.sorted(by: { $0.key < $1.key }) {
                if let previous = last[scenario], previous != digest {
                    changes.append(
                        ScenarioFileChange(
                            scenario: scenario, night: night.index, previousSHA256: previous, sha256: digest))
                }
                last[scenario] = digest
            }
        }
        return changes
    }

    // MARK: - Cells

    /// The matrix values from a record's JSON; for a cell only ever skipped, read from its id
    /// (`daemon.start=exec,inner.mode=ti`).
    static func cellValues(json: [UInt8]?, cellID: String) -> CellValues {
        if let json, let values = try? JSONDecoder().decode(CellValues.self, from: Data(json)) { return values }
        let pairs = cellID.split(separator: ",").compactMap { part -> (key: String, value: String)? in
            let halves = part.split(separator: "=", maxSplits: 1)
            return halves.count == 2 ? (String(halves[0]), String(halves[1])) : nil
        }
        return Set(pairs.map(\.key)).count == pairs.count ? CellValues(pairs) : CellValues([])
    }

    // MARK: - Signatures

    private func signatures(rowOrder: [RowKey: Int], rowKey: (RunTally.CellKey) -> RowKey) -> [HistorySignature] {
        struct Seen {
            var first: Int
            var last: Int
            var nights = 0
            var count = 0
            var rows: Set<RowKey> = []
            var example: (trialID: String, artifactsPath: String?, directory: URL)

            /// Counts the signature's trials of one run of night `night`, the night's first
            /// sighting of it when `firstTonight`.
            mutating func add(_ signature: RunTally.Signature, rows: [RowKey], night: Int, firstTonight: Bool) {
                last = night
                count += signature.count
                self.rows.formUnion(rows)
                if firstTonight { nights += 1 }
            }
        }
        var seen: [RunTally.SignatureKey: Seen] = [:]
        for (index, group) in groups.enumerated() {
            var tonight = Set<RunTally.SignatureKey>()
            for (run, tally) in group {
                for (key, signature) in tally.signatures {
                    let firstTonight = tonight.insert(key).inserted
                    seen[
                        key,
                        default: Seen(
                            first: index, last: index,
                            example: (signature.exampleTrialID, signature.exampleArtifactsPath, run.directory))
                    ]
                    .add(signature, rows: signature.cells.map(rowKey), night: index, firstTonight: firstTonight)
                }
            }
        }
        return seen.map { key, value in
            HistorySignature(
                scenario: key.scenario, outcome: key.outcome, signature: key.signature, firstNight: value.first,
                lastNight: value.last,
                nightCount: value.nights, count: value.count,
                cells: value.rows.sorted { rowOrder[$0] ?? 0 < rowOrder[$1] ?? 0 }.map { row in
                    row.engine.map { "\(row.cellID) [\($0)]" } ?? row.cellID
                },
                exampleTrialID: value.example.trialID, exampleArtifactsPath: value.example.artifactsPath,
                exampleRunDirectory: value.example.directory)
        }.sorted {
            ($1.firstNight, $1.count, $0.scenario, $0.signature, $0.outcome.rawValue) < (
                $0.firstNight, $0.count, $1.scenario, $1.signature, $1.outcome.rawValue
            )
        }
    }
}

/// Classifies each cell by its latest night against the nights before (README, "History
/// across nights"):
///
/// 1. gone: not in the latest night (neither run nor skipped), but in an earlier one;
/// 2. no rate: in the latest night without a counted trial (skipped, or only errors);
/// 3. new: counted trials in the latest night and in no earlier night;
/// 4. regressed / recovered: the latest night's failures against the pooled failures of up to
///    `window` earlier nights in which the cell had counted trials, by Fisher's exact test,
///    Holm-adjusted over every cell tested; significant (< 0.05) and worse / better;
/// 5. otherwise over the latest night and its window together: passing (no failure), failing
///    (no pass), flaky (both, with at least `History.flakyMinimumTrials` counted trials); with
///    fewer trials the latest night alone decides between the three.
struct HistoryClassifier {
    let window: Int

    func classify(_ cells: inout [HistoryCell]) {
        var tested: [(index: Int, pValue: Double)] = []
        for index in cells.indices {
            cells[index].trend = firstPass(cells[index].entries)
            if let pValue = cells[index].trend.pValue { tested.append((index, pValue)) }
        }
        let adjusted = HolmAdjustment.adjust(tested.map(\.pValue))
        for ((index, _), value) in zip(tested, adjusted) {
            var trend = cells[index].trend
            trend.adjustedPValue = value
            trend.testedCells = tested.count
            if value < History.significanceLevel, let latest = trend.latest?.failureRate,
                let before = trend.window?.failureRate, latest != before
            {
                trend.classification = latest > before ? .regressed : .recovered
            }
            cells[index].trend = trend
        }
    }

    /// Everything but the adjustment: the class by the counts, and the raw p-value.
    func firstPass(_ entries: [HistoryEntry?]) -> CellTrend {
        let latestIndex = entries.count - 1
        let earlierCounted = entries.dropLast().compactMap { $0 }.filter { $0.counted > 0 }
        guard let latest = entries.last ?? nil else {
            return CellTrend(classification: .gone, lastSeenNight: entries.lastIndex { $0 != nil })
        }
        let latestCounts = HistoryCounts([latest])
        guard latest.counted > 0 else {
            return CellTrend(classification: .noRate, latest: latestCounts, lastSeenNight: latestIndex)
        }
        guard !earlierCounted.isEmpty else {
            return CellTrend(classification: .new, latest: latestCounts, lastSeenNight: latestIndex)
        }
        let windowCounts = HistoryCounts(Array(earlierCounted.suffix(window)))
        let p = FisherExactTest(
            a: latestCounts.passes, b: latestCounts.failures, c: windowCounts.passes, d: windowCounts.failures
        ).twoSidedPValue
        var trend = CellTrend(
            classification: .passing, latest: latestCounts, window: windowCounts, pValue: p, adjustedPValue: p,
            lastSeenNight: latestIndex)
        let recent = HistoryCounts(
            passes: latestCounts.passes + windowCounts.passes, failures: latestCounts.failures + windowCounts.failures)
        let judged = recent.counted >= History.flakyMinimumTrials ? recent : latestCounts
        trend.classification = judged.failures == 0 ? .passing : judged.passes == 0 ? .failing : .flaky
        return trend
    }
}
