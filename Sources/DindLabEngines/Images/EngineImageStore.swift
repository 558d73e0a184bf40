import DindLabCore
package import DockerEngine
package import Foundation

/// The image builder's view of a real engine, over `DockerEngine.EngineClient`.
package struct EngineImageStore: ImageBuildingEngine {
    package let client: EngineClient

    package init(client: EngineClient) {
        self.client = client
    }

    package func importImage(tarFile: URL, repository: String, tag: String, changes: [String], timeout: Duration)
        async throws -> String
    {
        try await client.importImage(
            tarFile: tarFile, repository: repository, tag: tag, changes: changes, timeout: timeout)
    }

    package func inspectImage(_ reference: String) async throws -> StoredImage? {
        try await client.inspectImage(reference).map {
            StoredImage(id: $0.id, repoTags: $0.repoTags ?? [], labels: $0.labels)
        }
    }

    package func listImages(labelFilters: [String]) async throws -> [StoredImage] {
        try await client.listImages(labels: labelFilters).map {
            StoredImage(id: $0.id, repoTags: $0.repoTags ?? [], labels: $0.labels ?? [:])
        }
    }

    package func tagImage(_ reference: String, repository: String, tag: String) async throws {
        try await client.tagImage(reference, repository: repository, tag: tag)
    }

    package func removeImage(_ reference: String) async throws {
        try await client.removeImage(reference)
    }

    package func commitLabelled(
        _ reference: String, labels: [String: String], command: [String], repository: String, tag: String,
        timeout: Duration
    ) async throws -> String {
        var config = ContainerConfig(image: reference, cmd: command)
        config.networkDisabled = true
        let container = try await client.createContainer(config)
        do {
            var image = ContainerConfig(image: reference, cmd: command)
            image.labels = labels
            let id = try await client.commitContainer(
                container.id, repository: repository, tag: tag, config: image, timeout: timeout)
            try? await client.removeContainer(container.id)
            return id
        } catch {
            await cleanUp { [client] in try? await client.removeContainer(container.id) }
            throw error
        }
    }

    package func buildImage(
        contextTar: URL, dockerfile: String, repository: String, tag: String, labels: [String: String],
        timeout: Duration
    ) async throws -> String {
        try await client.buildImage(
            contextTar: contextTar, tag: "\(repository):\(tag)", dockerfile: dockerfile, labels: labels,
            timeout: timeout)
    }

    package func runToCompletion(image: String, command: [String], timeout: Duration) async throws -> String {
        var config = ContainerConfig(image: image, cmd: command)
        // The image's own entrypoint would wrap the command (the centos7 recipe's starts a daemon).
        config.entrypoint = [""]
        var host = HostConfig()
        host.networkMode = "none"
        config.networkDisabled = true
        config.hostConfig = host
        config.labels = [OuterImageLabels.recipeKey + ".probe": "true"]
        let container = try await client.createContainer(config)
        do {
            try await client.startContainer(container.id)
            _ = try await client.waitContainer(container.id, timeout: timeout)
            let output = try await client.containerLogs(container.id, tty: false)
            try? await client.removeContainer(container.id)
            return output.stdoutText + output.stderrText
        } catch {
            await cleanUp { [client] in try? await client.removeContainer(container.id) }
            throw error
        }
    }
}
