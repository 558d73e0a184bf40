package import Foundation

/// A recipe for an outer image: the folder `Images/<name>/` with its `recipe.yaml`.
///
/// A recipe named NAME builds the image `dindlab/outer:NAME`. Recipes are loaded and validated
/// by `RecipeLoader`; this type only holds what a valid recipe says.
package struct Recipe: Sendable, Hashable {
    /// The repository every outer image is tagged into.
    package static let imageRepository = "dindlab/outer"
    /// The file name of a recipe inside its folder.
    package static let fileName = "recipe.yaml"

    /// The recipe's name: its folder's name, also the image tag.
    package let name: String
    /// Free text from the recipe's `description`.
    package let summary: String?
    /// How the image is made.
    package let kind: Kind
    /// The daemon command the recipe imposes; `nil` means "by the Docker version found in the
    /// image" (`DaemonEra.daemonCommand`).
    package let daemonCommandOverride: [String]?
    /// The recipe's folder.
    package let folder: URL
    /// The sha256 of the recipe file's bytes, as loaded.
    package let fileSHA256: String

    /// How an outer image is made.
    package enum Kind: Sendable, Hashable {
        /// A Debian suite bootstrapped with its own docker.io package.
        case debootstrap(DebianBase)
        /// A Docker static binary of the 1.7-1.11 era layered onto a bootstrapped Debian suite.
        case staticBinary(DebianBase, StaticBinary)
        /// A Dockerfile built by the engine (POST /build), for users who reach a registry.
        case dockerfile(DockerfileSpec)

        /// The kind's name as written in recipe files.
        package var name: String {
            switch self {
            case .debootstrap: "debootstrap"
            case .staticBinary: "static-binary"
            case .dockerfile: "dockerfile"
            }
        }
    }

    /// Creates a recipe. `RecipeLoader` is the usual way; tests build recipes directly.
    package init(
        name: String, summary: String? = nil, kind: Kind, daemonCommandOverride: [String]? = nil,
        folder: URL, fileSHA256: String
    ) {
        self.name = name
        self.summary = summary
        self.kind = kind
        self.daemonCommandOverride = daemonCommandOverride
        self.folder = folder
        self.fileSHA256 = fileSHA256
    }

    /// Whether building needs a registry (and whatever else the Dockerfile downloads): true for
    /// dockerfile recipes. `images build --all` leaves those out; naming one builds it.
    package var needsRegistry: Bool {
        if case .dockerfile = kind { return true }
        return false
    }

    /// The image this recipe builds: `dindlab/outer:NAME`.
    package var imageReference: String { "\(Self.imageRepository):\(name)" }

    /// The recipe file.
    package var file: URL { folder.appendingPathComponent(Self.fileName) }

    /// The Debian packages of the root filesystem, defaults and extras, sorted; `nil` for
    /// dockerfile recipes, whose root filesystem the Dockerfile makes.
    package var rootfsPackages: [String]? {
        switch kind {
        case .debootstrap(let base):
            base.packages(defaults: DebianBase.dockerPackages(for: base.suite))
        case .staticBinary(let base, _):
            base.packages(defaults: DebianBase.staticBinaryRuntimePackages)
        case .dockerfile:
            nil
        }
    }

    /// Whether a string is a valid recipe name: a Docker tag in lowercase,
    /// `[a-z0-9][a-z0-9._-]*`, at most 128 characters.
    package static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 128 else { return false }
        func allowed(_ c: Unicode.Scalar, first: Bool) -> Bool {
            ("a"..."z").contains(c) || ("0"..."9").contains(c) || (!first && (c == "." || c == "_" || c == "-"))
        }
        return allowed(first, first: true) && name.unicodeScalars.dropFirst().allSatisfy { allowed($0, first: false) }
    }
}

/// The Debian suites dindlab bootstraps.
package enum DebianSuite: String, Sendable, Hashable, CaseIterable {
    case bullseye, bookworm, trixie, forky, sid

    /// Whether the suite packages the docker CLI apart from docker.io (from trixie on).
    package var splitsDockerCLI: Bool {
        switch self {
        case .bullseye, .bookworm: false
        case .trixie, .forky, .sid: true
        }
    }
}

/// A Debian root filesystem made by `debootstrap --variant=minbase`.
package struct DebianBase: Sendable, Hashable {
    /// The mirror used when a recipe names none: the one this project's machines reach.
    package static let defaultMirror = "http://deb.debian.org/debian"
    /// What dockerd from Debian needs beside itself; docker.io pulls containerd, runc and tini.
    static let dockerDaemonPackages = ["docker.io", "iptables", "procps"]
    /// What 1.7-1.11 static binaries call at run time.
    package static let staticBinaryRuntimePackages = ["iptables", "procps", "xz-utils", "git"]
    /// The package the inner busybox image is made from; installed into every root filesystem.
    package static let innerBusyboxPackage = "busybox-static"

    package let suite: DebianSuite
    package let mirror: String
    /// Packages the recipe adds to its kind's defaults.
    package let extraPackages: [String]

    package init(suite: DebianSuite, mirror: String = DebianBase.defaultMirror, extraPackages: [String] = []) {
        self.suite = suite
        self.mirror = mirror
        self.extraPackages = extraPackages
    }

    /// The Docker packages of a suite: docker.io and its runtime tools, plus docker-cli where
    /// the suite splits the CLI out.
    package static func dockerPackages(for suite: DebianSuite) -> [String] {
        dockerDaemonPackages + (suite.splitsDockerCLI ? ["docker-cli"] : [])
    }

    /// Defaults, extras and the inner busybox source, sorted and without duplicates, so the
    /// same set always yields the same cache key.
    func packages(defaults: [String]) -> [String] {
        Array(Set(defaults + extraPackages + [Self.innerBusyboxPackage])).sorted()
    }
}

/// Where a static-binary recipe's Docker binary comes from.
package struct StaticBinary: Sendable, Hashable {
    /// The historical download location; `nil` when users must pass `--binary`.
    package let url: URL?
    /// The binary's sha256 in lowercase hex; `nil` when the recipe leaves it to the user.
    package let sha256: String?

    package init(url: URL?, sha256: String?) {
        self.url = url
        self.sha256 = sha256
    }
}

/// A Dockerfile recipe: the engine builds it, then dindlab labels it.
package struct DockerfileSpec: Sendable, Hashable {
    /// The Dockerfile's path, relative to the context.
    package let dockerfile: String
    /// The build context, relative to the recipe folder.
    package let context: String
    /// The command run in a container of the built image to read its Docker version.
    package let versionCommand: [String]

    package static let defaultVersionCommand = ["docker", "--version"]

    package init(
        dockerfile: String = "Dockerfile", context: String = ".",
        versionCommand: [String] = DockerfileSpec.defaultVersionCommand
    ) {
        self.dockerfile = dockerfile
        self.context = context
        self.versionCommand = versionCommand
    }
}
