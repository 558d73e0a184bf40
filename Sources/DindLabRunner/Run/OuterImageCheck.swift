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
        package let scenarios: [String]
        /// The command that builds it, or what else to do (`howToGet`).
        package let remedy: String
    }

    /// The outer images of the scenarios' cells that are not on the engine, in order of first
    /// use. Cells that name another engine of their own (`engine: v17`) are left out.
    ///
    /// - Parameters:
    ///   - scenarios: Each scenario's name and the cells to look at (all of its matrix, or a plan's).
    ///   - engine: The engine to look on.
    ///   - recipes: The recipes folder, for the remedies.
    /// - Throws: `EngineError` when the engine cannot be asked.
    package static func missing(in scenarios: [(name: String, cells: [Cell])], on engine: EngineSelection, recipes: RecipeCatalog = .workingDirectory) async throws -> [Missing] {
        let client = engine.client()
        _ = try await client.negotiate()
        var order: [String] = []
        var users: [String: [String]] = [:]
        for scenario in scenarios {
            for cell in scenario.cells {
                if let own = cell.scenario.engine, own != engine.name, own != engine.address.description { continue }
                let image = cell.scenario.outer.image
                guard !image.isEmpty else { continue }
                if users[image] == nil { order.append(image) }
                if users[image]?.contains(scenario.name) != true { users[image, default: []].append(scenario.name) }
            }
        }
        var missing: [Missing] = []
        for image in order where try await client.inspectImage(image) == nil {
            missing.append(Missing(image: image, scenarios: users[image] ?? [], remedy: howToGet(image, engine: engine.address.description, recipes: recipes)))
        }
        return missing
    }

    /// How to get an outer image onto an engine: `build it with `dindlab images build bookworm
    /// --engine ...``; for a name no recipe has, that it may be misspelt, with the recipes there
    /// are; for the 1.7-era recipes, that the binary is the user's own.
    ///
    /// - Parameters:
    ///   - image: The outer image.
    ///   - engine: The engine's address or name, for the command.
    ///   - recipes: The recipes folder (`Images/` in the working directory by default).
    package static func howToGet(_ image: String, engine: String, recipes: RecipeCatalog = .workingDirectory) -> String {
        let prefix = "dindlab/outer:"
        guard image.hasPrefix(prefix) else { return "load it onto the engine (dindlab builds only dindlab/outer:NAME images, from Images/NAME)" }
        let recipe = String(image.dropFirst(prefix.count))
        let available = recipes.names()
        if !available.isEmpty, !available.contains(recipe) {
            return "no recipe \(recipes.displayPath)/\(recipe) exists either: is the name misspelt? The recipes are \(available.joined(separator: ", ")); build one with `dindlab images build NAME --engine \(engine)`"
        }
        let binary = ["1.7.1", "1.8.3", "1.9.1"].contains(recipe) ? " --binary PATH" : ""
        let note = binary.isEmpty ? "" : " (Docker's old static binaries are no longer published: keep your own)"
        return "build it with `dindlab images build \(recipe)\(binary) --engine \(engine)`\(note)"
    }
}

extension RecipeCatalog {
    /// `Images/` in the working directory, where a clone of dindlab keeps its recipes.
    package static var workingDirectory: RecipeCatalog {
        RecipeCatalog(folder: URL(fileURLWithPath: "Images"), displayPath: "Images")
    }
}
