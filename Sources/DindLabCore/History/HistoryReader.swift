package import Foundation

/// Reads run folders into a `History`.
///
/// What it reads of each run folder: manifest.json (start time, seed, shard, scenario files,
/// expectations, skipped cells) and trials.jsonl, streamed line by line (`TrialLineScanner`)
/// into counts per cell, so memory grows with cells × nights and distinct signatures, never
/// with trials. Run folders are read in parallel on every core.
///
/// Which folders make a night:
/// - a run folder is one night;
/// - a merged run (`dindlab merge`) is one night, and the shard runs it was merged from are not
///   read again when they are found too;
/// - shards of one plan that were never merged (same seed, shard count, plan size and scenario
///   files) make one night together;
/// - a run found twice (the same run id in two folders) is read once.
package enum HistoryReader {
    /// How deep below a given folder run folders are looked for (`history/` → `nightly-1/`, or
    /// `shards/` → `dindlab-shard-1/` → `<run id>/`).
    package static let searchDepth = 4

    /// Reads the run folders in and below `paths`.
    /// - Parameters:
    ///   - paths: Run folders, or folders that hold run folders (at any depth up to `searchDepth`).
    ///   - window: How many earlier nights (in which a cell ran) its latest night is compared with.
    ///   - last: Keep only the newest `last` nights; all when nil.
    /// - Returns: The history.
    /// - Throws: `HistoryError` when a path does not exist or no run folder is found.
    package static func read(_ paths: [URL], window: Int = History.defaultWindow, last: Int? = nil) throws(HistoryError)
        -> History
    {
        guard window >= 1 else { throw .badWindow(window) }
        if let last, last < 1 { throw .badLast(last) }
        var warnings: [String] = []
        let folders = try runFolders(in: paths, warnings: &warnings)
        guard !folders.isEmpty else { throw .noRuns(paths.map(\.path)) }
        let runs = readManifests(folders, warnings: &warnings)
        guard !runs.isEmpty else { throw .noRuns(paths.map(\.path)) }
        var groups = nights(of: runs, warnings: &warnings)
        if let last, groups.count > last { groups.removeFirst(groups.count - last) }
        let tallies = readTrials(of: groups.flatMap { $0 }, warnings: &warnings)
        var offset = 0
        var talliedGroups = groups.map { group in
            defer { offset += group.count }
            return Array(zip(group, tallies[offset..<offset + group.count])).map { (run: $0.0, tally: $0.1) }
        }
        // A run that recorded no trial and skipped no cell (it stopped at its start) says
        // nothing about the cells: as a column it would make every cell look gone.
        talliedGroups.removeAll { group in
            let empty = group.allSatisfy { $0.tally.trials == 0 && ($0.run.manifest.skippedCells ?? []).isEmpty }
            if empty {
                warnings.append(
                    "\(group.map(\.run.directory.path).joined(separator: ", ")) recorded no trial; left out of the history."
                )
            }
            return empty
        }
        guard !talliedGroups.isEmpty else { throw .noTrials(paths.map(\.path)) }
        return HistoryBuilder(groups: talliedGroups, window: window, warnings: warnings).build()
    }

    // MARK: - Finding run folders

    /// Run folders (folders with manifest.json) in and below `paths`, in path order.
    static func runFolders(in paths: [URL], warnings: inout [String]) throws(HistoryError) -> [URL] {
        var found: [URL] = []
        var seen = Set<String>()
        func visit(_ url: URL, depth: Int) {
            let manifest = url.appendingPathComponent(ResultStore.manifestFileName)
            if FileManager.default.fileExists(atPath: manifest.path) {
                if seen.insert(url.standardizedFileURL.resolvingSymlinksInPath().path).inserted { found.append(url) }
                return
            }
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(ResultStore.trialsFileName).path) {
                warnings.append(
                    "\(url.path) has trials.jsonl but no manifest.json; it is not read (the manifest says when the run started)."
                )
                return
            }
            guard depth < searchDepth,
                let children = try? FileManager.default.contentsOfDirectory(
                    at: url, includingPropertiesForKeys: [.isDirectoryKey])
            else { return }
            for child in children.sorted(by: { $0.lastPathComponent < $1.lastPathComponent })
            where !child.lastPathComponent.hasPrefix(".") && child.lastPathComponent != ResultStore.artifactsFolderName
                && (try? child.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
            {
                visit(child, depth: depth + 1)
            }
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw .noSuchPath(path.path)
            }
            visit(path, depth: 0)
        }
        return found
    }

    /// A run folder and its manifest.
    struct RunFolder: Sendable {
        let directory: URL
        let manifest: RunManifest
    }

    /// Reads every manifest (in parallel); unreadable ones are named in the warnings and left out.
    static func readManifests(_ folders: [URL], warnings: inout [String]) -> [RunFolder] {
        let slots = PartResults<Result<RunManifest, ResultsError>>(count: folders.count)
        DispatchQueue.concurrentPerform(iterations: folders.count) { index in
            let url = folders[index].appendingPathComponent(ResultStore.manifestFileName)
            do throws(ResultsError) {
                guard let data = try ResultFiles.readIfPresent(url) else {
                    throw .cannotRead(url.path, reason: "the file does not exist")
                }
                do {
                    slots.set(.success(try ResultsJSON.decoder().decode(RunManifest.self, from: data)), at: index)
                } catch {
                    throw .cannotDecode(url.path, reason: ResultsJSON.explain(error))
                }
            } catch {
                slots.set(.failure(error), at: index)
            }
        }
        var runs: [RunFolder] = []
        for (folder, result) in zip(folders, slots.values) {
            switch result {
            case .success(let manifest): runs.append(RunFolder(directory: folder, manifest: manifest))
            case .failure(let error): warnings.append("\(error) The run is left out of the history.")
            }
        }
        return runs
    }

    // MARK: - Nights

    /// Groups runs into nights, oldest first: merged runs stand for their shards, unmerged
    /// shards of one plan go together, a run found twice counts once.
    static func nights(of runs: [RunFolder], warnings: inout [String]) -> [[RunFolder]] {
        var byID: [RunID: RunFolder] = [:]
        var unique: [RunFolder] = []
        for run in runs {
            if let earlier = byID[run.manifest.runID] {
                warnings.append(
                    "The run \(run.manifest.runID) is in both \(earlier.directory.path) and \(run.directory.path); it is read once, from the first."
                )
                continue
            }
            byID[run.manifest.runID] = run
            unique.append(run)
        }
        let merged = Dictionary(
            unique.flatMap { run in (run.manifest.mergedFrom ?? []).map { ($0.runID, run.manifest.runID) } },
            uniquingKeysWith: { first, _ in first })
        var readThroughMerge = 0
        var groups: [String: [RunFolder]] = [:]
        var order: [String] = []
        for run in unique {
            if run.manifest.mergedFrom == nil, merged[run.manifest.runID] != nil {
                readThroughMerge += 1
                continue
            }
            let key: String
            if let shard = run.manifest.shard {
                let digests = run.manifest.scenarioFiles.map(\.sha256).sorted().joined(separator: ",")
                key =
                    "shards \(shard.count) seed \(run.manifest.seed.map(String.init) ?? "-") plan \(run.manifest.plannedTrials.map(String.init) ?? "-") \(digests)"
            } else {
                key = "run \(run.manifest.runID)"
            }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(run)
        }
        if readThroughMerge > 0 {
            warnings.append(
                "\(readThroughMerge) shard run\(readThroughMerge == 1 ? " was" : "s were") read through the merged run\(readThroughMerge == 1 ? " that holds it" : "s that hold them"), not twice."
            )
        }
        // Shards of one key that repeat a shard index are two nights (a seed used again).
        let split = order.flatMap { key -> [[RunFolder]] in
            var nights: [[RunFolder]] = []
            for run in (groups[key] ?? []).sorted(by: {
                ($0.manifest.startedAt, $0.manifest.runID) < ($1.manifest.startedAt, $1.manifest.runID)
            }) {
                if let index = run.manifest.shard?.index, let last = nights.indices.last,
                    !nights[last].contains(where: { $0.manifest.shard?.index == index })
                {
                    nights[last].append(run)
                } else {
                    nights.append([run])
                }
            }
            return nights
        }
        return split.map { night in
            night.sorted {
                ($0.manifest.shard?.index ?? 0, $0.manifest.runID) < ($1.manifest.shard?.index ?? 0, $1.manifest.runID)
            }
        }.sorted { first, second in
            let a = first.dropFirst().reduce(first[0].manifest.startedAt) { min($0, $1.manifest.startedAt) }
            let b = second.dropFirst().reduce(second[0].manifest.startedAt) { min($0, $1.manifest.startedAt) }
            return a != b ? a < b : first[0].manifest.runID < second[0].manifest.runID
        }
    }

    // MARK: - Trials

    /// Reads each run's trials.jsonl into a `RunTally`, runs in parallel.
    static func readTrials(of runs: [RunFolder], warnings: inout [String]) -> [RunTally] {
        let slots = PartResults<Result<RunTally, ResultsError>>(count: runs.count)
        DispatchQueue.concurrentPerform(iterations: runs.count) { index in
            do throws(ResultsError) {
                slots.set(
                    .success(
                        try RunTally(reading: runs[index].directory.appendingPathComponent(ResultStore.trialsFileName))),
                    at: index)
            } catch {
                slots.set(.failure(error), at: index)
            }
        }
        return zip(runs, slots.values).map { run, result in
            switch result {
            case .success(let tally):
                if !tally.corruptLines.isEmpty {
                    let first = tally.corruptLines[0]
                    warnings.append(
                        "\(run.directory.path)/trials.jsonl: \(tally.corruptLines.count) line\(tally.corruptLines.count == 1 ? " is" : "s are") not a trial record and \(tally.corruptLines.count == 1 ? "was" : "were") skipped (first: line \(first.lineNumber), \(first.reason))."
                    )
                }
                return tally
            case .failure(let error):
                warnings.append("\(error) The run's trials are left out of the history.")
                return RunTally()
            }
        }
    }
}

