import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

/// `dindlab images build|list`: outer images from the recipes in Images/.
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Build and list outer images (dindlab/outer:NAME) from the recipes in Images/.",
        subcommands: [Build.self, List.self]
    )

    /// Options both subcommands take.
    struct Common: ParsableArguments {
        @Option(help: "The folder of recipe folders.")
        var recipes: String = "Images"

        @OptionGroup var engineOptions: EngineOptions

        func catalog() -> RecipeCatalog {
            RecipeCatalog(folder: URL(fileURLWithPath: recipes), displayPath: recipes)
        }

        func imageStore() throws -> EngineImageStore {
            EngineImageStore(client: try engineOptions.client())
        }
    }

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build outer images; an image whose recipe and inputs have not changed is not rebuilt.")

        @Argument(help: "Recipes to build: folder names under --recipes.")
        var names: [String] = []

        @Flag(help: "Build every recipe that needs no registry (dockerfile recipes are built only when named).")
        var all = false

        @Flag(help: "Rebuild even when the image is up to date.")
        var force = false

        @Option(help: "The Docker binary for the one static-binary recipe being built, instead of downloading its URL.")
        var binary: String?

        @Flag(
            help: ArgumentHelp(
                "--binary is your own build (or patch) of that release: use it whatever its sha256.",
                discussion:
                    "The version read from the binary and its sha256 are printed and recorded in the image's labels (dindlab.docker.binary.sha256, dindlab.docker.binary.origin=own-build). Without it, a binary whose sha256 differs from the recipe's published one is refused."
            ))
        var ownBuild = false

        @Option(help: "The build cache folder; default: $XDG_CACHE_HOME/dindlab/images, else ~/.cache/dindlab/images.")
        var cache: String?

        @OptionGroup var common: Common

        func validate() throws {
            if all && !names.isEmpty { throw ValidationError("Name recipes or pass --all, not both.") }
            if !all && names.isEmpty { throw ValidationError("Name the recipes to build, or pass --all.") }
            if ownBuild && binary == nil {
                throw ValidationError("--own-build says what --binary PATH is; pass the binary with --binary.")
            }
        }

        func run() async throws {
            let loaded = try common.catalog().load(all ? nil : names)
            if all {
                for recipe in loaded where recipe.needsRegistry {
                    FileHandle.standardError.write(
                        Data(
                            "[\(recipe.name)] skipped: a dockerfile recipe reaches a registry; name it to build it\n"
                                .utf8))
                }
            }
            let recipes = all ? loaded.filter { !$0.needsRegistry } : loaded
            let binaryFile = binary.map { URL(fileURLWithPath: $0) }
            try OuterImageBuilder.checkBinaryOption(binaryFile, recipes: recipes)
            let builder = OuterImageBuilder(
                engine: try common.imageStore(),
                cache: ImageCache(root: cache.map { URL(fileURLWithPath: $0) } ?? ImageCache.defaultRoot()),
                progress: BuildProgressDisplay())
            let options = OuterImageBuilder.Options(force: force, binary: binaryFile, ownBuild: ownBuild)
            let failures: Int
            do {
                // The display shows each failure as it happens; only the count is left to report.
                let interrupted: @Sendable () -> Void = { StderrDiagnostics.write(RunNoticeText.buildInterrupted) }
                failures = try await InterruptCancellation.run(interrupted: interrupted) {
                    try await builder.build(recipes, options: options).count
                }
            } catch is CancellationError {
                throw ExitCode(130)
            }
            if failures > 0 { throw ExitCode.failure }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each recipe, whether its image is built, its image id, Docker version and daemon command.")

        @OptionGroup var common: Common

        func run() async throws {
            let recipes = try common.catalog().load()
            let statuses = try await OuterImageStatus.survey(recipes, on: try common.imageStore())
            print(OuterImageStatus.table(statuses))
        }
    }
}
