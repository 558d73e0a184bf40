import DindLabCore
import DindLabEngines
import DindLabRunner

/// The words of the libraries' errors about what an option asked for: the library says what
/// happened (`The cell filter x: ...`), and this names the option as the user typed it
/// (`--only x: ...`) and the option that gets past it (`pass --binary PATH`).
enum OptionErrorText {
    /// The message for `error` naming its option, or nil when it is not about one.
    static func text(for error: any Error) -> String? {
        switch error {
        case let error as PlanError: return text(for: error)
        case let error as ReproError: return text(for: error)
        case let error as HistoryError: return text(for: error)
        case let error as CompareError: return text(for: error)
        case let error as MergeError: return text(for: error)
        case let error as ImageBuildError: return text(for: error)
        default: return nil
        }
    }

    static func text(for error: PlanError) -> String? {
        switch error.kind {
        case .malformedFilter:
            return error.filterProblem.map { "--only \($0.argument): expected key=value, e.g. --only inner.mode=ti." }
        case .unknownFilterKey, .badFilterValue, .filterValueNeverTaken:
            return error.filterProblem.map { "--only \($0.argument): \($0.problem)" }
        case .invalidRepeat(let count):
            return "--repeat \(count): a cell needs at least 1 trial."
        default:
            return nil
        }
    }

    static func text(for error: ReproError) -> String? {
        func list(_ cells: [String]) -> String { cells.map { "\n  --cell \($0)" }.joined() }
        switch error.code {
        case .cellRequired(let scenario, let cells):
            return "The scenario \(scenario) has \(cells.count) cells and repro runs one; choose it with --cell:"
                + list(cells)
        case .cellNotSelected(let argument, let scenario, let cells, let reason):
            return "--cell \(argument) selects no cell of the scenario \(scenario): \(reason) Its cells are:"
                + list(cells)
        case .severalCells(let argument, let scenario, let selected):
            return
                "--cell \(argument) leaves \(selected.count) cells of the scenario \(scenario) and repro runs one; give a value for every matrix key, e.g.:"
                + list(selected)
        case .badSignaturePattern(let pattern, let reason):
            return "--until-signature \(pattern) is not a regular expression: \(reason)."
        case .invalidMax(let value):
            return "--max \(value): repro needs at least 1 trial."
        }
    }

    static func text(for error: HistoryError) -> String? {
        guard case .badLast(let value) = error.code else { return nil }
        return "--last must be at least one night, got \(value)."
    }

    static func text(for error: CompareError) -> String? {
        guard case .tooFewEngines(let count) = error.code else { return nil }
        return
            "A fingerprint diff needs at least two engines, but \(count == 0 ? "none was" : "only one was") given: name a run folder whose run used several engines, several run folders, or --engine twice."
    }

    static func text(for error: MergeError) -> String? {
        switch error.code {
        case .seedsDiffer(let runs):
            return
                "The runs were planned from different seeds (\(runs.joined(separator: "; "))), so they are not parts of one plan; run every shard with the same --seed."
        case .plansDiffer(let runs):
            return
                "The runs' plans differ in size (\(runs.joined(separator: "; "))), so they are not parts of one plan; give every shard the same files, --repeat and --only."
        case .shardCountsDiffer(let runs):
            return
                "The runs split the plan into different numbers of shards (\(runs.joined(separator: "; "))); give every shard the same N in --shard K/N."
        default:
            return nil
        }
    }

    static func text(for error: ImageBuildError) -> String? {
        switch error.reason {
        case .checksumMismatch(let recipe, let file, let expected, let actual):
            return "The Docker binary \(file) for recipe \(recipe) has sha256 \(actual), but the recipe "
                + "expects \(expected). Pass --binary PATH with the file whose sha256 is \(expected), "
                + "or, if this file is your own build of that release, add --own-build (its version and sha256 "
                + "are then recorded in the image's labels)."
        case .binaryUnavailable(let recipe, let url, let reason):
            return "Recipe \(recipe) needs the Docker binary from \(url), which could not be downloaded "
                + "(\(reason)). Pass --binary PATH with a local copy of that file."
        case .binaryNotDeclared(let recipe):
            return "Recipe \(recipe) declares no `binary.url`, so its Docker binary must be given: pass --binary PATH."
        case .checksumNotDeclared(let recipe, let url):
            return "Recipe \(recipe) downloads \(url) but declares no `binary.sha256` to check it "
                + "against. Add `sha256:` under `binary:` in the recipe, or pass --binary PATH with a file you trust."
        case .binaryOptionNeedsOneStaticRecipe(let names):
            return "--binary gives the Docker binary of one static-binary recipe, but the build names "
                + (names.isEmpty ? "no recipe" : names.joined(separator: ", "))
                + "; name exactly one static-binary recipe."
        case .missingFile(let recipe, let what, let path) where what == ImageBuildError.localBinary:
            return "Recipe \(recipe) needs the Docker binary given with --binary at \(path), which does not exist."
        default:
            return nil
        }
    }

    /// How to get a missing outer image onto `engine`: `build it with `dindlab images build
    /// bookworm --engine ...``.
    static func howToGet(_ source: OuterImageCheck.Source, engine: String) -> String {
        switch source {
        case .foreign:
            return source.description
        case .noRecipe:
            return "\(source); build one with `dindlab images build NAME --engine \(engine)`"
        case .recipe(let recipe, let ownBinary):
            let binary = ownBinary ? " --binary PATH" : ""
            let note = ownBinary ? " (Docker's old static binaries are no longer published: keep your own)" : ""
            return "build it with `dindlab images build \(recipe)\(binary) --engine \(engine)`\(note)"
        }
    }
}
