import Foundation

/// The labels every outer image carries, and how they are written into an image.
///
/// The runner reads `dindlab.daemon.command` to start the inner daemon when a scenario gives
/// no command; `images list` reads the rest. Values are read from the built image itself, not
/// copied from the recipe.
package struct OuterImageLabels: Sendable, Hashable {
    package static let dockerVersionKey = "dindlab.docker.version"
    package static let daemonCommandKey = "dindlab.daemon.command"
    package static let apiVersionKey = "dindlab.api.version"
    package static let recipeSHA256Key = "dindlab.recipe.sha256"
    package static let recipeKey = "dindlab.recipe"
    package static let recipeKindKey = "dindlab.recipe.kind"
    package static let buildKeyKey = "dindlab.build.key"
    package static let binarySHA256Key = "dindlab.docker.binary.sha256"
    package static let binaryOriginKey = "dindlab.docker.binary.origin"
    package static let innerImagesKey = "dindlab.inner.images"

    /// Where a static-binary image's Docker binary came from.
    package enum BinaryOrigin: String, Sendable, Hashable, Codable {
        /// The recipe's published binary: its sha256 matched the recipe's.
        case published
        /// The user's own build (`--binary PATH --own-build`): not checked against the recipe.
        case ownBuild = "own-build"
    }

    /// The Docker version found in the image (`20.10.24`).
    package var dockerVersion: String
    /// The command that starts the image's daemon, without flags (`["docker", "daemon"]`).
    package var daemonCommand: [String]
    /// The Engine API version the image's daemon serves (`1.41`).
    package var apiVersion: String
    /// The sha256 of the recipe file the image was built from.
    package var recipeSHA256: String
    /// The recipe's name.
    package var recipe: String
    /// The recipe's kind (`debootstrap`, `static-binary`, `dockerfile`).
    package var recipeKind: String
    /// The build key: recipe bytes plus every input (see `BuildKey`).
    package var buildKey: String
    /// The sha256 of the Docker binary a static-binary image holds; nil for other recipes
    /// and images built before it was recorded.
    package var binarySHA256: String?
    /// Whether that binary was the recipe's published one or the user's own build.
    package var binaryOrigin: BinaryOrigin?
    /// The inner images' files the image ships under /dindlab/images (`busybox.tar`); nil for
    /// dockerfile recipes (what a Dockerfile copies there is its own) and images built before
    /// it was recorded.
    package var innerImageFiles: [String]?

    package init(
        dockerVersion: String, daemonCommand: [String], apiVersion: String, recipeSHA256: String,
        recipe: String, recipeKind: String, buildKey: String, binarySHA256: String? = nil,
        binaryOrigin: BinaryOrigin? = nil, innerImageFiles: [String]? = nil
    ) {
        self.dockerVersion = dockerVersion
        self.daemonCommand = daemonCommand
        self.apiVersion = apiVersion
        self.recipeSHA256 = recipeSHA256
        self.recipe = recipe
        self.recipeKind = recipeKind
        self.buildKey = buildKey
        self.binarySHA256 = binarySHA256
        self.binaryOrigin = binaryOrigin
        self.innerImageFiles = innerImageFiles
    }

    /// Reads the labels back from an image's labels.
    ///
    /// - Parameter labels: The image's `Config.Labels`.
    /// - Returns: `nil` when the image lacks any dindlab label or its daemon command is not a
    ///   JSON array of strings (an image not built by dindlab).
    package init?(labels: [String: String]) {
        guard let dockerVersion = labels[Self.dockerVersionKey],
            let commandJSON = labels[Self.daemonCommandKey],
            let command = try? JSONDecoder().decode([String].self, from: Data(commandJSON.utf8)),
            let apiVersion = labels[Self.apiVersionKey],
            let recipeSHA256 = labels[Self.recipeSHA256Key],
            let recipe = labels[Self.recipeKey],
            let recipeKind = labels[Self.recipeKindKey],
            let buildKey = labels[Self.buildKeyKey]
        else { return nil }
        self.init(
            dockerVersion: dockerVersion, daemonCommand: command, apiVersion: apiVersion,
            recipeSHA256: recipeSHA256, recipe: recipe, recipeKind: recipeKind, buildKey: buildKey,
            binarySHA256: labels[Self.binarySHA256Key],
            binaryOrigin: labels[Self.binaryOriginKey].flatMap(BinaryOrigin.init(rawValue:)),
            innerImageFiles: labels[Self.innerImagesKey].flatMap {
                try? JSONDecoder().decode([String].self, from: Data($0.utf8))
            })
    }

    /// The daemon command as the JSON array stored in the label: `["docker","daemon"]`.
    package var daemonCommandJSON: String { Self.jsonArray(daemonCommand) }

    /// The labels as a dictionary, for POST /build's `labels`.
    package var dictionary: [String: String] {
        var labels = [
            Self.dockerVersionKey: dockerVersion,
            Self.daemonCommandKey: daemonCommandJSON,
            Self.apiVersionKey: apiVersion,
            Self.recipeSHA256Key: recipeSHA256,
            Self.recipeKey: recipe,
            Self.recipeKindKey: recipeKind,
            Self.buildKeyKey: buildKey,
        ]
        if let binarySHA256 { labels[Self.binarySHA256Key] = binarySHA256 }
        if let binaryOrigin { labels[Self.binaryOriginKey] = binaryOrigin.rawValue }
        if let innerImageFiles { labels[Self.innerImagesKey] = Self.jsonArray(innerImageFiles) }
        return labels
    }

    /// The `changes` for POST /images/create?fromSrc=-: one LABEL instruction per label, in a
    /// fixed order, then the default command.
    ///
    /// - Parameter command: The image's default command; the runner overrides it, so an idle
    ///   command that keeps the container alive is right.
    /// - Returns: Dockerfile instructions.
    package func importChanges(command: [String] = OuterImageLabels.idleCommand) -> [String] {
        let labels = dictionary.sorted { $0.key < $1.key }.map { key, value in
            "LABEL \(key)=\(Self.dockerfileQuoted(value))"
        }
        return labels + ["CMD \(Self.jsonArray(command))"]
    }

    /// A Dockerfile that gives `base` these labels: `FROM base` and one LABEL instruction.
    /// LABEL in a Dockerfile works on every engine from Docker 1.6 on, where the labels of
    /// POST /build (API 1.23) and LABEL in import changes (Docker 1.8) do not.
    package func labellingDockerfile(from base: String) -> String {
        let pairs = dictionary.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.dockerfileQuoted($0.value))" }
        return "FROM \(base)\nLABEL " + pairs.joined(separator: " \\\n      ") + "\n"
    }

    /// Whether an engine's answer to an import says it does not take LABEL in `changes`, as
    /// Docker 1.7 does ("label is not a valid change command").
    package static func refusesLabelChanges(_ error: any Error) -> Bool {
        let text = "\(error)".lowercased()
        return text.contains("label is not a valid change command")
    }

    /// The default command of imported outer images: idle until stopped.
    package static let idleCommand = ["sleep", "infinity"]

    /// Quotes a value for a Dockerfile LABEL instruction: double quotes, with backslash, double
    /// quote and dollar (LABEL expands variables) escaped.
    static func dockerfileQuoted(_ value: String) -> String {
        var quoted = "\""
        for character in value {
            if character == "\\" || character == "\"" || character == "$" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    package static func jsonArray(_ words: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(words)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
