package import DindLabCore
package import DindLabEngines
import DockerEngine
import Foundation

/// Whether the outer images a plan needs are on an engine, and how to get the missing ones
/// there: what `run` says of the cells it skips, and what `validate --engine` and
/// `plan --engine` check before anything runs.
package enum OuterImageCheck {
    /// An outer image that is not on the engine.
    package struct Missing: Sendable, Hashable {
        /// The image, `dindlab/outer:bookworm`.
        package let image: String
        /// The scenarios whose cells use it, in order of first use.
        package var scenarios: [String]
        /// Where it comes from (`source(of:)`), for the executable to say how to get it.
        package let source: Source
    }

    /// An inner image that an outer image on the engine does not ship, by its labels.
    package struct Unshipped: Sendable, Hashable {
        /// The outer image, `dindlab/outer:bookworm`.
        package let outerImage: String
        /// The inner image, `alpine:3.19`.
        package let innerImage: String
        /// The scenarios whose cells ask for it, in order of first use.
        package var scenarios: [String]
        /// The sentence a run records for the cells it skips (`OuterScripts.notShipped`).
        package let sentence: String
    }

    /// What `validate --engine` and `plan --engine` say of an engine before anything runs.
    package struct Report: Sendable, Hashable {
        /// The outer images not on the engine, in order of first use.
        package var missing: [Missing] = []
        /// The inner images their outer image, on the engine, does not ship according to its
        /// labels (`dindlab.inner.images`), in order of first use; outer images whose labels do
        /// not say are left out.
        package var unshipped: [Unshipped] = []
    }

    /// Checks the images of the scenarios' cells on the engine, asking for each outer image
    /// once: which are not there, and which inner images they do not ship. Cells that name
    /// another engine of their own (`engine: v17`) are left out.
    ///
    /// - Parameters:
    ///   - scenarios: Each scenario's name and the cells to look at (all of its matrix, or a plan's).
    ///   - engine: The engine to look on.
    ///   - recipes: The recipes folder, for the sources.
    /// - Throws: `EngineError` when the engine cannot be asked.
    package static func check(
        _ scenarios: [(name: String, cells: [Cell])], on engine: EngineSelection,
        recipes: RecipeCatalog = .workingDirectory
    ) async throws -> Report {
        let client = engine.client()
        _ = try await client.negotiate()
        var labels: [String: [String: String]?] = [:]
        var report = Report()
        for scenario in scenarios {
            for cell in scenario.cells {
                if let own = cell.scenario.engine, own != engine.name, own != engine.address.description { continue }
                let outer = cell.scenario.outer.image
                let inner = cell.scenario.inner.image
                guard !outer.isEmpty else { continue }
                if labels[outer] == nil { labels[outer] = .some(try await client.inspectImage(outer)?.labels) }
                guard let found = labels[outer] ?? nil else {
                    if let index = report.missing.firstIndex(where: { $0.image == outer }) {
                        if !report.missing[index].scenarios.contains(scenario.name) {
                            report.missing[index].scenarios.append(scenario.name)
                        }
                    } else {
                        report.missing.append(
                            Missing(
                                image: outer, scenarios: [scenario.name], source: source(of: outer, recipes: recipes)))
                    }
                    continue
                }
                guard let sentence = OuterScripts.notShipped(inner, by: outer, labels: found) else { continue }
                if let index = report.unshipped.firstIndex(where: { $0.outerImage == outer && $0.innerImage == inner })
                {
                    if !report.unshipped[index].scenarios.contains(scenario.name) {
                        report.unshipped[index].scenarios.append(scenario.name)
                    }
                } else {
                    report.unshipped.append(
                        Unshipped(outerImage: outer, innerImage: inner, scenarios: [scenario.name], sentence: sentence))
                }
            }
        }
        return report
    }

    /// Where an outer image comes from, as facts: the executable words the command that builds
    /// it; `description` says it naming no command (the text runs record for skipped cells).
    package enum Source: Sendable, Hashable, CustomStringConvertible {
        /// Not a `dindlab/outer:NAME` image: dindlab does not build it.
        case foreign
        /// No recipe of that name; the recipes there are, in the folder as displayed.
        case noRecipe(String, folder: String, available: [String])
        /// Built from this recipe; `ownBinary` when the recipe needs a Docker binary the user
        /// keeps (the 1.7-era releases are no longer published).
        case recipe(String, ownBinary: Bool)

        /// What to do, naming no command: `build it from the recipe Images/bookworm`.
        package var description: String {
            switch self {
            case .foreign:
                return "load it onto the engine (dindlab builds only dindlab/outer:NAME images, from Images/NAME)"
            case .noRecipe(let recipe, let folder, let available):
                return
                    "no recipe \(folder)/\(recipe) exists either: is the name misspelt? The recipes are \(available.joined(separator: ", "))"
            case .recipe(let recipe, let ownBinary):
                return "build it from the recipe \(recipe)"
                    + (ownBinary
                        ? " with your own Docker binary (Docker's old static binaries are no longer published)" : "")
            }
        }
    }

    /// Where an outer image comes from: a recipe, a recipe name that may be misspelt (with the
    /// recipes there are), or an image dindlab does not build.
    ///
    /// - Parameters:
    ///   - image: The outer image.
    ///   - recipes: The recipes folder (`Images/` in the working directory by default).
    package static func source(of image: String, recipes: RecipeCatalog = .workingDirectory) -> Source {
        let prefix = "dindlab/outer:"
        guard image.hasPrefix(prefix) else { return .foreign }
        let recipe = String(image.dropFirst(prefix.count))
        let available = recipes.names()
        if !available.isEmpty, !available.contains(recipe) {
            return .noRecipe(recipe, folder: recipes.displayPath, available: available)
        }
        return .recipe(recipe, ownBinary: ["1.7.1", "1.8.3", "1.9.1"].contains(recipe))
    }
}

extension RecipeCatalog {
    /// `Images/` in the working directory, where a clone of dindlab keeps its recipes.
    package static var workingDirectory: RecipeCatalog {
        RecipeCatalog(folder: URL(fileURLWithPath: "Images"), displayPath: "Images")
    }
}
