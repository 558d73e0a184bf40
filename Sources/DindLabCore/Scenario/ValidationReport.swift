/// What `dindlab validate` finds in scenario files: per file, either the scenario with its cell
/// and trial counts, or every problem.
package struct ValidationReport: Sendable {
    /// The outcome for one file.
    package struct FileResult: Sendable {
        /// The file as the user named it.
        package let file: String
        /// The scenario, when the file is valid.
        package let scenario: Scenario?
        /// The problems, when it is not.
        package let errors: [YAMLError]

        /// The number of cells the matrix expands to (0 for an invalid file).
        package var cellCount: Int { scenario?.cells().count ?? 0 }
        /// The number of trials a run would make: each cell's `repeat`, summed.
        package var trialCount: Int { scenario?.cells().reduce(0) { $0 + $1.scenario.repeatCount } ?? 0 }
    }

    /// One result per file, in the order given.
    package let results: [FileResult]

    /// Loads and checks each file.
    /// - Parameters:
    ///   - files: The files' paths.
    ///   - limits: Bounds on each file's YAML.
    package init(files: [String], limits: YAMLLimits = .default) {
        results = files.map { file in
            do throws(YAMLErrors) {
                return FileResult(file: file, scenario: try ScenarioLoader.load(file: file, limits: limits), errors: [])
            } catch {
                return FileResult(file: file, scenario: nil, errors: error.errors)
            }
        }
    }

    /// Whether every file is valid.
    package var isValid: Bool { results.allSatisfy { $0.errors.isEmpty } }

    /// `FILE: ok (N cells, M trials)` per valid file; each problem, then `FILE: invalid (K problems)`,
    /// per invalid file.
    package var text: String {
        results.map { result in
            if result.errors.isEmpty {
                let cells = result.cellCount
                let trials = result.trialCount
                return
                    "\(result.file): ok (\(cells) \(cells == 1 ? "cell" : "cells"), \(trials) \(trials == 1 ? "trial" : "trials"))"
            }
            let count = result.errors.count
            return
                (result.errors.map(\.description) + [
                    "\(result.file): invalid (\(count) \(count == 1 ? "problem" : "problems"))"
                ])
                .joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
