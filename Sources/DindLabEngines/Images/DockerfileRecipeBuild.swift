import DindLabCore
import Foundation

/// Builds a dockerfile recipe on an engine that can build (POST /build):
///
/// 1. the recipe's context is built under a temporary tag;
/// 2. its Docker version is read by running the recipe's version command in a throwaway
///    container of that image (the version comes from the image, not the recipe);
/// 3. a Dockerfile `FROM <temporary tag>` + LABEL is built with the dindlab labels, because
///    labels cannot be added to an existing image otherwise, under a second temporary tag.
///
/// The builder then tags the result and removes both temporary tags.
struct DockerfileRecipeBuild {
    let builder: OuterImageBuilder
    let recipe: Recipe
    let spec: DockerfileSpec
    let buildKey: String

    func run(work: URL, partialTag: String, options: OuterImageBuilder.Options) async throws -> (
        id: String, labels: OuterImageLabels
    ) {
        guard let engine = builder.engine as? any ImageBuildingEngine else {
            throw ImageBuildError.dockerfileBuildsUnsupported(recipe: recipe.name)
        }
        let progress = builder.progress
        let name = recipe.name
        let stageTag = "\(partialTag)-stage"
        let stageReference = "\(OuterImageBuilder.partialRepository):\(stageTag)"

        await progress.report(.phase(recipe: name, phase: "packing build context"))
        let contextTar = work.appendingPathComponent("context.tar")
        try await RootfsTarball.write(
            tree: recipe.folder.appendingPathComponent(spec.context), to: contextTar, normalizeOwnership: true)

        await progress.report(.phase(recipe: name, phase: "building \(spec.dockerfile)"))
        let recipeLabels = [OuterImageLabels.recipeKey: name]
        _ = try await builder.engineStep(recipe, "building \(spec.dockerfile)") {
            try await engine.buildImage(
                contextTar: contextTar, dockerfile: spec.dockerfile, repository: OuterImageBuilder.partialRepository,
                tag: stageTag, labels: recipeLabels, timeout: options.engineTimeout)
        }

        do {
            let labelled = try await label(
                engine: engine, stageReference: stageReference, work: work, partialTag: partialTag, options: options)
            try? await engine.removeImage(stageReference)
            return labelled
        } catch {
            await cleanUp { try? await engine.removeImage(stageReference) }
            throw error
        }
    }

    private func label(
        engine: any ImageBuildingEngine, stageReference: String, work: URL, partialTag: String,
        options: OuterImageBuilder.Options
    ) async throws -> (id: String, labels: OuterImageLabels) {
        let progress = builder.progress
        let name = recipe.name
        await progress.report(.phase(recipe: name, phase: "reading Docker version"))
        let output = try await builder.engineStep(
            recipe, "running `\(spec.versionCommand.joined(separator: " "))` in the built image"
        ) {
            try await engine.runToCompletion(image: stageReference, command: spec.versionCommand, timeout: .seconds(60))
        }
        guard let version = DaemonVersion(versionOutput: output) else {
            throw ImageBuildError.versionUnreadable(
                recipe: name,
                tried: [
                    "`\(spec.versionCommand.joined(separator: " "))` in the built image printed: \(output.prefix(200))"
                ])
        }
        let labels = try builder.makeLabels(recipe, version: version, buildKey: buildKey)

        await progress.report(.phase(recipe: name, phase: "labelling"))
        let labelContext = work.appendingPathComponent("label-context")
        try FileManager.default.createDirectory(at: labelContext, withIntermediateDirectories: true)
        // LABEL in the Dockerfile too: engines before API 1.23 ignore the labels of POST /build.
        try Data(labels.labellingDockerfile(from: stageReference).utf8).write(
            to: labelContext.appendingPathComponent("Dockerfile"))
        let labelTar = work.appendingPathComponent("label-context.tar")
        try await RootfsTarball.write(tree: labelContext, to: labelTar, normalizeOwnership: true)
        let id = try await builder.engineStep(recipe, "labelling the built image") {
            try await engine.buildImage(
                contextTar: labelTar, dockerfile: "Dockerfile", repository: OuterImageBuilder.partialRepository,
                tag: partialTag, labels: labels.dictionary, timeout: options.engineTimeout)
        }
        return (id, labels)
    }
}
