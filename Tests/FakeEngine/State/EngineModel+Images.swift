import Foundation

/// Image references the way the daemon normalises them: "busybox" is "busybox:latest",
/// "docker.io/library/busybox" is "busybox".
enum ImageReference {
    static func normalize(_ reference: String) -> String {
        var name = reference
        for prefix in ["docker.io/library/", "index.docker.io/library/", "docker.io/"] where name.hasPrefix(prefix) {
            name.removeFirst(prefix.count)
            break
        }
        if name.contains("@") { return name }
        let lastComponent = name.split(separator: "/").last ?? Substring(name)
        return lastComponent.contains(":") ? name : name + ":latest"
    }
}

extension EngineModel {
    /// Adds an image (or moves the tag to a new image).
    /// - Returns: the new image's id.
    mutating func addImage(
        reference: String?, labels: [String: String], cmd: [String]?, entrypoint: [String]? = nil,
        env: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        changes: [String] = [], size: Int, created: Date = Date()
    ) -> String {
        let tag = reference.map(ImageReference.normalize)
        if let tag { untag(tag) }
        let image = ImageRecord(
            id: newImageID(), repoTags: tag.map { [$0] } ?? [], created: created, size: size,
            labels: labels, cmd: cmd, entrypoint: entrypoint, env: env, changes: changes)
        images.append(image)
        return image.id
    }

    /// Points `tag` ("repo:tag") at an image, moving it from any other.
    mutating func tagImage(_ reference: String, as tag: String) throws(APIError) {
        guard let index = imageIndex(reference) else { throw .noSuchImage(reference) }
        let normalized = ImageReference.normalize(tag)
        untag(normalized)
        images[index].repoTags.append(normalized)
    }

    private mutating func untag(_ tag: String) {
        for index in images.indices { images[index].repoTags.removeAll { $0 == tag } }
    }

    /// Finds an image by tag, full id, or unambiguous id prefix.
    func imageIndex(_ reference: String) -> Int? {
        let tag = ImageReference.normalize(reference)
        if let index = images.firstIndex(where: { $0.repoTags.contains(tag) }) { return index }
        let hex = reference.hasPrefix("sha256:") ? String(reference.dropFirst(7)) : reference
        guard !hex.isEmpty, hex.allSatisfy(\.isHexDigit) else { return nil }
        let matches = images.indices.filter { images[$0].hexID.hasPrefix(hex.lowercased()) }
        return matches.count == 1 ? matches[0] : nil
    }

    /// Removes a tag, or the image when it is named by id or loses its last tag.
    /// - Returns: the `DELETE /images` report: `Untagged` and `Deleted` entries.
    mutating func removeImage(_ reference: String, force: Bool) throws(APIError) -> [(String, String)] {
        guard let index = imageIndex(reference) else { throw .noSuchImage(reference) }
        let image = images[index]
        if !force, let user = containers.first(where: { $0.imageID == image.id }) {
            throw .conflict(
                "conflict: unable to remove repository reference \"\(reference)\" (must force) - container \(user.id.prefix(12)) is using its referenced image \(image.hexID.prefix(12))"
            )
        }
        let tag = ImageReference.normalize(reference)
        var report: [(String, String)] = []
        if image.repoTags.contains(tag), image.repoTags.count > 1 {
            images[index].repoTags.removeAll { $0 == tag }
            return [("Untagged", tag)]
        }
        report += image.repoTags.map { ("Untagged", $0) }
        report.append(("Deleted", image.id))
        images.remove(at: index)
        return report
    }

    /// Applies an import's `changes` roughly as the daemon does: LABEL, CMD, ENTRYPOINT and ENV.
    static func apply(
        changes: [String], labels: inout [String: String], cmd: inout [String]?,
        entrypoint: inout [String]?, env: inout [String]
    ) {
        for change in changes {
            let trimmed = change.trimmingCharacters(in: .whitespaces)
            guard let space = trimmed.firstIndex(where: \.isWhitespace) else { continue }
            let instruction = trimmed[..<space].uppercased()
            let argument = trimmed[space...].trimmingCharacters(in: .whitespaces)
            switch instruction {
            case "LABEL":
                for (key, value) in keyValuePairs(argument) { labels[key] = value }
            case "ENV":
                for (key, value) in keyValuePairs(argument) { env.append("\(key)=\(value)") }
            case "CMD":
                cmd = commandForm(argument)
            case "ENTRYPOINT":
                entrypoint = commandForm(argument)
            default:
                continue
            }
        }
    }

    /// `["a","b"]` (exec form) or `a b` (shell form, run by /bin/sh -c).
    private static func commandForm(_ argument: String) -> [String] {
        if argument.hasPrefix("["), let parsed = try? JSON.parse(Data(argument.utf8)), let words = parsed.stringArray {
            return words
        }
        return ["/bin/sh", "-c", argument]
    }

    /// `k=v k2="v 2"` pairs, quotes removed; in double quotes a backslash escapes the next
    /// character, as Docker's Dockerfile parser reads them.
    private static func keyValuePairs(_ text: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        var current = ""
        var quote: Character?
        var escaped = false
        var words: [String] = []
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if let open = quote {
                if open == "\"" && character == "\\" {
                    escaped = true
                } else if character == open {
                    quote = nil
                } else {
                    current.append(character)
                }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            pairs.append((String(parts[0]), parts.count > 1 ? String(parts[1]) : ""))
        }
        return pairs
    }
}
