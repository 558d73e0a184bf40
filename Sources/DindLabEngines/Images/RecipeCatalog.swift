import DindLabCore
package import Foundation

/// The recipes of an `Images/` folder: every subfolder that holds a `recipe.yaml`.
package struct RecipeCatalog: Sendable {
    /// The folder holding the recipe folders.
    package let folder: URL
    /// How messages name the folder (`Images`), as the user gave it.
    package let displayPath: String

    /// - Parameters:
    ///   - folder: The folder holding the recipe folders.
    ///   - displayPath: How messages name it; its path by default.
    package init(folder: URL, displayPath: String? = nil) {
        self.folder = folder
        self.displayPath = displayPath ?? folder.path
    }

    /// The recipe names, sorted.
    package func names() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return entries.filter { name in
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(name).appendingPathComponent(Recipe.fileName).path)
        }.sorted()
    }

    /// Loads named recipes, or all of them.
    ///
    /// - Parameter names: The recipes to load, in the order given; `nil` for all.
    /// - Returns: The recipes.
    /// - Throws: `ImageBuildError` naming unknown recipes; `YAMLErrors` with every problem of
    ///   every recipe file, all at once.
    package func load(_ names: [String]? = nil) throws -> [Recipe] {
        let available = self.names()
        let wanted = names ?? available
        let unknown = wanted.filter { !available.contains($0) }
        guard unknown.isEmpty else {
            throw ImageBuildError.unknownRecipes(unknown, available: available, folder: displayPath)
        }
        var recipes: [Recipe] = []
        var problems: [YAMLError] = []
        for name in wanted {
            do {
                recipes.append(
                    try RecipeLoader.load(
                        folder: folder.appendingPathComponent(name),
                        displayPath: "\(displayPath)/\(name)/\(Recipe.fileName)"))
            } catch {
                problems += error.errors
            }
        }
        guard problems.isEmpty else { throw YAMLErrors(problems) }
        return recipes
    }
}
