package import Foundation

/// An image as the image store reports it.
package struct StoredImage: Sendable, Hashable {
    /// The image id (`sha256:...`).
    package var id: String
    /// The `repository:tag` references pointing at it.
    package var repoTags: [String]
    /// The image's `Config.Labels`.
    package var labels: [String: String]

    package init(id: String, repoTags: [String], labels: [String: String]) {
        self.id = id
        self.repoTags = repoTags
        self.labels = labels
    }
}

/// What the image builder needs from an engine: import a root filesystem tarball, look images
/// up, tag and untag them. The Engine API client (`DockerEngine.EngineClient`) serves it
/// through a small adapter; tests serve it from memory.
package protocol ImageStoreEngine: Sendable {
    /// Imports a root filesystem tarball (POST /images/create?fromSrc=-), streaming the file.
    ///
    /// - Parameters:
    ///   - tarFile: The tarball.
    ///   - repository: The repository to tag the new image into.
    ///   - tag: The tag.
    ///   - changes: Dockerfile instructions applied to the image (LABEL, CMD).
    ///   - timeout: The longest the import may take.
    /// - Returns: The new image's id.
    func importImage(tarFile: URL, repository: String, tag: String, changes: [String], timeout: Duration) async throws
        -> String

    /// Looks an image up by id or reference.
    ///
    /// - Returns: The image, or `nil` when the engine has no such image.
    func inspectImage(_ reference: String) async throws -> StoredImage?

    /// Lists images whose labels match every filter (`key` or `key=value`).
    func listImages(labelFilters: [String]) async throws -> [StoredImage]

    /// Points `repository:tag` at an image (POST /images/{name}/tag), moving the tag if it
    /// pointed elsewhere.
    func tagImage(_ reference: String, repository: String, tag: String) async throws

    /// Removes a reference (DELETE /images/{name}): a tag is untagged, and the image deleted
    /// when nothing else refers to it.
    func removeImage(_ reference: String) async throws
    /// Makes a new image of `reference` with these labels and default command, without
    /// import changes or a build: a container of it is created (not started), committed with
    /// that configuration (POST /commit) and removed. Works on every engine from Docker 1.6.
    ///
    /// - Returns: The new image's id.
    func commitLabelled(
        _ reference: String, labels: [String: String], command: [String], repository: String, tag: String,
        timeout: Duration
    ) async throws -> String
}

/// An engine that can also build Dockerfiles (POST /build) and run a command to completion in
/// a throwaway container, which dockerfile recipes need.
package protocol ImageBuildingEngine: ImageStoreEngine {
    /// Builds an image from a build context tarball.
    ///
    /// - Parameters:
    ///   - contextTar: The build context as a tar file, streamed.
    ///   - dockerfile: The Dockerfile's path inside the context.
    ///   - repository: The repository to tag the image into.
    ///   - tag: The tag.
    ///   - labels: Labels to set on the image.
    ///   - timeout: The longest the build may take.
    /// - Returns: The built image's id.
    func buildImage(
        contextTar: URL, dockerfile: String, repository: String, tag: String, labels: [String: String],
        timeout: Duration
    ) async throws -> String

    /// Runs a command in a new container of an image, without network, waits for it, and
    /// removes the container.
    ///
    /// - Returns: The command's output (stdout and stderr).
    func runToCompletion(image: String, command: [String], timeout: Duration) async throws -> String
}
