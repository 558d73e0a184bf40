import DindLabCore
package import DockerEngine
import Foundation

/// An image to probe an engine with: an outer image when the engine has one, else a tiny
/// busybox image made from this machine's busybox-static and imported once.
package enum ProbeImage {
    package static let reference = "dindlab/probe:busybox"

    /// The reference of an image that has `true`, importing the busybox probe image if needed.
    ///
    /// - Throws: `EngineError`, or an error saying to install busybox-static.
    package static func ensure(on client: EngineClient) async throws -> String {
        if let outer = try await client.listImages(labels: ["dindlab.docker.version"]).first(where: {
            !($0.repoTags ?? []).isEmpty
        }),
            let tag = outer.repoTags?.first(where: { $0 != "<none>:<none>" })
        {
            return tag
        }
        if try await client.inspectImage(reference) != nil { return reference }
        let root = URL(fileURLWithPath: "/")
        guard let busybox = BusyboxRootfs.binary(in: root) else {
            throw ProbeImageError(
                description:
                    "No busybox binary was found in /usr/bin or /bin to make a probe image from; install busybox-static (apt-get install busybox-static) or build an outer image first (from the recipe Images/bookworm)."
            )
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let tar = scratch.appendingPathComponent("busybox.tar")
        try await BusyboxRootfs.writeTarball(busybox: busybox, to: tar, scratch: scratch.appendingPathComponent("tree"))
        do {
            _ = try await client.importImage(
                tarFile: tar, repository: "dindlab/probe", tag: "busybox",
                changes: ["LABEL dindlab.probe=busybox", "CMD [\"true\"]"])
        } catch  where OuterImageLabels.refusesLabelChanges(error) {
            // Docker 1.7 takes no LABEL in import changes; the label only says what the image is.
            _ = try await client.importImage(
                tarFile: tar, repository: "dindlab/probe", tag: "busybox", changes: ["CMD [\"true\"]"])
        }
        return reference
    }
}

struct ProbeImageError: Error, CustomStringConvertible {
    var description: String
}
