import DindLabCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Finds the Docker binary of a static-binary recipe: the file the user passed with
/// `--binary`, a copy downloaded earlier, or a fresh download checked against the recipe's
/// sha256.
struct StaticBinarySource: Sendable {
    let cache: ImageCache
    /// How long a download may stall (connecting, or between bytes) before it is given up.
    /// Short: these machines often have no route to the download location at all.
    let stallTimeout: TimeInterval

    init(cache: ImageCache, stallTimeout: TimeInterval = 10) {
        self.cache = cache
        self.stallTimeout = stallTimeout
    }

    /// The binary a build will use, as far as it can be known without downloading.
    struct Choice: Sendable {
        /// The user's file, when `--binary` was given.
        let localFile: URL?
        /// The sha256 the binary has (a local file) or must have (a download).
        let sha256: String
        /// The recipe's published sha256, when the binary is an own build that differs from it.
        var publishedSHA256: String? = nil
        /// Published, or the user's own build.
        var origin: OuterImageLabels.BinaryOrigin = .published
    }

    /// Decides which binary a build uses and its sha256, checking a local file against the
    /// recipe. Cheap: no network, so up-to-date checks can run before anything is fetched.
    ///
    /// - Throws: `ImageBuildError` for a missing local file, a checksum mismatch, or a recipe
    ///   that gives neither a URL nor (for its URL) a sha256.
    /// - Parameter ownBuild: The local file is the user's own build: its sha256 is used as it
    ///   is, not checked against the recipe's (downloads are always checked).
    func choose(recipe: String, binary: StaticBinary, override: URL?, ownBuild: Bool = false) throws -> Choice {
        if let override {
            guard FileManager.default.fileExists(atPath: override.path) else {
                throw ImageBuildError.missingFile(
                    recipe: recipe, what: ImageBuildError.localBinary, path: override.path)
            }
            let actual = try SHA256.hexDigest(ofFileAt: override)
            if let expected = binary.sha256, expected != actual {
                guard ownBuild else {
                    throw ImageBuildError.checksumMismatch(
                        recipe: recipe, file: override.path, expected: expected, actual: actual)
                }
                return Choice(localFile: override, sha256: actual, publishedSHA256: expected, origin: .ownBuild)
            }
            return Choice(
                localFile: override, sha256: actual, origin: ownBuild && binary.sha256 == nil ? .ownBuild : .published)
        }
        guard let url = binary.url else { throw ImageBuildError.binaryNotDeclared(recipe: recipe) }
        guard let expected = binary.sha256 else {
            throw ImageBuildError.checksumNotDeclared(recipe: recipe, url: url.absoluteString)
        }
        return Choice(localFile: nil, sha256: expected)
    }

    /// The binary's file: the local one, or the cached download named by its sha256,
    /// downloading it first when needed.
    ///
    /// - Throws: `ImageBuildError.binaryUnavailable` when the download fails, and
    ///   `checksumMismatch` when it has other bytes than the recipe says.
    func file(for choice: Choice, recipe: String, binary: StaticBinary) async throws -> URL {
        if let local = choice.localFile { return local }
        let cached = cache.binariesFolder.appendingPathComponent(choice.sha256)
        if FileManager.default.fileExists(atPath: cached.path),
            (try? SHA256.hexDigest(ofFileAt: cached)) == choice.sha256
        {
            return cached
        }
        guard let url = binary.url else { throw ImageBuildError.binaryNotDeclared(recipe: recipe) }
        try FileManager.default.createDirectory(at: cache.binariesFolder, withIntermediateDirectories: true)
        let partial = ImageCache.partialName(of: cached)
        try? FileManager.default.removeItem(at: partial)
        do {
            try await download(url, to: partial)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw ImageBuildError.binaryUnavailable(
                recipe: recipe, url: url.absoluteString, reason: Self.describe(error))
        }
        let actual = try SHA256.hexDigest(ofFileAt: partial)
        guard actual == choice.sha256 else {
            try? FileManager.default.removeItem(at: partial)
            throw ImageBuildError.checksumMismatch(
                recipe: recipe, file: url.absoluteString, expected: choice.sha256, actual: actual)
        }
        try? FileManager.default.removeItem(at: cached)
        try FileManager.default.moveItem(at: partial, to: cached)
        return cached
    }

    private func download(_ url: URL, to destination: URL) async throws {
        if url.isFileURL {
            try FileManager.default.copyItem(at: url, to: destination)
            return
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = stallTimeout
        configuration.timeoutIntervalForResource = 30 * 60
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let task = session.downloadTask(with: url) { location, response, error in
                if let error { return continuation.resume(throwing: error) }
                if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                    return continuation.resume(throwing: DownloadStatus(code: http.statusCode))
                }
                guard let location else { return continuation.resume(throwing: DownloadStatus(code: 0)) }
                // The temporary file is deleted when this handler returns; move it now.
                continuation.resume(with: Result { try FileManager.default.moveItem(at: location, to: destination) })
            }
            task.resume()
        }
    }

    private struct DownloadStatus: Error, CustomStringConvertible {
        let code: Int
        var description: String { code == 0 ? "the server sent no file" : "the server answered HTTP \(code)" }
    }

    private static func describe(_ error: any Error) -> String {
        if let urlError = error as? URLError { return urlError.localizedDescription }
        return "\(error)"
    }
}
