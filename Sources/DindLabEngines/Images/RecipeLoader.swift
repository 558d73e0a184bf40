package import DindLabCore
package import Foundation

/// Loads and validates `Images/<name>/recipe.yaml` files.
///
/// Recipe file, schema version 1:
///
///     version: 1                      # required
///     kind: debootstrap               # required: debootstrap | static-binary | dockerfile
///     description: free text
///     daemon-command: [dockerd]       # optional; default: by the Docker version in the image
///     # debootstrap and static-binary:
///     suite: bookworm                 # required: bullseye | bookworm | trixie | forky | sid
///     mirror: http://deb.debian.org/debian
///     packages: [strace]              # extra to the kind's defaults
///     # static-binary:
///     binary:
///       url: https://get.docker.com/builds/Linux/x86_64/docker-1.9.1
///       sha256: 52286a92...           # 64 hex digits
///     # dockerfile:
///     dockerfile: Dockerfile          # relative to the context
///     context: .                      # relative to the recipe folder
///     version-command: [docker, --version]
///
/// Every problem is reported at once, each with file, line, column and key path
/// (`Images/bookworm/recipe.yaml:5:8: suite: expected one of bullseye, ..., got "bookwork"`).
package enum RecipeLoader {
    /// The recipe kinds as written in files.
    enum KindName: String, CaseIterable {
        case debootstrap
        case staticBinary = "static-binary"
        case dockerfile
    }

    static let commonKeys = ["version", "kind", "description", "daemon-command"]
    static let rootfsKeys = ["suite", "mirror", "packages"]

    static func allowedKeys(for kind: KindName) -> [String] {
        switch kind {
        case .debootstrap: commonKeys + rootfsKeys
        case .staticBinary: commonKeys + rootfsKeys + ["binary"]
        case .dockerfile: commonKeys + ["dockerfile", "context", "version-command"]
        }
    }

    /// Loads the recipe in a folder.
    ///
    /// - Parameters:
    ///   - folder: The recipe folder; its name is the recipe's name.
    ///   - displayPath: How errors name the recipe file (`Images/bookworm/recipe.yaml`).
    /// - Returns: The recipe.
    /// - Throws: `YAMLErrors` with every problem found.
    package static func load(folder: URL, displayPath: String) throws(YAMLErrors) -> Recipe {
        let file = folder.appendingPathComponent(Recipe.fileName)
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: file))
        } catch {
            throw YAMLErrors([.unreadable(file: displayPath, reason: "\(error.localizedDescription)")])
        }
        return try parse(bytes: bytes, name: folder.lastPathComponent, folder: folder, file: displayPath)
    }

    /// Validates a recipe's bytes.
    ///
    /// - Parameters:
    ///   - bytes: The recipe file's bytes (their sha256 becomes the recipe's `fileSHA256`).
    ///   - name: The recipe's name (its folder's name).
    ///   - folder: The recipe folder, for the files a dockerfile recipe names.
    ///   - file: How errors name the file.
    /// - Returns: The recipe.
    /// - Throws: `YAMLErrors` with every problem found.
    package static func parse(bytes: [UInt8], name: String, folder: URL, file: String) throws(YAMLErrors) -> Recipe {
        let document: YAMLDocument
        do {
            document = try YAMLDocument.parse(bytes: bytes, file: file)
        } catch {
            throw YAMLErrors([error])
        }
        var diagnostics = YAMLDiagnostics()
        let recipe = decode(
            document.root, name: name, folder: folder, fileSHA256: SHA256.hexDigest(of: bytes),
            diagnostics: &diagnostics)
        if let recipe, diagnostics.errors.isEmpty { return recipe }
        throw YAMLErrors(diagnostics.errors)
    }

    private static func decode(
        _ root: YAMLNode, name: String, folder: URL, fileSHA256: String, diagnostics: inout YAMLDiagnostics
    ) -> Recipe? {
        guard let mapping = diagnostics.attempt({ () throws(YAMLError) in try root.mapping() }) else { return nil }
        if !Recipe.isValidName(name) {
            diagnostics.record(
                .badValue(
                    root,
                    "the recipe folder name \(quoted(name)) is not a valid image tag; "
                        + "name the folder with lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"
                ))
        }
        _ = diagnostics.attempt { () throws(YAMLError) in try mapping.required("version").integer(in: 1...1) }
        let kind = diagnostics.attempt { () throws(YAMLError) in try mapping.required("kind").oneOf(KindName.self) }
        let summary = diagnostics.attempt { () throws(YAMLError) in try mapping["description"]?.string() } ?? nil
        let daemonCommand =
            diagnostics.attempt { () throws(YAMLError) in
                try mapping["daemon-command"]?.stringList(
                    allowEmpty: false, hint: "write it as a list: [docker, daemon]")
            } ?? nil
        guard let kind else { return nil }
        diagnostics.record(mapping.unknownKeys(allowed: allowedKeys(for: kind)))

        let recipeKind: Recipe.Kind?
        switch kind {
        case .debootstrap:
            recipeKind = decodeBase(mapping, diagnostics: &diagnostics).map(Recipe.Kind.debootstrap)
        case .staticBinary:
            let base = decodeBase(mapping, diagnostics: &diagnostics)
            let binary = decodeBinary(mapping["binary"], diagnostics: &diagnostics)
            recipeKind = base.flatMap { base in binary.map { .staticBinary(base, $0) } }
        case .dockerfile:
            recipeKind = decodeDockerfile(mapping, folder: folder, diagnostics: &diagnostics).map(
                Recipe.Kind.dockerfile)
        }
        guard let recipeKind else { return nil }
        return Recipe(
            name: name, summary: summary, kind: recipeKind, daemonCommandOverride: daemonCommand, folder: folder,
            fileSHA256: fileSHA256)
    }

    private static func decodeBase(_ mapping: YAMLMapping, diagnostics: inout YAMLDiagnostics) -> DebianBase? {
        let suite = diagnostics.attempt { () throws(YAMLError) in try mapping.required("suite").oneOf(DebianSuite.self)
        }
        let mirror = diagnostics.attempt { () throws(YAMLError) -> String in
            guard let node = mapping["mirror"] else { return DebianBase.defaultMirror }
            let text = try node.string(allowEmpty: false)
            guard let url = URL(string: text), ["http", "https", "file"].contains(url.scheme ?? "") else {
                throw .badValue(
                    node, "expected an http://, https:// or file:// URL of a Debian mirror, got \(quoted(text))")
            }
            return text
        }
        let packages = diagnostics.attempt { () throws(YAMLError) -> [String] in
            guard let node = mapping["packages"] else { return [] }
            let items = try node.list(hint: "write it as a list: [strace, curl]")
            var names: [String] = []
            for item in items {
                let name = try item.string(allowEmpty: false)
                guard isDebianPackageName(name) else {
                    throw .badValue(
                        item,
                        "expected a Debian package name (lowercase letters, digits, '+', '-', '.'), got \(quoted(name))"
                    )
                }
                names.append(name)
            }
            return names
        }
        guard let suite, let mirror, let packages else { return nil }
        return DebianBase(suite: suite, mirror: mirror, extraPackages: packages)
    }

    private static func decodeBinary(_ node: YAMLNode?, diagnostics: inout YAMLDiagnostics) -> StaticBinary? {
        guard let node else { return StaticBinary(url: nil, sha256: nil) }
        guard let mapping = diagnostics.attempt({ () throws(YAMLError) in try node.mapping() }) else { return nil }
        diagnostics.record(mapping.unknownKeys(allowed: ["url", "sha256"]))
        let url = diagnostics.attempt { () throws(YAMLError) -> URL? in
            guard let node = mapping["url"] else { return nil }
            let text = try node.string(allowEmpty: false)
            guard let url = URL(string: text), ["http", "https", "file"].contains(url.scheme ?? ""), url.path.count > 1
            else {
                throw .badValue(
                    node, "expected an http://, https:// or file:// URL of a Docker binary, got \(quoted(text))")
            }
            return url
        }
        let sha256 = diagnostics.attempt { () throws(YAMLError) -> String? in
            guard let node = mapping["sha256"] else { return nil }
            let text = try node.string()
            guard text.count == 64, text.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw .badValue(node, "expected 64 lowercase hex digits (the output of sha256sum), got \(quoted(text))")
            }
            return text
        }
        guard let url, let sha256 else { return nil }
        return StaticBinary(url: url, sha256: sha256)
    }

    private static func decodeDockerfile(_ mapping: YAMLMapping, folder: URL, diagnostics: inout YAMLDiagnostics)
        -> DockerfileSpec?
    {
        let context = diagnostics.attempt { () throws(YAMLError) -> String in
            guard let node = mapping["context"] else { return "." }
            let path = try node.string(allowEmpty: false)
            try checkRelative(path, node: node)
            guard isFolder(folder.appendingPathComponent(path)) else {
                throw .badValue(
                    node, "expected a folder inside the recipe folder, but \(quoted(path)) is no folder there")
            }
            return path
        }
        let dockerfile = diagnostics.attempt { () throws(YAMLError) -> String in
            guard let node = mapping["dockerfile"] else { return "Dockerfile" }
            let path = try node.string(allowEmpty: false)
            try checkRelative(path, node: node)
            if let context,
                !FileManager.default.fileExists(
                    atPath: folder.appendingPathComponent(context).appendingPathComponent(path).path)
            {
                throw .badValue(
                    node,
                    "expected a file inside the context \(quoted(context)), but \(quoted(path)) does not exist there")
            }
            return path
        }
        let versionCommand = diagnostics.attempt { () throws(YAMLError) -> [String] in
            try mapping["version-command"]?.stringList(
                allowEmpty: false, hint: "write it as a list: [docker, --version]")
                ?? DockerfileSpec.defaultVersionCommand
        }
        guard let context, let dockerfile, let versionCommand else { return nil }
        return DockerfileSpec(dockerfile: dockerfile, context: context, versionCommand: versionCommand)
    }

    private static func checkRelative(_ path: String, node: YAMLNode) throws(YAMLError) {
        if path.hasPrefix("/") || path.split(separator: "/").contains("..") {
            throw .badValue(node, "expected a path relative to the recipe folder and inside it, got \(quoted(path))")
        }
    }

    private static func isDebianPackageName(_ name: String) -> Bool {
        guard name.count >= 2, let first = name.unicodeScalars.first,
            ("a"..."z").contains(first) || ("0"..."9").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)
        }
    }

    private static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func quoted(_ text: String) -> String {
        YAMLQuoting.quoted(text, limit: 60)
    }
}
