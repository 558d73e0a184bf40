import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

/// `dindlab engine ...`: private engines. Each subcommand is a nested type; a new one is a new
/// file with `extension EngineCommand { struct Ping: AsyncParsableCommand { ... } }` plus its
/// name in `subcommands` below.
struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Start, stop and inspect private Docker engines of any era.",
        discussion: """
            A private engine is a Docker daemon dindlab starts with its own socket, data root, exec \
            root and log in one directory, in its own mount and network namespaces, with bridge \
            networking, iptables, IP forwarding and masquerading off. Engines have names and run \
            side by side under $XDG_STATE_HOME/dindlab/engines/NAME (~/.local/state/... by default); \
            `up --name NAME --dir DIR` puts one elsewhere and records NAME there as a symlink to DIR, \
            so --name NAME and --engine NAME find it.
            """,
        subcommands: [Up.self, Down.self, Status.self, List.self, Env.self, Ping.self, Info.self]
    )
}

/// Which engine a subcommand acts on.
struct EngineNameOptions: ParsableArguments {
    @Option(help: "The engine's name.")
    var name: String = PrivateEngine.defaultName

    @Option(help: ArgumentHelp("The engine's directory, instead of the named engine's folder.", valueName: "dir"))
    var dir: String?
}

extension EngineCommand {
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a private engine and print the DOCKER_HOST line to use.",
            discussion: """
                Without --binary, the dockerd on PATH is started. --binary takes a Docker daemon binary \
                of any era: 1.7's `docker -d`, 1.8-1.11's `docker daemon`, or `dockerd` (for a `docker` \
                binary of 1.12 or later, the dockerd beside it). Use it as: eval "$(dindlab engine up)". \
                When the engine already runs in that directory, no second daemon is started: the running \
                one is reused (its DOCKER_HOST line is printed and the status is 0), unless it is another \
                engine's name or binary, which is an error.
                """
        )

        @OptionGroup var engine: EngineNameOptions

        @Option(help: ArgumentHelp("A Docker daemon binary of any era (default: dockerd on PATH).", valueName: "path"))
        var binary: String?

        @Option(
            name: .customLong("cgroup"),
            help: ArgumentHelp(
                "Start the daemon in this cgroup, CONTROLLER:PATH (e.g. cpuset:/docker-daemon); repeatable.",
                valueName: "controller:path"))
        var cgroups: [String] = []

        @Option(
            help: ArgumentHelp(
                "The cgroup version the daemon sees, 1 or 2 (default: the host's). 2 on a v1 or hybrid host is simulated in the engine's own namespaces; 1 on a v2 host is refused.",
                valueName: "version"), transform: CgroupVersion.option)
        var cgroupVersion: CgroupVersion?

        @Option(help: ArgumentHelp("The daemon's storage driver (--storage-driver).", valueName: "driver"))
        var storageDriver: String?

        @Option(
            help: ArgumentHelp("The daemon's cgroup driver (--exec-opt native.cgroupdriver=...).", valueName: "driver"))
        var cgroupDriver: String?

        @Option(
            help: ArgumentHelp(
                "The containers' default parent cgroup (--cgroup-parent, Docker 1.10+).", valueName: "cgroup"))
        var cgroupParent: String?

        @Flag(help: "Start the daemon with --debug.")
        var debug = false

        @Option(
            help: ArgumentHelp(
                "The daemon's own log format, text or json (--log-format, Docker 25+).", valueName: "format"))
        var logFormat: String?

        @Option(help: ArgumentHelp("Seconds to wait for the daemon to answer.", valueName: "seconds"))
        var readyTimeout: Int = 60

        @Argument(parsing: .postTerminator, help: "Extra daemon arguments, after `--`.")
        var daemonArguments: [String] = []

        func validate() throws {
            guard readyTimeout > 0 else {
                throw ValidationError("--ready-timeout must be a positive number of seconds.")
            }
        }

        func run() async throws {
            let options = PrivateEngine.Options(
                debug: debug, logFormat: logFormat, storageDriver: storageDriver, cgroupDriver: cgroupDriver,
                cgroupParent: cgroupParent, cgroups: try cgroups.map(CgroupPlacement.init(parsing:)),
                cgroupVersion: cgroupVersion, extraArguments: daemonArguments, readyTimeout: .seconds(readyTimeout))
            let (record, reused) = try await PrivateEngine().upOrReuse(
                name: engine.name, dir: engine.dir, binary: binary, options: options, registerName: true)
            let cgroups = record.simulatedCgroupV2 == true ? ", cgroup v2 simulated on this v1 host" : ""
            if reused {
                printError(
                    "The private engine \(record.name) already runs in \(record.directory): Docker \(record.version) (\(record.era))\(cgroups) with pid \(record.pid); reusing it, no second daemon was started."
                )
            } else {
                printError(
                    "Started the private engine \(record.name): Docker \(record.version) (\(record.era))\(cgroups) with pid \(record.pid); log \((record.directory as NSString).appendingPathComponent("daemon.log"))."
                )
            }
            print("export DOCKER_HOST=\(record.dockerHost)")
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a private engine and remove its processes, mounts and socket (the log stays).")

        @OptionGroup var engine: EngineNameOptions

        @Option(help: ArgumentHelp("Seconds the daemon may take to stop before it is killed.", valueName: "seconds"))
        var stopTimeout: Int = 20

        func run() async throws {
            let report = try await PrivateEngine().down(
                name: engine.name, dir: engine.dir, stopTimeout: .seconds(max(stopTimeout, 0)))
            var summary =
                report.daemonPID.map { "Stopped the private engine \(report.name) (pid \($0))" }
                ?? "The private engine \(report.name) was not running"
            if report.daemonKilled { summary += "; it ignored SIGTERM for \(stopTimeout) s and was killed" }
            if !report.strayPIDs.isEmpty {
                summary +=
                    "; also stopped \(report.strayPIDs.count) leftover process(es): \(report.strayPIDs.map(String.init).joined(separator: ", "))"
            }
            if !report.unmounted.isEmpty { summary += "; unmounted \(report.unmounted.joined(separator: ", "))" }
            printError(summary + ".")
            for problem in report.problems { printError("warning: " + problem) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show whether a private engine runs, its pid, version and API version.",
            discussion: "Exits with status 1 when the engine is not running (see README, exit status).")

        @OptionGroup var engine: EngineNameOptions

        func run() async throws {
            let status = try await PrivateEngine().status(name: engine.name, dir: engine.dir)
            guard let record = status.record else {
                print("The private engine \(status.name) was never started in \(status.layout.directory).")
                throw ExitCode(1)
            }
            let state =
                status.isRunning
                ? "running, pid \(record.pid), " + (status.isAnswering ? "answering" : "not answering")
                : "not running"
            let api =
                status.versions.map { versions in
                    "API \(versions.apiVersion)" + (versions.minAPIVersion.map { " (minimum \($0))" } ?? "")
                } ?? "API unknown (not answering)"
            print(
                """
                engine     \(status.name)
                state      \(state)
                daemon     Docker \(status.versions?.version ?? record.version.text) (\(record.era), \(record.binary)), \(api)
                socket     \(record.dockerHost)
                directory  \(status.layout.directory)
                started    \(record.startedAt.formatted(.iso8601))
                """)
            if let version = record.cgroupVersion {
                print(
                    "cgroups    v\(version)"
                        + (record.simulatedCgroupV2 == true
                            ? " (simulated on a v1 host, in the engine's namespaces only)" : ""))
            }
            if !status.isRunning { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the named private engines, wherever their directories are.",
            discussion: "The API column is what a running daemon answers (- when it does not run).")

        func run() async throws {
            let engines = await PrivateEngine().list()
            var rows = [["NAME", "VERSION", "API", "PID", "RUNNING", "DIRECTORY"]]
            for status in engines {
                let version: String = status.versions?.version ?? status.record?.version.text ?? "-"
                let api: String = status.versions.map { $0.apiVersion.description } ?? "-"
                let pid: String = status.pid.map { String($0) } ?? "-"
                let running: String = status.isRunning ? (status.isAnswering ? "yes" : "yes, not answering") : "no"
                rows.append([status.name, version, api, pid, running, status.layout.directory])
            }
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(
                    row.enumerated().map { index, cell in
                        index == row.count - 1
                            ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    }.joined(separator: "  "))
            }
        }
    }
}

extension EngineCommand {
    struct Env: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the DOCKER_HOST line of a running private engine.",
            discussion: """
                Use it as: eval "$(dindlab engine env --name v17)". Exits with status 3 when the \
                engine is not running.
                """)

        @OptionGroup var engine: EngineNameOptions

        func run() async throws {
            let engines = PrivateEngine()
            guard let record = try engines.running(name: engine.name, dir: engine.dir) else {
                let layout = try engines.layout(name: engine.name, dir: engine.dir)
                printError(
                    "The private engine \(engine.name) is not running in \(layout.directory); start it with `dindlab engine up \(engine.dir.map { "--dir \($0)" } ?? "--name \(engine.name)")`."
                )
                throw ExitCode(3)
            }
            print("export DOCKER_HOST=\(record.dockerHost)")
        }
    }
}

private func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
