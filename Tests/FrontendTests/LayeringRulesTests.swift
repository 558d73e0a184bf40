import ArgumentParser
import Foundation
import Testing

@testable import dindlab

/// The executable owns the command line: no library target (every folder under Sources/ but
/// the executable's) names a dindlab command or one of the executable's flags in its text,
/// reads `CommandLine.arguments`, asks `isatty`, or writes to standard output or error. The
/// libraries return facts; Sources/dindlab words them (README, "Architecture").
///
/// The test reads the sources, so it keeps working when library folders move between targets.
@Suite("Layering: the command line stays in the executable")
struct LayeringRulesTests {
    /// The repository root, from this file's path (Tests/FrontendTests/THIS).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let executable = "dindlab"

    /// A report's title names the product and what the report is of: `# dindlab run \(runID)`,
    /// `<h1>dindlab history</h1>`. It is a name, not a command to type, so a literal that starts
    /// with one (a Markdown `# ` or HTML `<h1>` heading, or the title alone) is not a finding.
    static let title = try! NSRegularExpression(
        pattern: #"^(# |<h1>)?dindlab (run \\\([^"]*runID|history(</h1>|\\n|$))"#)

    /// The executable's subcommands, from its configuration.
    static var commandNames: [String] {
        Dindlab.configuration.subcommands.compactMap { $0.configuration.commandName }
    }

    /// The executable's long option and flag names, from their declarations in Sources/dindlab:
    /// `.customLong("x")`, else the property's name in kebab case.
    static func flagNames() throws -> Set<String> {
        var names: Set<String> = []
        let declaration = try NSRegularExpression(
            pattern: #"@(Option|Flag)\b(.*?)\bvar\s+(\w+)"#, options: [.dotMatchesLineSeparators])
        let custom = try NSRegularExpression(pattern: #"customLong\("([\w-]+)""#)
        for file in try swiftFiles(in: root.appendingPathComponent("Sources/\(executable)")) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in declaration.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let attribute = String(text[Range(match.range(at: 2), in: text)!])
                if let long = custom.firstMatch(in: attribute, range: NSRange(attribute.startIndex..., in: attribute)) {
                    names.insert(String(attribute[Range(long.range(at: 1), in: attribute)!]))
                } else {
                    names.insert(kebab(String(text[Range(match.range(at: 3), in: text)!])))
                }
            }
        }
        return names
    }

    static func kebab(_ name: String) -> String {
        name.reduce(into: "") { text, character in
            if character.isUppercase { text += "-" + character.lowercased() } else { text.append(character) }
        }
    }

    static func swiftFiles(in folder: URL) throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }.sorted {
            $0.path < $1.path
        }
    }

    /// Every library folder: Sources/* but the executable (C targets have no Swift files).
    static func libraryFiles() throws -> [URL] {
        let sources = root.appendingPathComponent("Sources")
        let targets = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0 != executable }
            .sorted()
        return try targets.flatMap { try swiftFiles(in: sources.appendingPathComponent($0)) }
    }

    /// The string literals of a line of code (not comments).
    static func literals(_ line: String) -> [String] {
        let code = line.trimmingCharacters(in: .whitespaces)
        guard !code.hasPrefix("//") else { return [] }
        var literals: [String] = []
        var current: String?
        var escaped = false
        for character in code {
            if var text = current {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    literals.append(text)
                    current = nil
                    continue
                }
                text.append(character)
                current = text
            } else if character == "\"" {
                current = ""
            }
        }
        if let current { literals.append(current) }  // a multi-line literal's line
        return literals
    }

    /// Programs whose own flags appear in the command lines and scripts the library runs.
    static let foreignCommands = [
        "docker", "dockerd", "mount", "umount", "tar", "unshare", "debootstrap", "chroot", "rm ", "kill", "busybox",
        "sh ", "exec ",
    ]

    /// The findings in one file: `FILE: TEXT`.
    static func findings(in file: URL, commands: [String], flags: Set<String>) throws -> [String] {
        let name = file.lastPathComponent
        var found: [String] = []
        let commandPattern = try NSRegularExpression(pattern: #"dindlab (\#(commands.joined(separator: "|")))\b"#)
        let flagPattern = try NSRegularExpression(pattern: #"(?<![\w-])--([a-z][a-z0-9-]*)"#)
        let output = try NSRegularExpression(
            pattern:
                #"(?<![\w.])(print|debugPrint|fputs|isatty)\(|FileHandle\.standard(Error|Output)|(?<![\w.])CommandLine\.arguments|STD(OUT|ERR)_FILENO"#
        )
        for line in try String(contentsOf: file, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        ).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.hasPrefix("//"),
                let match = output.firstMatch(in: line, range: NSRange(line.startIndex..., in: line))
            {
                found.append("\(name): \(line[Range(match.range, in: line)!])")
            }
            for literal in literals(line) {
                let range = NSRange(literal.startIndex..., in: literal)
                if let match = commandPattern.firstMatch(in: literal, range: range),
                    title.firstMatch(in: literal, range: range) == nil
                {
                    found.append("\(name): dindlab \(literal[Range(match.range(at: 1), in: literal)!])")
                }
                // A literal that is a flag alone is an argument vector's element (dockerd's).
                guard literal.contains(" ") else { continue }
                for match in flagPattern.matches(in: literal, range: range) {
                    let flag = String(literal[Range(match.range(at: 1), in: literal)!])
                    let before = literal[..<Range(match.range, in: literal)!.lowerBound]
                    guard flags.contains(flag), !foreignCommands.contains(where: { before.contains($0) }) else {
                        continue
                    }
                    found.append("\(name): --\(flag)")
                }
            }
        }
        return found
    }

    @Test("the executable's flags are read from its declarations")
    func flagsAreDerived() throws {
        let flags = try Self.flagNames()
        for flag in [
            "resume", "repeat", "jobs", "engine", "forensics", "shard", "strict", "include-kept", "api-version",
            "cgroup-version",
        ] {
            #expect(flags.contains(flag), "--\(flag) not found among \(flags.sorted())")
        }
        #expect(
            Self.commandNames.contains("run") && Self.commandNames.contains("gc")
                && Self.commandNames.contains("engine"))
    }

    @Test("the rules catch what they are about (a line of each kind)")
    func rulesCatch() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("Probe-\(UUID().uuidString).swift")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
        let a = CommandLine.arguments
        FileHandle.standardError.write(Data())
        let hint = "stop it first with `dindlab engine down`, or pass --jobs 2"
        let argv = ["--debug", "--log-format"]
        let script = "docker run --name x busybox"
        // print("a comment may say anything: dindlab gc --jobs")
        let title = "# dindlab run \\(report.manifest.runID)"
        let heading = "<h1>dindlab history</h1>"
        let hint = "then run dindlab history --json x"
        """.write(to: file, atomically: true, encoding: .utf8)
        let found = try Self.findings(in: file, commands: Self.commandNames, flags: try Self.flagNames()).map {
            $0.replacingOccurrences(of: file.lastPathComponent + ": ", with: "")
        }
        #expect(
            found == [
                "CommandLine.arguments", "FileHandle.standardError", "dindlab engine", "--jobs", "dindlab history",
                "--json",
            ])
    }

    @Test("no library names a command or flag of the executable, reads its arguments, or writes to the terminal")
    func librariesStayOffTheCommandLine() throws {
        let files = try Self.libraryFiles()
        #expect(files.count > 100, "the library sources were not found under \(Self.root.path)/Sources")
        let flags = try Self.flagNames()
        var findings: Set<String> = []
        for file in files {
            findings.formUnion(try Self.findings(in: file, commands: Self.commandNames, flags: flags))
        }
        #expect(
            findings.isEmpty,
            "The libraries speak the command line; word these in Sources/dindlab instead:\n\(findings.sorted().joined(separator: "\n"))"
        )
    }
}
