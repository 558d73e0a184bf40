import DindLabCore
package import Foundation

/// The Debian root filesystem an outer image starts from: a tree of files on this machine.
package struct BaseRootfsRequest: Sendable, Hashable {
    package let base: DebianBase
    /// Every package to install, sorted (the recipe's `rootfsPackages`).
    package let packages: [String]

    package init(base: DebianBase, packages: [String]) {
        self.base = base
        self.packages = packages
    }

    /// Names the tree in the cache: the same suite, mirror and package set give the same key.
    package var cacheKey: String {
        let description =
            "debootstrap --variant=minbase\n\(base.suite.rawValue)\n\(base.mirror)\n"
            + packages.joined(separator: ",")
        return "\(base.suite.rawValue)-\(SHA256.hexDigest(of: Data(description.utf8)).prefix(16))"
    }
}

/// Makes (or finds) base root filesystem trees. The builder only reads the tree it gets back;
/// it never changes it, so one tree serves every build with the same request.
package protocol BaseRootfsProvider: Sendable {
    /// The tree for a request if it is already made, without making it.
    func existingRootfs(for request: BaseRootfsRequest) -> URL?

    /// Makes the tree for a request.
    ///
    /// - Returns: The tree's folder.
    /// - Throws: When the tree cannot be made; nothing half-made is left for later requests.
    func makeRootfs(for request: BaseRootfsRequest) async throws -> URL
}

/// Makes base trees with `debootstrap --variant=minbase` into the image cache.
package struct DebootstrapRootfsProvider: BaseRootfsProvider {
    package let cache: ImageCache

    package init(cache: ImageCache) {
        self.cache = cache
    }

    package func existingRootfs(for request: BaseRootfsRequest) -> URL? {
        let tree = treeFolder(for: request)
        return FileManager.default.fileExists(atPath: tree.appendingPathComponent("var/lib/dpkg/status").path)
            ? tree : nil
    }

    package func makeRootfs(for request: BaseRootfsRequest) async throws -> URL {
        let fileManager = FileManager.default
        let tree = treeFolder(for: request)
        let partial = ImageCache.partialName(of: tree)
        try fileManager.createDirectory(at: cache.rootfsFolder, withIntermediateDirectories: true)
        await ImageCache.removeTree(partial)

        let log = cache.rootfsFolder.appendingPathComponent("\(request.cacheKey).log")
        let command = BuildCommand([
            "debootstrap", "--variant=minbase", "--include=\(request.packages.joined(separator: ","))",
            request.base.suite.rawValue, partial.path, request.base.mirror,
        ])
        do {
            try await command.run(log: log)
        } catch {
            await ImageCache.removeTree(partial)
            throw error
        }
        // debootstrap unmounts what it mounted on success; make sure, before the tree is kept.
        for mountPoint in ImageCache.mountPoints(under: partial).reversed() {
            try await BuildCommand(["umount", "--lazy", mountPoint]).run()
        }
        // The downloaded .debs are half the tree's size and are never needed again.
        let archives = partial.appendingPathComponent("var/cache/apt/archives")
        for entry in (try? fileManager.contentsOfDirectory(atPath: archives.path)) ?? [] where entry.hasSuffix(".deb") {
            try? fileManager.removeItem(at: archives.appendingPathComponent(entry))
        }
        do {
            try fileManager.moveItem(at: partial, to: tree)
        } catch  where existingRootfs(for: request) != nil {
            // Another build made the same tree meanwhile; use theirs.
            await ImageCache.removeTree(partial)
        }
        return tree
    }

    func treeFolder(for request: BaseRootfsRequest) -> URL {
        cache.rootfsFolder.appendingPathComponent(request.cacheKey)
    }
}
