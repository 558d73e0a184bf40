import Foundation

/// Reads the Docker version from a built root filesystem, never from the recipe: what is in
/// the image is what gets labelled.
enum DockerVersionProbe {
    /// Where Debian puts the daemon and the CLI, daemon first (the CLI is a separate package
    /// from trixie on, but the daemon is always there).
    static let treeBinaries = ["/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/bin/docker"]

    /// How long a `--version` may take before the binary is taken to be broken.
    static let timeout: Duration = .seconds(30)

    /// Runs a Docker binary (a static one, or any executable that prints like one) with
    /// `--version`.
    ///
    /// - Returns: The version, or `nil` when the binary fails or prints no version; `tried`
    ///   gets a line saying what happened.
    static func version(ofBinary binary: URL, tried: inout [String]) async -> DaemonVersion? {
        await version(running: [binary.path, "--version"], tried: &tried)
    }

    /// Reads the version of the Docker a Debian tree has installed: runs its daemon inside the
    /// tree with chroot, falling back to the docker.io entry of dpkg's status file.
    static func version(ofTree tree: URL, tried: inout [String]) async -> DaemonVersion? {
        for binary in treeBinaries where FileManager.default.fileExists(atPath: tree.path + binary) {
            if let version = await version(running: ["chroot", tree.path, binary, "--version"], tried: &tried) {
                return version
            }
        }
        let statusFile = tree.appendingPathComponent("var/lib/dpkg/status")
        let status = (try? String(contentsOf: statusFile, encoding: .utf8)) ?? ""
        if let version = dpkgVersion(ofPackage: "docker.io", statusFile: status) {
            return version
        }
        tried.append("no installed docker.io in \(statusFile.path)")
        return nil
    }

    private static func version(running command: [String], tried: inout [String]) async -> DaemonVersion? {
        do {
            let output = try await BuildCommand(command).run(timeout: timeout)
            if let version = DaemonVersion(versionOutput: output) { return version }
            tried.append("`\(command.joined(separator: " "))` printed no \"Docker version\": \(output.prefix(200))")
        } catch {
            tried.append("\(error)")
        }
        return nil
    }

    /// The Docker version of an installed package in a dpkg status file.
    ///
    /// - Parameters:
    ///   - package: The package name (`docker.io`).
    ///   - statusFile: The contents of `var/lib/dpkg/status`.
    /// - Returns: The package's upstream version (`20.10.24+dfsg1` from
    ///   `20.10.24+dfsg1-1+deb12u1`), or `nil` when it is not installed.
    static func dpkgVersion(ofPackage package: String, statusFile: String) -> DaemonVersion? {
        for paragraph in statusFile.components(separatedBy: "\n\n") {
            var fields: [String: String] = [:]
            for line in paragraph.split(separator: "\n") where !line.hasPrefix(" ") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            guard fields["Package"] == package, fields["Status"] == "install ok installed",
                var version = fields["Version"]
            else { continue }
            if let colon = version.firstIndex(of: ":") { version = String(version[version.index(after: colon)...]) }
            if let dash = version.lastIndex(of: "-") { version = String(version[..<dash]) }
            return DaemonVersion(versionText: version)
        }
        return nil
    }
}
