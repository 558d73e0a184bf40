import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

@Suite("Daemon versions and eras")
struct DaemonEraTests {
    struct VersionCase: Sendable, CustomStringConvertible {
        var output: String
        var major: Int, minor: Int, patch: Int
        var text: String
        var description: String { output }
    }

    @Test(
        "reads the version from what the binary prints",
        arguments: [
            VersionCase(output: "Docker version 1.7.1, build 786b29d", major: 1, minor: 7, patch: 1, text: "1.7.1"),
            VersionCase(output: "Docker version 1.8.3, build f4bf5c7\n", major: 1, minor: 8, patch: 3, text: "1.8.3"),
            VersionCase(
                output: "Docker version 17.03.2-ce, build f5ec1e2", major: 17, minor: 3, patch: 2, text: "17.03.2-ce"),
            VersionCase(
                output: "Docker version 20.10.24+dfsg1, build 297e128", major: 20, minor: 10, patch: 24,
                text: "20.10.24+dfsg1"),
            VersionCase(
                output: "Docker version 26.1.5+dfsg1, build a72d7cd", major: 26, minor: 1, patch: 5,
                text: "26.1.5+dfsg1"),
            VersionCase(output: "Docker version 1.12, build x", major: 1, minor: 12, patch: 0, text: "1.12"),
        ])
    func parsesVersionOutput(_ row: VersionCase) throws {
        let version = try #require(DaemonVersion(versionOutput: row.output))
        #expect(version.major == row.major)
        #expect(version.minor == row.minor)
        #expect(version.patch == row.patch)
        #expect(version.text == row.text)
    }

    @Test(
        "refuses output that names no version",
        arguments: [
            "", "Usage: docker [OPTIONS] COMMAND", "Docker version", "Docker version beta, build 1", "version 1",
        ])
    func rejectsNonVersions(_ output: String) {
        #expect(DaemonVersion(versionOutput: output) == nil)
    }

    @Test("orders by numbers, ignoring suffixes")
    func ordering() throws {
        let v = { (text: String) in DaemonVersion(versionText: text)! }
        #expect(v("1.7.1") < v("1.8.0"))
        #expect(v("1.9.1") < v("1.12.6"))
        #expect(v("1.12.6") < v("17.03.2-ce"))
        #expect(v("17.03.2-ce") < v("17.05.0-ce"))
        #expect(v("20.10.5+dfsg1") < v("20.10.24+dfsg1"))
        #expect(v("20.10.24+dfsg1") == v("20.10.24"))
    }

    struct EraCase: Sendable, CustomStringConvertible {
        var version: String
        var era: DaemonEra
        /// argv[1...] must start with these.
        var daemonPrefix: [String]
        var dataFlag: String
        var execRoot: Bool
        var ip6tables: Bool
        var description: String { version }
    }

    static let eras: [EraCase] = [
        EraCase(
            version: "1.7.1", era: .dockerDashD, daemonPrefix: ["-d"], dataFlag: "--graph", execRoot: true,
            ip6tables: false),
        EraCase(
            version: "1.8.3", era: .dockerDaemon, daemonPrefix: ["daemon"], dataFlag: "--graph", execRoot: true,
            ip6tables: false),
        EraCase(
            version: "1.9.1", era: .dockerDaemon, daemonPrefix: ["daemon"], dataFlag: "--graph", execRoot: true,
            ip6tables: false),
        EraCase(
            version: "1.12.6", era: .dockerd, daemonPrefix: [], dataFlag: "--graph", execRoot: true, ip6tables: false),
        EraCase(
            version: "17.03.2-ce", era: .dockerd, daemonPrefix: [], dataFlag: "--graph", execRoot: true,
            ip6tables: false),
        EraCase(
            version: "20.10.5+dfsg1", era: .dockerd, daemonPrefix: [], dataFlag: "--data-root", execRoot: true,
            ip6tables: true),
        EraCase(
            version: "20.10.24+dfsg1", era: .dockerd, daemonPrefix: [], dataFlag: "--data-root", execRoot: true,
            ip6tables: true),
        EraCase(
            version: "26.1.5+dfsg1", era: .dockerd, daemonPrefix: [], dataFlag: "--data-root", execRoot: true,
            ip6tables: true),
        // Before 1.7 there was no --exec-root at all.
        EraCase(
            version: "1.6.2", era: .dockerDashD, daemonPrefix: ["-d"], dataFlag: "--graph", execRoot: false,
            ip6tables: false),
    ]

    static let settings = DaemonSettings(
        socket: "/e/docker.sock", dataRoot: "/e/data", execRoot: "/e/exec", pidFile: "/e/docker.pid")

