import DindLabCore
package import Foundation

/// The content address of an outer image: a sha256 over the recipe file's bytes and every
/// input that can change the image without changing the recipe file.
///
/// Each built image carries its key as the label `dindlab.build.key`; `images build` skips a
/// recipe whose image already has the key it would get now.
package enum BuildKey {
    /// Bump when the builder starts making different images from the same inputs (another
    /// layout under /dindlab, other labels, other default packages), so old images rebuild.
    package static let builderVersion = "dindlab-images/1"

    /// The inputs that go into a recipe's key, as sorted name/value pairs.
    ///
    /// - Parameters:
    ///   - recipe: The recipe (its file's sha256, kind, base and packages are inputs).
    ///   - binarySHA256: The sha256 of the Docker binary a static-binary build uses.
    ///   - contextDigest: The digest of a dockerfile recipe's build context (`contextDigest(of:)`).
    /// - Returns: Name/value pairs, sorted by name.
    package static func inputs(recipe: Recipe, binarySHA256: String? = nil, contextDigest: String? = nil) -> [(
        String, String
    )] {
        var inputs: [String: String] = [
            "builder": builderVersion,
            "recipe.sha256": recipe.fileSHA256,
            "kind": recipe.kind.name,
            "inner-images": String(decoding: (try? InnerImageIndex.standard.encoded()) ?? Data(), as: UTF8.self)
                + BusyboxRootfs.applets.joined(separator: " "),
        ]
        switch recipe.kind {
        case .debootstrap(let base), .staticBinary(let base, _):
            inputs["suite"] = base.suite.rawValue
            inputs["mirror"] = base.mirror
        case .dockerfile:
            break
        }
        if let packages = recipe.rootfsPackages { inputs["packages"] = packages.joined(separator: ",") }
        if let binarySHA256 { inputs["binary.sha256"] = binarySHA256 }
        if let contextDigest { inputs["context"] = contextDigest }
        if let command = recipe.daemonCommandOverride { inputs["daemon-command"] = OuterImageLabels.jsonArray(command) }
        return inputs.sorted { $0.key < $1.key }
    }

    /// The build key of a recipe with its inputs.
    ///
    /// - Returns: The sha256, lowercase hex, of `name=value` lines of `inputs(...)`.
    package static func compute(recipe: Recipe, binarySHA256: String? = nil, contextDigest: String? = nil) -> String {
        let lines = inputs(recipe: recipe, binarySHA256: binarySHA256, contextDigest: contextDigest).map {
            name, value in
            "\(name.utf8.count):\(name)=\(value.utf8.count):\(value)\n"
        }
        return SHA256.hexDigest(of: Data(lines.joined().utf8))
    }

    /// A digest of a folder's contents: every file's relative path and bytes, every symlink's
    /// target, in sorted order. Timestamps and owners do not count.
    ///
    /// - Parameter folder: The folder (a dockerfile recipe's build context).
    /// - Throws: File system errors.
    package static func contextDigest(of folder: URL) throws -> String {
        let fileManager = FileManager.default
        let paths = (fileManager.subpaths(atPath: folder.path) ?? []).sorted()
        var digest = SHA256()
        func add(_ line: String) { digest.update(Data(line.utf8)) }
        for path in paths {
            let full = folder.appendingPathComponent(path)
            let attributes = try fileManager.attributesOfItem(atPath: full.path)
            switch attributes[.type] as? FileAttributeType {
            case .typeSymbolicLink?:
                add("link \(path) -> \(try fileManager.destinationOfSymbolicLink(atPath: full.path))\n")
            case .typeRegular?:
                let mode = (attributes[.posixPermissions] as? Int ?? 0) & 0o111 != 0 ? "x" : "-"
                add("file \(path) \(mode) \(try SHA256.hexDigest(ofFileAt: full))\n")
            case .typeDirectory?:
                add("dir \(path)\n")
            default:
                continue
            }
        }
        return SHA256.hexDigest(of: digest.finalize())
    }
}
