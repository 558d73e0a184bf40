import Foundation
import Yams

/// A loaded YAML file: its name and its root node, with every node located.
///
/// Loading is where the untrusted bytes are checked: size, UTF-8, syntax, nesting depth, alias
/// expansion, duplicate keys. What is left for a decoder is the schema. Every input either loads
/// or throws one `YAMLError` that says where and why; none crashes or hangs.
package struct YAMLDocument: Sendable {
    /// The file as the user named it; every node's location carries it too.
    package let file: String
    /// The document's root node.
    package let root: YAMLNode
    /// The sha256 of the bytes the document was parsed from, as `sha256sum` prints it.
    package let sha256: String

    /// Reads and loads a file.
    /// - Parameters:
    ///   - path: The file's path; errors show it as given.
    ///   - limits: Bounds on size, depth and node count.
    /// - Returns: The loaded document.
    /// - Throws: `YAMLError` when the file can't be read or isn't a single, well-formed YAML
    ///   document within the limits (an empty file is an error too).
    package static func load(contentsOfFile path: String, limits: YAMLLimits = .default) throws(YAMLError)
        -> YAMLDocument
    {
        try parse(bytes: read(path, limits: limits), file: path, limits: limits)
    }

    /// Loads YAML text.
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - file: The name errors show for it.
    ///   - limits: Bounds on size, depth and node count.
    /// - Returns: The loaded document.
    /// - Throws: `YAMLError` as `load(contentsOfFile:limits:)` does.
    package static func parse(_ text: String, file: String, limits: YAMLLimits = .default) throws(YAMLError)
        -> YAMLDocument
    {
        try parse(bytes: Array(text.utf8), file: file, limits: limits)
    }

    /// Loads YAML from raw bytes, which must be UTF-8.
    /// - Parameters:
    ///   - bytes: The file's bytes.
    ///   - file: The name errors show for it.
    ///   - limits: Bounds on size, depth and node count.
    /// - Returns: The loaded document.
    /// - Throws: `YAMLError` as `load(contentsOfFile:limits:)` does.
    package static func parse(bytes: [UInt8], file: String, limits: YAMLLimits = .default) throws(YAMLError)
        -> YAMLDocument
    {
        guard bytes.count <= limits.maxBytes else {
            throw .tooComplex("the file is larger than \(limits.maxBytes) bytes", file: file, at: nil)
        }
        if let invalid = YAMLText.firstInvalidUTF8(in: bytes, file: file) {
            throw .invalidUTF8(at: invalid)
        }
        switch try YAMLPreflight(file: file, limits: limits, bytes: bytes).run() {
        case .empty:
            throw .empty(file: file)
        case .document:
            break
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch {
            // The preflight already reports what libyaml finds; this is a safety net.
            throw .syntax("\(error)", at: YAMLLocation(file: file, line: 1, column: 1))
        }
        guard let composed else { throw .empty(file: file) }
        let start = YAMLLocation(file: file, line: 1, column: 1)
        return YAMLDocument(
            file: file, root: try convert(composed, path: .root, fallback: start), sha256: SHA256.hexDigest(of: bytes))
    }

    /// Reads at most one byte more than the limit, so that a huge file (or a device that never
    /// ends) costs no more than the limit.
    private static func read(_ path: String, limits: YAMLLimits) throws(YAMLError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .unreadable(file: path, reason: "it is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(file: path, reason: "permission denied or not a regular file")
        }
        defer { try? handle.close() }
        do {
            return Array(try handle.read(upToCount: limits.maxBytes + 1) ?? Data())
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
    }

    /// Turns Yams' tree into located, path-aware nodes. Depth and size were bounded by the
    /// preflight, so the recursion is too.
    private static func convert(_ node: Node, path: YAMLPath, fallback: YAMLLocation) throws(YAMLError) -> YAMLNode {
        let location = node.mark.map { YAMLLocation(file: fallback.file, line: $0.line, column: $0.column) } ?? fallback
        switch node {
        case .scalar(let scalar):
            return YAMLNode(.scalar(convert(scalar)), location: location, path: path)
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: path.appending(index: index), fallback: location))
            }
            return YAMLNode(.list(items), location: location, path: path)
        case .mapping(let mapping):
            var entries: [YAMLEntry] = []
            for (key, value) in mapping {
                let keyLocation =
                    key.mark.map { YAMLLocation(file: fallback.file, line: $0.line, column: $0.column) } ?? location
                guard case .scalar(let keyScalar) = key else {
                    throw .unsupported("only plain text mapping keys are supported", at: keyLocation, path: path)
                }
                if keyScalar.style == .plain && keyScalar.string == "<<" {
                    throw .unsupported(
                        "merge keys (<<) are not supported; write the keys out", at: keyLocation, path: path)
                }
                let value = try convert(value, path: path.appending(key: keyScalar.string), fallback: keyLocation)
                entries.append(YAMLEntry(key: keyScalar.string, keyLocation: keyLocation, value: value))
            }
            return YAMLNode(.mapping(entries), location: location, path: path)
        case .alias:
            // Yams resolves aliases while composing; an unresolved one can't reach here.
            throw .syntax("unresolved alias", at: location)
        }
    }

    private static func convert(_ scalar: Node.Scalar) -> YAMLScalar {
        switch scalar.style {
        case .singleQuoted, .doubleQuoted:
            return YAMLScalar(text: scalar.string, style: .quoted)
        case .literal, .folded:
            return YAMLScalar(text: scalar.string, style: .block)
        case .plain, .any:
            return YAMLScalar(text: scalar.string, style: .plain)
        }
    }
}