    @Test("builds the command line of each era", arguments: eras)
    func commandLineByEra(_ row: EraCase) throws {
        let binary = DaemonBinary(path: "/opt/bin/daemon", version: DaemonVersion(versionText: row.version)!)
        #expect(binary.era == row.era)
        let argv = try DaemonCommandLine.arguments(for: binary, settings: Self.settings)

        #expect(argv.first == "/opt/bin/daemon")
        #expect(Array(argv.dropFirst().prefix(row.daemonPrefix.count)) == row.daemonPrefix)
        #expect(value(after: "-H", in: argv) == "unix:///e/docker.sock")
        #expect(value(after: row.dataFlag, in: argv) == "/e/data")
        #expect(!argv.contains(row.dataFlag == "--graph" ? "--data-root" : "--graph"))
        #expect(value(after: "--pidfile", in: argv) == "/e/docker.pid")
        #expect(argv.contains("--exec-root") == row.execRoot)
        if row.execRoot { #expect(value(after: "--exec-root", in: argv) == "/e/exec") }
        #expect(argv.contains("--ip6tables=false") == row.ip6tables)
        for flag in DaemonCommandLine.networkingOff {
            #expect(argv.contains(flag), "\(flag) missing for \(row.version)")
        }
        // Nothing optional sneaks in unasked.
        #expect(!argv.contains("--debug"))
        #expect(!argv.contains("--log-format"))
        #expect(!argv.contains("--storage-driver"))
        #expect(!argv.contains("--exec-opt"))
        #expect(!argv.contains("--cgroup-parent"))
        #expect(!argv.contains("-d") || row.era == .dockerDashD)
        #expect(!argv.contains("daemon") || row.era == .dockerDaemon)
    }

    @Test("passes optional settings through, after the fixed ones, with extra arguments last")
    func optionalSettings() throws {
        var settings = Self.settings
        settings.debug = true
        settings.logFormat = "json"
        settings.storageDriver = "vfs"
        settings.cgroupDriver = "cgroupfs"
        settings.cgroupParent = "/dindlab"
        settings.extraArguments = ["--userland-proxy=false", "--label", "x=y"]
        let binary = DaemonBinary(path: "/usr/sbin/dockerd", version: DaemonVersion(26, 1, 5))
        let argv = try DaemonCommandLine.arguments(for: binary, settings: settings)

        #expect(argv.contains("--debug"))
        #expect(value(after: "--log-format", in: argv) == "json")
        #expect(value(after: "--storage-driver", in: argv) == "vfs")
        #expect(value(after: "--exec-opt", in: argv) == "native.cgroupdriver=cgroupfs")
        #expect(value(after: "--cgroup-parent", in: argv) == "/dindlab")
        #expect(Array(argv.suffix(3)) == ["--userland-proxy=false", "--label", "x=y"])
    }

    struct UnsupportedCase: Sendable, CustomStringConvertible {
        var version: String
        var change: @Sendable (inout DaemonSettings) -> Void
        var flag: String
        var description: String { "\(flag) on \(version)" }
    }

    @Test(
        "refuses options the version does not have, naming the option and version",
        arguments: [
            UnsupportedCase(version: "20.10.24", change: { $0.logFormat = "json" }, flag: "--log-format"),
            UnsupportedCase(version: "1.9.1", change: { $0.cgroupParent = "/x" }, flag: "--cgroup-parent"),
            UnsupportedCase(version: "1.6.2", change: { $0.cgroupDriver = "cgroupfs" }, flag: "--exec-opt"),
        ])
    func unsupportedOptions(_ row: UnsupportedCase) {
        var settings = Self.settings
        row.change(&settings)
        let binary = DaemonBinary(path: "/opt/docker", version: DaemonVersion(versionText: row.version)!)
        let error = #expect(throws: PrivateEngineError.self) {
            try DaemonCommandLine.arguments(for: binary, settings: settings)
        }
        #expect(error?.code == .optionUnsupported)
        #expect(error?.description.contains(row.flag) == true)
        #expect(error?.description.contains(row.version) == true)
    }

    @Test("the option table agrees with the versions the option first appeared in")
    func optionTable() {
        #expect(!DaemonVersion(1, 6, 2).supports(.execRoot))
        #expect(DaemonVersion(1, 7, 0).supports(.execRoot))
        #expect(!DaemonVersion(17, 3, 2).supports(.dataRoot))
        #expect(DaemonVersion(17, 5, 0).supports(.dataRoot))
        #expect(!DaemonVersion(19, 3, 15).supports(.ip6tables))
        #expect(DaemonVersion(20, 10, 0).supports(.ip6tables))
        #expect(!DaemonVersion(24, 0, 9).supports(.logFormat))
        #expect(DaemonVersion(25, 0, 0).supports(.logFormat))
    }

    private func value(after flag: String, in argv: [String]) -> String? {
        guard let index = argv.firstIndex(of: flag), index + 1 < argv.count else { return nil }
        return argv[index + 1]
    }
}
