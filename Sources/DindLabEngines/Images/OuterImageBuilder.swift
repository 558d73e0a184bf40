package import DindLabCore
import DockerEngine
package import Foundation

/// Builds outer images from recipes and tags them `dindlab/outer:NAME`.
///
/// A build is content-addressed: when the engine already has `dindlab/outer:NAME` with the
/// build key the recipe has now, nothing is done. Otherwise the image is made under a
/// temporary tag in `dindlab/outer-partial` and only tagged `dindlab/outer:NAME` once it is
/// complete and labelled; a failed build removes its temporary tag, and temporary tags of
/// builds that died (their process is gone) are removed by the next build of the recipe.
package struct OuterImageBuilder: Sendable {
    /// Where images under construction are tagged.
    package static let partialRepository = "dindlab/outer-partial"

    /// Choices of one `images build`.
    package struct Options: Sendable {
        /// Build even when an image with the same build key exists.
        package var force: Bool
        /// The Docker binary for a static-binary recipe, instead of downloading its URL.
        package var binary: URL?
        /// The longest one engine import or build may take.
        package var engineTimeout: Duration
        /// `binary` is the user's own build: used whatever its sha256, which is printed and
        /// recorded in the image's labels with the version read from the binary.
        package var ownBuild: Bool

        package init(
            force: Bool = false, binary: URL? = nil, engineTimeout: Duration = .seconds(30 * 60), ownBuild: Bool = false
        ) {
            self.force = force
            self.binary = binary
            self.engineTimeout = engineTimeout
            self.ownBuild = ownBuild
        }
    }

    /// How a build ended.
    package enum Outcome: Sendable, Hashable {
        /// The image existed with the same build key; nothing was built.
        case upToDate(imageID: String, labels: OuterImageLabels)
        /// A new image was built and tagged.
        case built(imageID: String, labels: OuterImageLabels)

        package var imageID: String {
            switch self {
            case .upToDate(let id, _), .built(let id, _): id
            }
        }

        package var labels: OuterImageLabels {
            switch self {
            case .upToDate(_, let labels), .built(_, let labels): labels
            }
        }
    }

    let engine: any ImageStoreEngine
    let cache: ImageCache
    let rootfsProvider: any BaseRootfsProvider
    let progress: any BuildProgressReporter
    let binarySource: StaticBinarySource

    /// - Parameters:
    ///   - engine: The engine the image goes to.
    ///   - cache: The build cache.
    ///   - rootfsProvider: Makes base trees; `DebootstrapRootfsProvider(cache:)` by default.
    ///   - progress: Receives phases and outcomes.
    ///   - downloadStallTimeout: How long a binary download may stall before it is given up.
    package init(
        engine: any ImageStoreEngine, cache: ImageCache, rootfsProvider: (any BaseRootfsProvider)? = nil,
        progress: any BuildProgressReporter, downloadStallTimeout: TimeInterval = 10
    ) {
        self.engine = engine
        self.cache = cache
        self.rootfsProvider = rootfsProvider ?? DebootstrapRootfsProvider(cache: cache)
        self.progress = progress
        self.binarySource = StaticBinarySource(cache: cache, stallTimeout: downloadStallTimeout)
    }

    /// Checks a `--binary` option against the recipes of one build: it gives the Docker binary
    /// of exactly one static-binary recipe.
    ///
    /// - Throws: `ImageBuildError` saying what to name otherwise.
    package static func checkBinaryOption(_ binary: URL?, recipes: [Recipe]) throws {
        guard binary != nil else { return }
        guard recipes.count == 1, case .staticBinary = recipes[0].kind else {
            throw ImageBuildError.binaryOptionNeedsOneStaticRecipe(recipes.map(\.name))
        }
    }

    /// Builds recipes one after another: a failed recipe does not stop the others, an
    /// interruption (task cancellation) does.
    ///
    /// - Returns: The recipes that failed, with their errors (the progress reporter has been
    ///   told of each already).
    /// - Throws: `CancellationError` when cancelled.
    package func build(_ recipes: [Recipe], options: Options = Options()) async throws -> [(
        recipe: Recipe, error: any Error
    )] {
        var failures: [(recipe: Recipe, error: any Error)] = []
        for recipe in recipes {
            do {
                _ = try await build(recipe, options: options)
            } catch {
                try Task.checkCancellation()
                failures.append((recipe, error))
            }
        }
        return failures
    }

    /// Builds one recipe's image unless it is up to date.
    ///
    /// - Parameters:
    ///   - recipe: The recipe.
    ///   - options: Force, `--binary`, timeouts.
    /// - Returns: Whether the image was built or already up to date, with its id and labels.
    /// - Throws: `ImageBuildError` (with the recipe's name and what to pass, where there is
    ///   something to pass), after removing whatever the build had made.
    package func build(_ recipe: Recipe, options: Options = Options()) async throws -> Outcome {
        do {
            let outcome = try await buildReportingPhases(recipe, options: options)
            switch outcome {
            case .upToDate(let id, let labels):
                await progress.report(
                    .finished(recipe: recipe.name, summary: "up to date: \(Self.describe(id, labels))"))
            case .built(let id, let labels):
                await progress.report(
                    .finished(
                        recipe: recipe.name, summary: "built \(recipe.imageReference): \(Self.describe(id, labels))"))
            }
            return outcome
        } catch  where error is CancellationError || Task.isCancelled {
            // Tools and engine calls stopped by the cancellation fail in their own words; say why.
            await progress.report(
                .failed(recipe: recipe.name, message: "interrupted; what the build had made is removed"))
            throw CancellationError()
        } catch {
            await progress.report(.failed(recipe: recipe.name, message: progress.describe(error)))
            throw error
        }
    }

    private func buildReportingPhases(_ recipe: Recipe, options: Options) async throws -> Outcome {
        await progress.report(.phase(recipe: recipe.name, phase: "checking inputs"))
        let inputs = try resolveInputs(recipe, options: options)
        if !options.force,
            let existing = try await engineStep(
                recipe, "looking up \(recipe.imageReference)",
                {
                    try await engine.inspectImage(recipe.imageReference)
                }), let labels = OuterImageLabels(labels: existing.labels), labels.buildKey == inputs.buildKey
        {
            return .upToDate(imageID: existing.id, labels: labels)
        }

        await cache.removeLeftovers()
        await removeAbandonedPartials(of: recipe)
        let work = try cache.makeWorkFolder(recipe: recipe.name)
        let partialTag = "\(recipe.name)-pid\(getpid())"
        let partialReference = "\(Self.partialRepository):\(partialTag)"
        do {
            let made: (id: String, labels: OuterImageLabels)
            switch recipe.kind {
            case .debootstrap(let base):
                made = try await buildFromRootfs(
                    recipe, base: base, binary: nil, inputs: inputs, work: work, partialTag: partialTag,
                    options: options)
            case .staticBinary(let base, let binary):
                made = try await buildFromRootfs(
                    recipe, base: base, binary: binary, inputs: inputs, work: work, partialTag: partialTag,
                    options: options)
            case .dockerfile(let spec):
                made = try await DockerfileRecipeBuild(
                    builder: self, recipe: recipe, spec: spec, buildKey: inputs.buildKey
                )
                .run(work: work, partialTag: partialTag, options: options)
            }
            // Engine calls run to their end even when the build is cancelled; stop before the tag.
            try Task.checkCancellation()
            await progress.report(.phase(recipe: recipe.name, phase: "tagging \(recipe.imageReference)"))
            let previous = try? await engine.inspectImage(recipe.imageReference)
            try await engineStep(recipe, "tagging \(recipe.imageReference)") {
                try await engine.tagImage(made.id, repository: Recipe.imageRepository, tag: recipe.name)
            }
            try? await engine.removeImage(partialReference)
            // The image this one replaces is now untagged; drop it unless something still uses it.
            if let previous, previous.id != made.id, previous.repoTags == [recipe.imageReference] {
                try? await engine.removeImage(previous.id)
            }
            await ImageCache.removeTree(work)
            return .built(imageID: made.id, labels: made.labels)
        } catch {
            await cleanUp { [engine] in try? await engine.removeImage(partialReference) }
            await ImageCache.removeTree(work)
            throw error
        }
    }

    /// The build key and, for static-binary recipes, which binary the build uses.
    struct Inputs {
        let buildKey: String
        let binary: StaticBinarySource.Choice?
    }

    private func resolveInputs(_ recipe: Recipe, options: Options) throws -> Inputs {
        switch recipe.kind {
        case .debootstrap:
            return Inputs(buildKey: BuildKey.compute(recipe: recipe), binary: nil)
        case .staticBinary(_, let binary):
            let choice = try binarySource.choose(
                recipe: recipe.name, binary: binary, override: options.binary, ownBuild: options.ownBuild)
            return Inputs(buildKey: BuildKey.compute(recipe: recipe, binarySHA256: choice.sha256), binary: choice)
        case .dockerfile(let spec):
            let context = recipe.folder.appendingPathComponent(spec.context)
            guard FileManager.default.fileExists(atPath: context.appendingPathComponent(spec.dockerfile).path) else {
                throw ImageBuildError.missingFile(
                    recipe: recipe.name, what: "its Dockerfile",
                    path: context.appendingPathComponent(spec.dockerfile).path)
            }
            let digest = try BuildKey.contextDigest(of: context)
            return Inputs(buildKey: BuildKey.compute(recipe: recipe, contextDigest: digest), binary: nil)
        }
    }

    /// debootstrap and static-binary recipes: base tree + overlay (Docker binary, inner
    /// images) -> tarball -> import with labels.
    private func buildFromRootfs(
        _ recipe: Recipe, base: DebianBase, binary: StaticBinary?, inputs: Inputs, work: URL, partialTag: String,
        options: Options
    ) async throws -> (id: String, labels: OuterImageLabels) {
        let name = recipe.name
        var binaryFile: URL?
        if let binary, let choice = inputs.binary {
            await progress.report(
                .phase(
                    recipe: name, phase: choice.localFile == nil ? "fetching Docker binary" : "checking Docker binary"))
            binaryFile = try await binarySource.file(for: choice, recipe: name, binary: binary)
        }

        let request = BaseRootfsRequest(base: base, packages: recipe.rootfsPackages ?? [])
        let tree: URL
        if let existing = rootfsProvider.existingRootfs(for: request) {
            await progress.report(
                .note(
                    recipe: name,
                    message: "reusing the cached \(base.suite.rawValue) tree \(existing.lastPathComponent)"))
            tree = existing
        } else {
            await progress.report(
                .phase(recipe: name, phase: "debootstrap \(base.suite.rawValue) (\(request.packages.count) packages)"))
            tree = try await rootfsProvider.makeRootfs(for: request)
        }

        let overlay = work.appendingPathComponent("overlay")
        try FileManager.default.createDirectory(at: overlay, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: overlay.path)

        var tried: [String] = []
        let version: DaemonVersion?
        if let binaryFile {
            await progress.report(.phase(recipe: name, phase: "layering Docker binary"))
            let docker = try RootfsOverlay.addDockerBinary(binaryFile, to: overlay, as: "docker")
            version = await DockerVersionProbe.version(ofBinary: docker, tried: &tried)
            if let version, version.era == .dockerd {
                _ = try RootfsOverlay.addDockerBinary(binaryFile, to: overlay, as: "dockerd")
            }
        } else {
            await progress.report(.phase(recipe: name, phase: "reading Docker version"))
            version = await DockerVersionProbe.version(ofTree: tree, tried: &tried)
        }
        guard let version else { throw ImageBuildError.versionUnreadable(recipe: name, tried: tried) }
        var labels = try makeLabels(recipe, version: version, buildKey: inputs.buildKey)
        labels.innerImageFiles = InnerImageIndex.standard.images.map(\.file)
        if let choice = inputs.binary {
            labels.binarySHA256 = choice.sha256
            labels.binaryOrigin = choice.origin
            if choice.origin == .ownBuild {
                let published = choice.publishedSHA256.map { "; the recipe's published binary has sha256 \($0)" } ?? ""
                await progress.report(
                    .note(
                        recipe: name,
                        message:
                            "your own build: Docker \(version.releaseText) (read from the binary), sha256 \(choice.sha256)\(published); both go into the image's labels (\(OuterImageLabels.binarySHA256Key), \(OuterImageLabels.binaryOriginKey)=own-build)"
                    ))
            }
        }

        await progress.report(.phase(recipe: name, phase: "making inner images"))
        guard let busybox = BusyboxRootfs.binary(in: tree) else {
            throw ImageBuildError.missingFile(
                recipe: name, what: "busybox from the \(DebianBase.innerBusyboxPackage) package",
                path: tree.appendingPathComponent(BusyboxRootfs.binaryPaths[0]).path)
        }
        try await RootfsOverlay.addInnerImages(to: overlay, busybox: busybox, scratch: work)

        await progress.report(.phase(recipe: name, phase: "writing root filesystem tarball"))
        let tarball = work.appendingPathComponent("rootfs.tar")
        try await RootfsTarball.write(base: tree, overlay: overlay, to: tarball)

        await progress.report(.phase(recipe: name, phase: "importing into the engine"))
        let id: String
        do {
            id = try await engineStep(recipe, "importing the root filesystem") {
                try await engine.importImage(
                    tarFile: tarball, repository: Self.partialRepository, tag: partialTag,
                    changes: labels.importChanges(), timeout: options.engineTimeout)
            }
        } catch  where OuterImageLabels.refusesLabelChanges(error) {
            // The commit that labels the image copies the layer on Docker 1.7's overlay driver,
            // which fails on device nodes: a tarball without them.
            try? FileManager.default.removeItem(at: tarball)
            try await RootfsTarball.write(base: tree, overlay: overlay, to: tarball, withoutDeviceNodes: true)
            id = try await importThenLabel(
                recipe, tarball: tarball, labels: labels, work: work, partialTag: partialTag, options: options)
        }
        return (id, labels)
    }

    /// For engines whose import takes no LABEL (Docker 1.7): imports the tarball without
    /// changes under a stage tag, then commits a container of it with the labels and the
    /// command under `partialTag` (a Dockerfile build would do too, but the Docker 1.7.1
    /// builds of today's Go fail every build: "Untar re-exec error").
    private func importThenLabel(
        _ recipe: Recipe, tarball: URL, labels: OuterImageLabels, work: URL, partialTag: String, options: Options
    ) async throws -> String {
        await progress.report(
            .note(
                recipe: recipe.name,
                message:
                    "the engine takes no LABEL in import changes (Docker 1.7); importing without labels, then committing a container of it with them"
            ))
        let stageTag = "\(partialTag)-stage"
        let stageReference = "\(Self.partialRepository):\(stageTag)"
        _ = try await engineStep(recipe, "importing the root filesystem") {
            try await engine.importImage(
                tarFile: tarball, repository: Self.partialRepository, tag: stageTag, changes: [],
                timeout: options.engineTimeout)
        }
        do {
            let id = try await engineStep(recipe, "labelling the imported image (commit)") {
                try await engine.commitLabelled(
                    stageReference, labels: labels.dictionary, command: OuterImageLabels.idleCommand,
                    repository: Self.partialRepository, tag: partialTag, timeout: options.engineTimeout)
            }
            try? await engine.removeImage(stageReference)
            return id
        } catch {
            await cleanUp { [engine] in try? await engine.removeImage(stageReference) }
            throw error
        }
    }

    /// The labels of an image holding a given Docker version.
    func makeLabels(_ recipe: Recipe, version: DaemonVersion, buildKey: String) throws -> OuterImageLabels {
        guard let api = version.apiVersion else {
            throw ImageBuildError.unsupportedDockerVersion(recipe: recipe.name, version: version.text)
        }
        return OuterImageLabels(
            dockerVersion: version.releaseText,
            daemonCommand: recipe.daemonCommandOverride ?? version.era.daemonCommand,
            apiVersion: api.description, recipeSHA256: recipe.fileSHA256, recipe: recipe.name,
            recipeKind: recipe.kind.name,
            buildKey: buildKey)
    }

    /// Removes temporary tags of this recipe's builds whose process is gone.
    private func removeAbandonedPartials(of recipe: Recipe) async {
        let prefix = "\(Self.partialRepository):\(recipe.name)-pid"
        guard let images = try? await engine.listImages(labelFilters: ["\(OuterImageLabels.recipeKey)=\(recipe.name)"])
        else { return }
        for tag in images.flatMap(\.repoTags) where tag.hasPrefix(prefix) {
            guard let pid = Int32(tag.dropFirst(prefix.count)), !ImageCache.isRunning(pid) else { continue }
            try? await engine.removeImage(tag)
        }
    }

    /// Runs an engine call, wrapping its error with the recipe and the step.
    func engineStep<T>(_ recipe: Recipe, _ step: String, _ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as ImageBuildError {
            throw error
        } catch  where error is CancellationError || Task.isCancelled {
            throw CancellationError()
        } catch {
            throw ImageBuildError.engineStep(recipe: recipe.name, step: step, underlying: error)
        }
    }

    static func describe(_ id: String, _ labels: OuterImageLabels) -> String {
        let shortID = id.hasPrefix("sha256:") ? String(id.dropFirst(7).prefix(12)) : String(id.prefix(12))
        return "\(shortID), Docker \(labels.dockerVersion), daemon `\(labels.daemonCommand.joined(separator: " "))`"
    }
}