/// One run's trials.jsonl, counted per cell and signature.
struct RunTally: Sendable {
    struct CellKey: Hashable, Sendable {
        let scenario: String
        let cellID: String
        let engine: String

        /// The cell id alone tells cells apart almost always (a run has one or two scenarios and
        /// engines); hashing one string instead of three is a tenth of reading a record.
        func hash(into hasher: inout Hasher) {
            hasher.combine(cellID)
        }
    }

    struct Cell: Sendable {
        var entry = HistoryEntry()
        /// Signatures of the cell's trials that did not pass, with counts.
        var signatureCounts: [String: Int] = [:]
        /// The cell's index in its scenario's matrix, from its first trial id.
        var cellIndex: Int?
        /// The raw JSON of its first record's `cellValues`.
        var cellValuesJSON: [UInt8]?

        /// A cell first seen in `line`, whose fields are `fields`.
        init(firstSeenIn fields: TrialLineScanner.Fields, line: UnsafeRawBufferPointer) {
            cellIndex = PlannedTrial.cellIndex(ofTrialID: fields.trialID.text(in: line))
            cellValuesJSON = fields.cellValues.map { Array(line[$0]) }
        }

        /// Counts one trial that ended with `outcome`; `signature` is the signature of a trial
        /// that did not pass (nil for a pass).
        mutating func recordTrial(_ outcome: TrialOutcome, signature: String?) {
            switch outcome {
            case .pass: entry.passes += 1
            case .fail: entry.fails += 1
            case .timeout: entry.timeouts += 1
            case .error: entry.errors += 1
            }
            if let signature { signatureCounts[signature, default: 0] += 1 }
        }
    }

