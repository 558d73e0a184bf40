import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

@Suite("Image recipe loading and validation")
struct ImageRecipeLoaderTests {
    /// Loads recipe text as `Images/<name>/recipe.yaml` in a temporary folder, with a Dockerfile
    /// next to it for dockerfile recipes.
    private func load(_ text: String, name: String = "r") throws -> Recipe {
        let folder = try TemporaryFolder()
        let recipeFolder = folder.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: recipeFolder, withIntermediateDirectories: true)
        try Data("FROM centos:7\n".utf8).write(to: recipeFolder.appendingPathComponent("Dockerfile"))
        try Data(text.utf8).write(to: recipeFolder.appendingPathComponent(Recipe.fileName))
        return try RecipeLoader.load(folder: recipeFolder, displayPath: "Images/\(name)/recipe.yaml")
    }

    @Test("a debootstrap recipe with defaults")
    func debootstrap() throws {
        let text = "version: 1\nkind: debootstrap\ndescription: Debian 12\nsuite: bookworm\n"
        let recipe = try load(text, name: "bookworm")
        #expect(recipe.name == "bookworm")
        #expect(recipe.summary == "Debian 12")
        #expect(recipe.kind == .debootstrap(DebianBase(suite: .bookworm, mirror: "http://deb.debian.org/debian")))
        #expect(recipe.imageReference == "dindlab/outer:bookworm")
        #expect(recipe.fileSHA256 == SHA256.hexDigest(of: Data(text.utf8)))
        #expect(recipe.daemonCommandOverride == nil)
    }

    @Test("a static-binary recipe with everything")
    func staticBinary() throws {
        let sha = String(repeating: "ab", count: 32)
        let recipe = try load(
            """
            version: 1
            kind: static-binary
            suite: bullseye
            mirror: http://127.0.0.1:3142/debian
            packages: [strace, e2fsprogs]
            daemon-command: [docker, daemon, --debug]
            binary:
              url: https://get.docker.com/builds/Linux/x86_64/docker-1.9.1
              sha256: \(sha)
            """, name: "1.9.1")
        #expect(
            recipe.kind
                == .staticBinary(
                    DebianBase(
                        suite: .bullseye, mirror: "http://127.0.0.1:3142/debian",
                        extraPackages: ["strace", "e2fsprogs"]),
                    StaticBinary(
                        url: URL(string: "https://get.docker.com/builds/Linux/x86_64/docker-1.9.1"), sha256: sha)))
        #expect(recipe.daemonCommandOverride == ["docker", "daemon", "--debug"])
        #expect(
            recipe.rootfsPackages == ["busybox-static", "e2fsprogs", "git", "iptables", "procps", "strace", "xz-utils"])
    }

    @Test("a static-binary recipe may leave the binary to --binary")
    func staticBinaryWithoutBinary() throws {
        let recipe = try load("version: 1\nkind: static-binary\nsuite: bookworm\n")
        #expect(recipe.kind == .staticBinary(DebianBase(suite: .bookworm), StaticBinary(url: nil, sha256: nil)))
    }

    @Test("a dockerfile recipe with defaults")
    func dockerfile() throws {
        let recipe = try load("version: 1\nkind: dockerfile\n")
        #expect(
            recipe.kind
                == .dockerfile(
                    DockerfileSpec(dockerfile: "Dockerfile", context: ".", versionCommand: ["docker", "--version"])))
        #expect(recipe.rootfsPackages == nil)
    }

    @Test(
        "every shipped recipe loads",
        arguments: ["bullseye", "bookworm", "trixie", "1.7.1", "1.8.3", "1.9.1", "centos7-docker1.9.1"])
    func shipped(name: String) throws {
        let images = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Images")
        let recipe = try #require(try RecipeCatalog(folder: images, displayPath: "Images").load([name]).first)
        switch recipe.kind {
        case .debootstrap(let base):
            #expect(base.suite.rawValue == name)
        case .staticBinary(_, let binary):
            #expect(binary.url?.absoluteString == "https://get.docker.com/builds/Linux/x86_64/docker-\(name)")
            #expect(binary.sha256?.count == 64)
        case .dockerfile(let spec):
            #expect(
                FileManager.default.fileExists(
                    atPath: recipe.folder.appendingPathComponent(spec.context).appendingPathComponent(spec.dockerfile)
                        .path))
        }
    }

    @Test(
        "errors name file, line, column and key path",
        arguments: [
            (
                "kind: debootstrap\nsuite: bookworm\n",
                "Images/r/recipe.yaml:1:1: version: missing required key \"version\""
            ),
            (
                "version: 2\nkind: debootstrap\nsuite: bookworm\n",
                "Images/r/recipe.yaml:1:10: version: expected an integer equal to 1, got 2"
            ),
            (
                "version: 1\nkind: debootstrapp\nsuite: bookworm\n",
                "Images/r/recipe.yaml:2:7: kind: expected one of debootstrap, static-binary, dockerfile, got \"debootstrapp\""
            ),
            (
                "version: 1\nkind: debootstrap\nsuite: bookwork\n",
                "Images/r/recipe.yaml:3:8: suite: expected one of bullseye, bookworm, trixie, forky, sid, got \"bookwork\""
            ),
            (
                "version: 1\nkind: debootstrap\n",
                "Images/r/recipe.yaml:1:1: suite: missing required key \"suite\""
            ),
            (
                "version: 1\nkind: debootstrap\nsuite: bookworm\nsuit: trixie\n",
                "Images/r/recipe.yaml:4:1: suit: unknown key \"suit\" (did you mean suite?); allowed: version, kind, description, daemon-command, suite, mirror, packages"
            ),
            (
                "version: 1\nkind: debootstrap\nsuite: bookworm\nbinary: {url: http://x/y}\n",
                "Images/r/recipe.yaml:4:1: binary: unknown key \"binary\"; allowed: version, kind, description, daemon-command, suite, mirror, packages"
            ),
            (
                "version: 1\nkind: debootstrap\nsuite: bookworm\nmirror: deb.debian.org\n",
                "Images/r/recipe.yaml:4:9: mirror: expected an http://, https:// or file:// URL of a Debian mirror, got \"deb.debian.org\""
            ),
            (
                "version: 1\nkind: debootstrap\nsuite: bookworm\npackages: strace\n",
                "Images/r/recipe.yaml:4:11: packages: expected a list, got \"strace\"; write it as a list: [strace, curl]"
            ),
            (
                "version: 1\nkind: debootstrap\nsuite: bookworm\npackages: [strace, Curl]\n",
                "Images/r/recipe.yaml:4:20: packages[1]: expected a Debian package name (lowercase letters, digits, '+', '-', '.'), got \"Curl\""
            ),
            (
                "version: 1\nkind: debootstrap\nsuite: bookworm\ndaemon-command: dockerd\n",
                "Images/r/recipe.yaml:4:17: daemon-command: expected a non-empty list, got \"dockerd\"; write it as a list: [docker, daemon]"
            ),
            (
                "version: 1\nkind: debootstrap\nsuite: bookworm\ndaemon-command: []\n",
                "Images/r/recipe.yaml:4:17: daemon-command: expected a non-empty list, got an empty list"
            ),
            (
                "version: 1\nkind: static-binary\nsuite: bookworm\nbinary:\n  sha256: ABC\n",
                "Images/r/recipe.yaml:5:11: binary.sha256: expected 64 lowercase hex digits (the output of sha256sum), got \"ABC\""
            ),
            (
                "version: 1\nkind: static-binary\nsuite: bookworm\nbinary:\n  url: get.docker.com/docker\n",
                "Images/r/recipe.yaml:5:8: binary.url: expected an http://, https:// or file:// URL of a Docker binary, got \"get.docker.com/docker\""
            ),
            (
                "version: 1\nkind: static-binary\nsuite: bookworm\nbinary:\n  sha: x\n",
                "Images/r/recipe.yaml:5:3: binary.sha: unknown key \"sha\"; allowed: url, sha256"
            ),
            (
                "version: 1\nkind: static-binary\nsuite: bookworm\nbinary: https://get.docker.com/x\n",
                "Images/r/recipe.yaml:4:9: binary: expected a mapping, got \"https://get.docker.com/x\""
            ),
            (
                "version: 1\nkind: dockerfile\ndockerfile: Containerfile\n",
                "Images/r/recipe.yaml:3:13: dockerfile: expected a file inside the context \".\", but \"Containerfile\" does not exist there"
            ),
            (
                "version: 1\nkind: dockerfile\ncontext: ../elsewhere\n",
                "Images/r/recipe.yaml:3:10: context: expected a path relative to the recipe folder and inside it, got \"../elsewhere\""
            ),
            (
                "version: 1\nkind: dockerfile\nversion-command: docker --version\n",
                "Images/r/recipe.yaml:3:18: version-command: expected a non-empty list, got \"docker --version\"; write it as a list: [docker, --version]"
            ),
            (
                "version: 1\nkind: dockerfile\nsuite: bookworm\n",
                "Images/r/recipe.yaml:3:1: suite: unknown key \"suite\"; allowed: version, kind, description, daemon-command, dockerfile, context, version-command"
            ),
            (
                "- just\n- a list\n",
                "Images/r/recipe.yaml:1:1: expected a mapping, got a list"
            ),
        ])
    func errors(text: String, expected: String) throws {
        let error = try #require(throws: YAMLErrors.self) { try load(text) }
        #expect(error.description == expected)
    }

    @Test("every problem is reported at once, in file order")
    func allProblems() throws {
        let error = try #require(throws: YAMLErrors.self) {
            try load("version: 1\nkind: static-binary\nsuite: bookwork\nmirror: nope\nbinary:\n  sha256: x\n")
        }
        #expect(error.errors.map { $0.location?.line } == [3, 4, 6])
    }

    @Test("a folder name that is no image tag is refused")
    func badName() throws {
        let error = try #require(throws: YAMLErrors.self) {
            try load("version: 1\nkind: debootstrap\nsuite: bookworm\n", name: "Bookworm")
        }
        #expect(error.description.contains("the recipe folder name \"Bookworm\" is not a valid image tag"))
    }

    @Test("a catalog names unknown recipes with the ones it has")
    func unknownRecipe() throws {
        let folder = try TemporaryFolder()
        let recipeFolder = folder.url.appendingPathComponent("bookworm")
        try FileManager.default.createDirectory(at: recipeFolder, withIntermediateDirectories: true)
        try Data("version: 1\nkind: debootstrap\nsuite: bookworm\n".utf8).write(
            to: recipeFolder.appendingPathComponent(Recipe.fileName))
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("not-a-recipe"), withIntermediateDirectories: true)
        let catalog = RecipeCatalog(folder: folder.url, displayPath: "Images")
        #expect(catalog.names() == ["bookworm"])
        let error = try #require(throws: ImageBuildError.self) { try catalog.load(["bookworm", "stretch"]) }
        #expect(error.description == "No recipe named stretch in Images (recipes there: bookworm).")
    }
}
