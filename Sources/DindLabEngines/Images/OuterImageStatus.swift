package import DindLabCore
import Foundation

/// What `images list` shows: each recipe and what the engine has built from it.
package struct OuterImageStatus: Sendable, Hashable {
    /// Whether the engine has the recipe's image, and built from the current recipe file.
    package enum State: String, Sendable, Hashable {
        /// `dindlab/outer:NAME` exists and was built from the recipe file as it is now.
        case built
        /// `dindlab/outer:NAME` exists but the recipe file changed since; `images build` rebuilds it.
        case outdated
        /// `dindlab/outer:NAME` exists but carries no dindlab labels (not built by dindlab).
        case foreign
        /// The engine has no `dindlab/outer:NAME`.
        case missing
    }

    package let recipe: Recipe
    package let state: State
    package let imageID: String?
    /// The labels read from the image itself.
    package let labels: OuterImageLabels?

    /// Looks up every recipe's image on an engine.
    ///
    /// - Parameters:
    ///   - recipes: The recipes.
    ///   - engine: The engine.
    /// - Returns: One status per recipe, in order.
    /// - Throws: The engine's error when it cannot be asked.
    package static func survey(_ recipes: [Recipe], on engine: any ImageStoreEngine) async throws -> [OuterImageStatus]
    {
        var statuses: [OuterImageStatus] = []
        for recipe in recipes {
            guard let image = try await engine.inspectImage(recipe.imageReference) else {
                statuses.append(OuterImageStatus(recipe: recipe, state: .missing, imageID: nil, labels: nil))
                continue
            }
            let labels = OuterImageLabels(labels: image.labels)
            let state: State = labels.map { $0.recipeSHA256 == recipe.fileSHA256 ? .built : .outdated } ?? .foreign
            statuses.append(OuterImageStatus(recipe: recipe, state: state, imageID: image.id, labels: labels))
        }
        return statuses
    }

    /// The statuses as an aligned text table: recipe, kind, built, image id, Docker version,
    /// daemon command.
    package static func table(_ statuses: [OuterImageStatus]) -> String {
        let header = ["RECIPE", "KIND", "BUILT", "IMAGE ID", "DOCKER", "DAEMON COMMAND"]
        let rows = statuses.map { status -> [String] in
            let id = status.imageID.map {
                $0.hasPrefix("sha256:") ? String($0.dropFirst(7).prefix(12)) : String($0.prefix(12))
            }
            return [
                status.recipe.name, status.recipe.kind.name, status.state.rawValue, id ?? "-",
                status.labels?.dockerVersion ?? "-",
                status.labels.map { $0.daemonCommand.joined(separator: " ") } ?? "-",
            ]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
