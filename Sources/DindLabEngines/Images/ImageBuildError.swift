import Foundation

/// An error of building or listing outer images. Every description is a full sentence that
/// names the recipe and, where there is one, what the user can do to get past it (the
/// executable words that in terms of its options, from `reason`).
package struct ImageBuildError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The facts of the problem (see the static constructors of the same names).
    package enum Reason: Sendable, Hashable {
        case commandFailed(command: [String], status: Int32, outputTail: String, log: String?)
        case commandNotStarted(command: [String], reason: String)
        case commandTimedOut(command: [String], after: String)
        case checksumMismatch(recipe: String, file: String, expected: String, actual: String)
        case binaryUnavailable(recipe: String, url: String, reason: String)
        case binaryNotDeclared(recipe: String)
        case checksumNotDeclared(recipe: String, url: String)
        case versionUnreadable(recipe: String, tried: [String])
        case unsupportedDockerVersion(recipe: String, version: String)
        case engineStep(recipe: String, step: String, reason: String)
        case dockerfileBuildsUnsupported(recipe: String)
        case unknownRecipes(names: [String], available: [String], folder: String)
        case binaryOptionNeedsOneStaticRecipe(names: [String])
        case missingFile(recipe: String, what: String, path: String)
        case overlayConflict(path: String, base: String)
    }

    /// What went wrong, with its facts.
    package let reason: Reason

    /// The `what` of `missingFile` for the local Docker binary given for a static-binary recipe.
    package static let localBinary = "the local Docker binary given"
    private init(_ reason: Reason) { self.reason = reason }

    /// A build tool exited with a failure status.
    static func commandFailed(_ command: [String], status: Int32, outputTail: String, log: URL?) -> Self {
        Self(.commandFailed(command: command, status: status, outputTail: outputTail, log: log?.path))
    }

    /// A build tool could not be started at all (not installed, not executable).
    static func commandNotStarted(_ command: [String], reason: String) -> Self {
        Self(.commandNotStarted(command: command, reason: reason))
    }

    /// A build tool ran longer than allowed and was stopped.
    static func commandTimedOut(_ command: [String], after: Duration) -> Self {
        Self(.commandTimedOut(command: command, after: "\(after)"))
    }

    /// A Docker binary's sha256 differs from the one its recipe declares.
    static func checksumMismatch(recipe: String, file: String, expected: String, actual: String) -> Self {
        Self(.checksumMismatch(recipe: recipe, file: file, expected: expected, actual: actual))
    }

    /// A static-binary recipe's URL could not be downloaded and no `--binary` was given.
    static func binaryUnavailable(recipe: String, url: String, reason: String) -> Self {
        Self(.binaryUnavailable(recipe: recipe, url: url, reason: reason))
    }

    /// A static-binary recipe has no URL and no `--binary` was given.
    static func binaryNotDeclared(recipe: String) -> Self { Self(.binaryNotDeclared(recipe: recipe)) }

    /// A static-binary recipe has a URL but no sha256 to check the download against.
    static func checksumNotDeclared(recipe: String, url: String) -> Self {
        Self(.checksumNotDeclared(recipe: recipe, url: url))
    }

    /// No way of reading the Docker version from the built root filesystem worked.
    static func versionUnreadable(recipe: String, tried: [String]) -> Self {
        Self(.versionUnreadable(recipe: recipe, tried: tried))
    }

    /// The Docker inside is older than any release dindlab can drive (API 1.19, Docker 1.7).
    static func unsupportedDockerVersion(recipe: String, version: String) -> Self {
        Self(.unsupportedDockerVersion(recipe: recipe, version: version))
    }

    /// An engine call failed during a build step.
    static func engineStep(recipe: String, step: String, underlying: any Error) -> Self {
        Self(.engineStep(recipe: recipe, step: step, reason: String(describing: underlying)))
    }

    /// The engine connection offers no `POST /build`, which dockerfile recipes need.
    static func dockerfileBuildsUnsupported(recipe: String) -> Self {
        Self(.dockerfileBuildsUnsupported(recipe: recipe))
    }

    /// The command line named recipes that have no folder.
    static func unknownRecipes(_ names: [String], available: [String], folder: String) -> Self {
        Self(.unknownRecipes(names: names, available: available, folder: folder))
    }

    /// `--binary` was given while building something other than exactly one static-binary recipe.
    static func binaryOptionNeedsOneStaticRecipe(_ names: [String]) -> Self {
        Self(.binaryOptionNeedsOneStaticRecipe(names: names))
    }

    /// A file a build needs does not exist.
    static func missingFile(recipe: String, what: String, path: String) -> Self {
        Self(.missingFile(recipe: recipe, what: what, path: path))
    }

    /// A build's overlay would put a folder where the base tree has a file or symlink.
    static func overlayConflict(path: String, base: URL) -> Self {
        Self(.overlayConflict(path: path, base: base.path))
    }

    package var description: String {
        switch reason {
        case .commandFailed(let command, let status, let tail, let log):
            var text = "`\(command.joined(separator: " "))` exited with status \(status)"
            text += log.map { "; its full output is in \($0)" } ?? ""
            text += tail.isEmpty ? "." : ". Its last lines were:\n\(tail)"
            return text
        case .commandNotStarted(let command, let reason):
            return "Could not start `\(command.joined(separator: " "))`: \(reason)."
        case .commandTimedOut(let command, let after):
            return "`\(command.joined(separator: " "))` did not finish within \(after) and was stopped."
        case .checksumMismatch(let recipe, let file, let expected, let actual):
            return "The Docker binary \(file) for recipe \(recipe) has sha256 \(actual), but the recipe "
                + "expects \(expected). Give the file whose sha256 is \(expected) or, if this file is your own "
                + "build of that release, say so (its version and sha256 are then recorded in the image's labels)."
        case .binaryUnavailable(let recipe, let url, let reason):
            return "Recipe \(recipe) needs the Docker binary from \(url), which could not be downloaded "
                + "(\(reason)). Give a local copy of that file."
        case .binaryNotDeclared(let recipe):
            return "Recipe \(recipe) declares no `binary.url`, so its Docker binary must be given as a local file."
        case .checksumNotDeclared(let recipe, let url):
            return "Recipe \(recipe) downloads \(url) but declares no `binary.sha256` to check it "
                + "against. Add `sha256:` under `binary:` in the recipe, or give a local file you trust."
        case .versionUnreadable(let recipe, let tried):
            return "Could not read the Docker version from the root filesystem of recipe \(recipe); "
                + "tried: \(tried.joined(separator: "; "))."
        case .unsupportedDockerVersion(let recipe, let version):
            return "Recipe \(recipe) contains Docker \(version), older than 1.7 (Engine API 1.19), "
                + "the oldest release dindlab drives."
        case .engineStep(let recipe, let step, let reason):
            return "Building recipe \(recipe) failed while \(step): \(reason)"
        case .dockerfileBuildsUnsupported(let recipe):
            return "Recipe \(recipe) is a dockerfile recipe, which is built through the engine's "
                + "POST /build; this engine connection does not offer image builds yet."
        case .unknownRecipes(let names, let available, let folder):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "No recipe named \(names.joined(separator: ", ")) in \(folder) (recipes there: \(list))."
        case .binaryOptionNeedsOneStaticRecipe(let names):
            return "A local Docker binary belongs to one static-binary recipe, but the build names "
                + (names.isEmpty ? "no recipe" : names.joined(separator: ", "))
                + "; name exactly one static-binary recipe."
        case .overlayConflict(let path, let base):
            return "The build would lay the folder /\(path) over a file or symlink of the base tree \(base), "
                + "which would lose what the base has there."
        case .missingFile(let recipe, let what, let path):
            return "Recipe \(recipe) needs \(what) at \(path), which does not exist."
        }
    }
}