    struct SignatureKey: Hashable, Sendable {
        let scenario: String
        let outcome: TrialOutcome
        let signature: String
    }

    struct Signature: Sendable {
        var count = 0
        var cells: Set<CellKey> = []
        let exampleTrialID: String
        let exampleArtifactsPath: String?

        /// Counts one more trial of the signature, in `cell`.
        mutating func recordTrial(in cell: CellKey) {
            count += 1
            cells.insert(cell)
        }
    }

    var cells: [CellKey: Cell] = [:]
    var signatures: [SignatureKey: Signature] = [:]
    var trials = 0
    var corruptLines: [CorruptLine] = []

    init() {}

    /// Streams a trials.jsonl (a missing file is a run without finished trials).
    init(reading url: URL) throws(ResultsError) {
        try ResultFiles.forEachLine(in: url) { line, number, unterminated in
            do throws(TrialLineScanner.Failure) {
                add(try TrialLineScanner.scan(line), line: line)
            } catch {
                let blank = line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
                let reason =
                    blank
                    ? "the line is empty"
                    : unterminated
                        ? "the last line is incomplete (the harness may have stopped while writing it): \(error.reason)"
                        : error.reason
                corruptLines.append(
                    CorruptLine(
                        lineNumber: number, reason: reason, excerpt: String(decoding: line.prefix(120), as: UTF8.self)))
            }
        }
    }

    mutating func add(_ fields: TrialLineScanner.Fields, line: UnsafeRawBufferPointer) {
        trials += 1
        let key = CellKey(scenario: fields.scenario, cellID: fields.cellID, engine: fields.engine)
        let signature = fields.outcome == .pass ? nil : fields.signature ?? SignatureCount.missing
        // One hash lookup per record: the defaulted subscript finds or inserts the cell and
        // updates it in place (the default is built only for a cell not seen yet).
        cells[key, default: Cell(firstSeenIn: fields, line: line)].recordTrial(fields.outcome, signature: signature)
        guard let signature else { return }
        let signatureKey = SignatureKey(scenario: fields.scenario, outcome: fields.outcome, signature: signature)
        signatures[
            signatureKey,
            default: Signature(
                exampleTrialID: fields.trialID.text(in: line),
                exampleArtifactsPath: fields.artifactsPath?.text(in: line))
        ]
        .recordTrial(in: key)
    }
}
