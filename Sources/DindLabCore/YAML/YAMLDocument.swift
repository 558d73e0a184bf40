import Foundation

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
        // A byte order mark (what some Windows editors put first) is not part of the text. The
        // sha256 stays the file's own.
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard let root = try YAMLParser(file: file, limits: limits, bytes: text).parse() else {
            throw .empty(file: file)
        }
        return YAMLDocument(file: file, root: root, sha256: SHA256.hexDigest(of: bytes))
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
}
