import DockerEngine
import Foundation

/// Private Docker engines: daemons of any era that dindlab starts, isolated from the host,
/// each in a directory of its own (see `EngineLayout`), side by side under names.
///
///     let engines = PrivateEngine()
///     let record = try await engines.up(name: "v17", binary: "/opt/docker-1.7.1/docker")
///     // DOCKER_HOST=record.dockerHost
///     try await engines.down(name: "v17")
package struct PrivateEngine: Sendable {
    /// Options for `up` beyond which binary and where.
    package struct Options: Sendable {
        /// `--debug` for the daemon.
        package var debug: Bool
        /// The daemon's own log format (`--log-format`, 25.0+).
        package var logFormat: String?
        /// `--storage-driver`.
        package var storageDriver: String?
        /// `--exec-opt native.cgroupdriver=...` (cgroupfs, systemd).
        package var cgroupDriver: String?
        /// `--cgroup-parent` for containers (1.10+).
        package var cgroupParent: String?
        /// cgroups the daemon itself is started in.
        package var cgroups: [CgroupPlacement]
        /// The cgroup version the daemon should see; nil keeps the host's. v2 on a v1 or
        /// hybrid host is simulated in the engine's namespaces (see `CgroupVersionSetup`).
        package var cgroupVersion: CgroupVersion?
        /// Daemon arguments appended as given.
        package var extraArguments: [String]
        /// How long to wait for the daemon to answer.
        package var readyTimeout: Duration

        package init(
            debug: Bool = false, logFormat: String? = nil, storageDriver: String? = nil,
            cgroupDriver: String? = nil, cgroupParent: String? = nil, cgroups: [CgroupPlacement] = [],
            cgroupVersion: CgroupVersion? = nil, extraArguments: [String] = [], readyTimeout: Duration = .seconds(60)
        ) {
            self.debug = debug
            self.logFormat = logFormat
            self.storageDriver = storageDriver
            self.cgroupDriver = cgroupDriver
            self.cgroupParent = cgroupParent
            self.cgroups = cgroups
            self.cgroupVersion = cgroupVersion
            self.extraArguments = extraArguments
            self.readyTimeout = readyTimeout
        }
    }

    /// The name used when none is given.
    package static let defaultName = "default"

    /// Asks daemons whether they answer.
    package let probe: any EngineProbe
    /// The environment: PATH (to find dockerd and unshare), HOME and XDG_STATE_HOME (engines folder).
    package let environment: [String: String]

    /// - Parameters:
    ///   - probe: How to ask a daemon whether it answers (a stand-in in tests).
    ///   - environment: The environment to search binaries and the engines folder in.
    package init(
        probe: any EngineProbe = EngineClientProbe(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.probe = probe
        self.environment = environment
    }

    /// The directory layout of an engine: `dir` when given, else the named engine's folder;
    /// symlinks are resolved, since the kernel reports the engine's mounts under the real path.
    ///
    /// - Parameters:
    ///   - name: The engine name.
    ///   - dir: An explicit engine directory (absolute or relative to the current directory).
    /// - Returns: The layout.
    /// - Throws: `PrivateEngineError` (`.invalidName`).
    package func layout(name: String = defaultName, dir: String? = nil) throws -> EngineLayout {
        try EngineLayout.validateName(name)
        let directory: String
        if let dir {
            directory =
                dir.hasPrefix("/")
                ? dir : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(dir)
        } else {
            // A name registered for a directory elsewhere is a symlink (see `register`); it is
            // followed even when its target is gone, so `up --name` recreates the engine there.
            let named = try registryEntry(name)
            directory = Self.registeredDirectory(named) ?? named
        }
        return EngineLayout(directory: Self.resolvingSymlinks((directory as NSString).standardizingPath))
    }

    /// The path of `name` in the engines folder, as it is (`EngineLayout.named` standardizes
    /// it, which follows a symlink there).
    private func registryEntry(_ name: String) throws -> String {
        try EngineLayout.validateName(name)
        return (EngineLayout.enginesRoot(environment: environment) as NSString).appendingPathComponent(name)
    }

    /// The directory a registry entry (a symlink in the engines folder) points at, or nil
    /// when the entry is no symlink.
    static func registeredDirectory(_ entry: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: entry) else { return nil }
        return target.hasPrefix("/")
            ? target : ((entry as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
    }

    // MARK: names of engines elsewhere

    /// Makes `name` find the engine in `layout` wherever it lies: when the directory is not the
    /// name's own folder in the engines folder (`--dir` elsewhere), that folder's entry becomes
    /// a symlink to it. `engine list`, `--name` and `--engine NAME` then find it.
    ///
    /// - Parameter link: false only checks that the name can be recorded.
    /// - Throws: `PrivateEngineError`: `.alreadyRunning` when the name designates another
    ///   engine that runs, `.nameTaken` when it is the folder of an engine that does not run.
    func register(name: String, layout: EngineLayout, link: Bool = true) throws {
        let entry = try registryEntry(name)
        let manager = FileManager.default
        if let target = Self.registeredDirectory(entry) {
            let current = EngineLayout(directory: Self.resolvingSymlinks(target))
            if current == layout { return }
            if let record = try? EngineRecord.read(from: current.recordFile),
                ProcessTable.isRunning(record.pid, startTicks: record.processStartTicks)
            {
                throw PrivateEngineError(
                    .alreadyRunning,
                    "The name \(name) belongs to the engine that runs in \(current.directory) (pid \(record.pid), Docker \(record.version)).",
                    remedy: .stopFirst(.name(name), processes: false, otherwise: .anotherName))
            }
            guard link else { return }
            try? manager.removeItem(atPath: entry)
        } else if manager.fileExists(atPath: entry) {
            if Self.resolvingSymlinks(entry) == layout.directory { return }
            let own = EngineLayout(directory: entry)
            if let record = try? EngineRecord.read(from: own.recordFile),
                ProcessTable.isRunning(record.pid, startTicks: record.processStartTicks)
            {
                throw PrivateEngineError(
                    .alreadyRunning,
                    "The name \(name) belongs to the engine that runs in \(entry) (pid \(record.pid), Docker \(record.version)).",
                    remedy: .stopFirst(.name(name), processes: false, otherwise: .anotherName))
            }
            let isEmpty = (try? manager.contentsOfDirectory(atPath: entry))?.isEmpty ?? false
            guard isEmpty else {
                throw PrivateEngineError(
                    .nameTaken,
                    "The name \(name) belongs to the engine folder \(entry), which is not empty.",
                    remedy: .anotherNameOrRemoveFolder)
            }
            guard link else { return }
            rmdir(entry)
        }
        guard link else { return }
        do {
            try manager.createDirectory(
                atPath: (entry as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try manager.createSymbolicLink(atPath: entry, withDestinationPath: layout.directory)
        } catch {
            throw PrivateEngineError(
                .directoryNotUsable,
                "Could not record the name \(name) for the engine in \(layout.directory) as the symlink \(entry): \(error.localizedDescription)."
            )
        }
    }

    /// The record of the daemon that runs in the engine directory `name`/`dir` designate.
    ///
    /// - Returns: nil when no daemon recorded there runs.
    /// - Throws: `PrivateEngineError` (`.invalidName`, `.stateUnreadable`).
    package func running(name: String = defaultName, dir: String? = nil) throws -> EngineRecord? {
        let layout = try layout(name: name, dir: dir)
        guard let record = try EngineRecord.read(from: layout.recordFile),
            ProcessTable.isRunning(record.pid, startTicks: record.processStartTicks)
        else { return nil }
        return record
    }

    /// `up`, or the engine that already runs there: a directory whose daemon is alive never
    /// gets a second one.
    ///
    /// The running engine is reused when it is the one asked for: same directory, and the
    /// same name (or no name given, i.e. "default") and, when `binary` is given, the same
    /// binary. Otherwise this throws `.alreadyRunning`, saying which engine runs there.
    ///
    /// - Returns: The record, and whether it was already running.
    package func upOrReuse(
        name: String = defaultName, dir: String? = nil, binary: String? = nil, options: Options = Options(),
        registerName: Bool = false
    ) async throws -> (record: EngineRecord, reused: Bool) {
        guard let record = try running(name: name, dir: dir) else {
            return (
                try await up(name: name, dir: dir, binary: binary, options: options, registerName: registerName), false
            )
        }
        let layout = try layout(name: name, dir: dir)
        let designation = designation(name: record.name, layout: layout)
        guard name == Self.defaultName || name == record.name else {
            throw PrivateEngineError(
                .alreadyRunning,
                "The engine directory \(layout.directory) already runs the private engine \(record.name) (pid \(record.pid), Docker \(record.version)), not \(name).",
                remedy: .stopFirst(designation, processes: false, otherwise: .anotherDirectory))
        }
        if let binary {
            let asked = try DaemonBinary.inspect(binary, environment: environment)
            guard Self.resolvingSymlinks(asked.path) == Self.resolvingSymlinks(record.binary) else {
                throw PrivateEngineError(
                    .alreadyRunning,
                    "The private engine \(record.name) already runs in \(layout.directory) with pid \(record.pid), from \(record.binary) (Docker \(record.version)), not from \(asked.path) (Docker \(asked.version)).",
                    remedy: .stopFirst(designation, processes: false, otherwise: nil))
            }
        }
        if registerName, dir != nil, name != Self.defaultName { try register(name: name, layout: layout) }
        return (record, true)
    }

    // MARK: up

    /// Starts a private engine and waits until it answers.
    ///
    /// The daemon gets its own socket, data root, exec root, pid file and log under the engine
    /// directory, runs in its own mount and network namespaces (see `NamespaceLauncher`) with
    /// bridge networking, iptables, IP forwarding and masquerading off, in a session of its own
    /// so it outlives dindlab. DIR/engine.json records what was started.
    ///
    /// - Parameters:
    ///   - name: The engine's name (default "default").
    ///   - dir: The engine directory; default `EngineLayout.enginesRoot/NAME`.
    ///   - binary: A daemon binary of any era; default the dockerd on PATH.
    ///   - options: Daemon options, cgroups and the readiness deadline.
    /// - Returns: The record of the running engine.
    /// - Throws: `PrivateEngineError`: `.daemonNotFound` (no dockerd; says how to install it),
    ///   `.alreadyRunning` (with its pid), `.daemonExitedEarly` and `.daemonNotAnswering` (with
    ///   the daemon's last log lines), and the binary, directory and option errors.
    @discardableResult
    ///   - registerName: With `dir`, record `name` in the engines folder as a symlink to it, so
    ///     the name finds the engine (`engine up --name N --dir D` does).
    package func up(
        name: String = defaultName, dir: String? = nil, binary: String? = nil, options: Options = Options(),
        registerName: Bool = false
    ) async throws -> EngineRecord {
        let layout = try layout(name: name, dir: dir)
        let registers = registerName && dir != nil && name != Self.defaultName
        if registers { try register(name: name, layout: layout, link: false) }
        try await refuseIfRunning(name: name, layout: layout)
        if registers { try register(name: name, layout: layout) }

        let daemon =
            try binary.map { try DaemonBinary.inspect($0, environment: environment) }
            ?? DaemonBinary.defaultDaemon(environment: environment)
        guard let unshare = ExecutableSearch.resolve("unshare", environment: environment) else {
            throw PrivateEngineError(
                .toolMissing,
                "util-linux unshare was not found on PATH; the private engine needs it to give the daemon its own mount and network namespaces (apt-get install util-linux)."
            )
        }
        guard ExecutableSearch.isExecutable("/bin/sh") else {
            throw PrivateEngineError(
                .toolMissing, "/bin/sh is missing; the private engine's launcher is a shell script.")
        }

        let facts = HostFacts.current()
        let shadows = NamespaceLauncher.shadows(for: facts)
        try layout.validateSocketPaths()
        try NamespaceLauncher.checkDirectory(layout, against: shadows)

        let settings = DaemonSettings(
            socket: layout.socket, dataRoot: layout.dataRoot, execRoot: layout.execRoot, pidFile: layout.pidFile,
            debug: options.debug, logFormat: options.logFormat, storageDriver: options.storageDriver,
            cgroupDriver: options.cgroupDriver, cgroupParent: options.cgroupParent,
            extraArguments: options.extraArguments)
        let argv = try DaemonCommandLine.arguments(for: daemon, settings: settings)

        try createDirectories(layout)
        // Leftovers of an engine that died: a daemon of the 1.x era refuses to start over its old pid file.
        for stale in [layout.socket, layout.pidFile] { try? FileManager.default.removeItem(atPath: stale) }

        let cgroupVersion = try CgroupVersionSetup.plan(
            requested: options.cgroupVersion, daemon: daemon.version, mounts: facts.mounts, placements: options.cgroups,
            rootPath: CgroupVersionSetup.defaultRootPath(name: name, directory: layout.directory))
        // The namespace root of a simulated v2 engine is joined last, so the cgroup namespace is rooted there.
        let ordered = options.cgroups.filter { !$0.isUnified } + options.cgroups.filter(\.isUnified)
        let cgroups = try CgroupSetup.prepare(cgroupVersion.placements(adding: ordered))
        let script = NamespaceLauncher.script(
            name: name, layout: layout, unshare: unshare, cgroupProcsFiles: cgroups.map(\.procsFile), shadows: shadows,
            simulatedCgroupV2: cgroupVersion.isSimulated)
        let logStart: UInt64
        let pid: pid_t
        do {
            try writeLauncher(script, to: layout.launchScript)
            logStart = try appendLogHeader(name: name, argv: argv, to: layout.logFile)
            pid = try DetachedSpawn.start(
                arguments: ["/bin/sh", layout.launchScript] + argv,
                environment: Self.daemonEnvironment(for: daemon, from: environment),
                logFile: layout.logFile)
        } catch {
            CgroupSetup.remove(cgroups)
            throw error
        }

        // Written before the wait, so `down` finds the daemon even if this `up` is interrupted.
        let record = EngineRecord(
            name: name, directory: layout.directory, binary: daemon.path, version: daemon.version, era: daemon.era,
            pid: pid, processStartTicks: ProcessTable.stat(pid)?.startTicks ?? 0, socket: layout.socket,
            startedAt: Date(), argv: argv, cgroups: options.cgroups,
            createdCgroupDirectories: cgroups.flatMap(\.created), cgroupVersion: cgroupVersion.version,
            simulatedCgroupV2: cgroupVersion.isSimulated)
        do {
            try record.write(to: layout.recordFile)
            try await waitUntilAnswering(record, layout: layout, logStart: logStart, timeout: options.readyTimeout)
        } catch {
            _ = try? await stop(record: record, layout: layout, stopTimeout: .seconds(5))
            throw error
        }
        return record
    }

    private func refuseIfRunning(name: String, layout: EngineLayout) async throws {
        if let record = try? EngineRecord.read(from: layout.recordFile),
            ProcessTable.isRunning(record.pid, startTicks: record.processStartTicks)
        {
            throw PrivateEngineError(
                .alreadyRunning,
                "The private engine \(record.name) already runs in \(layout.directory) with pid \(record.pid) (Docker \(record.version), DOCKER_HOST=\(record.dockerHost)).",
                remedy: .stopFirst(designation(name: name, layout: layout), processes: false, otherwise: nil))
        }
        // The daemon's own pid file: a daemon of this directory that some other tool started
        // (or whose engine.json was lost) still runs on its data root.
        if let text = try? String(contentsOfFile: layout.pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, ProcessTable.isRunning(pid),
            let commandLine = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
            commandLine.contains(layout.pidFile) || commandLine.contains(layout.dataRoot)
        {
            throw PrivateEngineError(
                .alreadyRunning,
                "A daemon with pid \(pid) still runs on \(layout.dataRoot) (its pid file is \(layout.pidFile)).",
                remedy: .stopFirst(designation(name: name, layout: layout), processes: false, otherwise: nil))
        }
        let leftovers = ProcessTable.processes(markedBy: layout.namespaceScratch)
        if !leftovers.isEmpty {
            throw PrivateEngineError(
                .alreadyRunning,
                "Processes of an earlier engine in \(layout.directory) still run (pids \(leftovers.map(String.init).joined(separator: ", "))).",
                remedy: .stopFirst(designation(name: name, layout: layout), processes: true, otherwise: nil))
        }
        if await probe.isAnswering(socket: layout.socket) {
            throw PrivateEngineError(
                .alreadyRunning,
                "A daemon dindlab did not start already answers on \(layout.socket).",
                remedy: .stopDaemonOrAnotherDirectory)
        }
    }

    /// The engine by its name when `layout` is the named engine's folder, else by its directory.
    private func designation(name: String, layout: EngineLayout) -> PrivateEngineError.EngineDesignation {
        (try? self.layout(name: name)) == layout ? .name(name) : .directory(layout.directory)
    }

    private func createDirectories(_ layout: EngineLayout) throws {
        let directories = [
            (layout.directory, 0o711), (layout.dataRoot, 0o700), (layout.execRoot, 0o700),
            (layout.namespaceScratch, 0o700),
        ]
        for (directory, permissions) in directories {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: permissions])
            } catch {
                throw PrivateEngineError(
                    .directoryNotUsable, "Could not create \(directory): \(error.localizedDescription).")
            }
        }
    }

    /// `path` with the symlinks of its existing part resolved; the part that does not exist yet
    /// is appended as it is.
    static func resolvingSymlinks(_ path: String) -> String {
        var existing = path
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing), existing != "/" {
            missing.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard let real = realpath(existing, nil) else { return path }
        defer { free(real) }
        return missing.reduce(String(cString: real)) { ($0 as NSString).appendingPathComponent($1) }
    }

    private func writeLauncher(_ script: String, to path: String) throws {
        do {
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        } catch {
            throw PrivateEngineError(
                .launchFailed, "Could not write the engine launcher \(path): \(error.localizedDescription).")
        }
    }

    /// Appends a line that separates this start from earlier ones in the log.
    ///
    /// - Returns: The log's size before the line: the excerpt of an early exit starts there.
    private func appendLogHeader(name: String, argv: [String], to path: String) throws -> UInt64 {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            _ = manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw PrivateEngineError(.launchFailed, "Could not open the daemon log \(path) for writing.")
        }
        defer { try? handle.close() }
        let start = (try? handle.seekToEnd()) ?? 0
        let header =
            "=== private engine \(name) started at \(Date().formatted(.iso8601)): \(argv.joined(separator: " "))\n"
        try? handle.write(contentsOf: Data(header.utf8))
        return start
    }

    /// Client and service-manager variables the daemon must not inherit: dockerd and `docker -d`
    /// turn TLS on when DOCKER_TLS_VERIFY is set and look for certificates in DOCKER_CERT_PATH;
    /// NOTIFY_SOCKET and LISTEN_FDS would make it talk to the systemd unit dindlab runs in.
    /// (The client's own variables come from `EngineConfiguration`, the one place that reads them.)
    static let scrubbedEnvironment = Set(EngineConfiguration.environmentVariables).union([
        "DOCKER_TLS", "DOCKER_CONTEXT", "DOCKER_CONFIG", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
    ])

    /// The daemon's environment: ours without `scrubbedEnvironment`, with the binary's own
    /// directory first on PATH, because old releases find their helpers (docker-containerd,
    /// docker-runc, docker-proxy) beside them.
    static func daemonEnvironment(for daemon: DaemonBinary, from environment: [String: String]) -> [String: String] {
        var result = environment.filter { !scrubbedEnvironment.contains($0.key) }
        let binaryDirectory = (daemon.path as NSString).deletingLastPathComponent
        result["PATH"] = ([binaryDirectory] + ExecutableSearch.directories(environment: environment)).joined(
            separator: ":")
        return result
    }

    private func waitUntilAnswering(_ record: EngineRecord, layout: EngineLayout, logStart: UInt64, timeout: Duration)
        async throws
    {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause = Duration.milliseconds(50)
        let described = "The daemon (Docker \(record.version), \(record.era) from \(record.binary), pid \(record.pid))"
        while true {
            // Look without reaping first: a daemon that just died is a zombie until waited for,
            // and waiting for it is what yields its exit status.
            let alive =
                ProcessTable.stat(record.pid).map { $0.state != "Z" && $0.startTicks == record.processStartTicks }
                ?? false
            if !alive {
                let how = await ProcessTable.exitStatus(ofChild: record.pid).map(Self.describeWaitStatus) ?? "exited"
                throw PrivateEngineError(
                    .daemonExitedEarly,
                    "\(described) \(how) before it answered on \(record.socket). "
                        + PrivateEngineError.logExcerpt(
                            Self.logTail(layout.logFile, from: logStart), path: layout.logFile))
            }
            if await probe.isAnswering(socket: record.socket) { return }
            let now = clock.now
            if now >= deadline {
                throw PrivateEngineError(
                    .daemonNotAnswering,
                    "\(described) did not answer on \(record.socket) within \(timeout); it was stopped. "
                        + PrivateEngineError.logExcerpt(
                            Self.logTail(layout.logFile, from: logStart), path: layout.logFile))
            }
            try await Task.sleep(for: min(pause, deadline - now))
            pause = min(pause * 2, .seconds(1))
        }
    }

    static func describeWaitStatus(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exited with status \((status >> 8) & 0xff)" : "was killed by signal \(signal)"
    }

    /// The last lines of the log written since `offset` (this start's part).
    static func logTail(_ path: String, from offset: UInt64 = 0, lines count: Int = 20) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { String($0.prefix(400)) }
        return Array(lines.suffix(count))
    }

    // MARK: down

    /// Stops a private engine and removes what it left behind: SIGTERM, up to `stopTimeout` for
    /// the daemon to stop its containers, SIGKILL; then every remaining process of its namespace
    /// (containerd, shims, containers); then mounts under its directory, its socket, pid file and
    /// the cgroups dindlab created. The log, engine.json and the data root stay.
    ///
    /// - Parameters:
    ///   - name: The engine's name.
    ///   - dir: The engine directory, when it is not the named engine's folder.
    ///   - stopTimeout: How long the daemon may take to stop after SIGTERM.
    /// - Returns: What was stopped and cleaned.
    /// - Throws: `PrivateEngineError`: `.engineNotFound` when the directory does not exist,
    ///   `.processesLeft` when processes survive SIGKILL.
    @discardableResult
    package func down(name: String = defaultName, dir: String? = nil, stopTimeout: Duration = .seconds(20)) async throws
        -> DownReport
    {
        let layout = try layout(name: name, dir: dir)
        guard FileManager.default.fileExists(atPath: layout.directory) else {
            throw PrivateEngineError(
                .engineNotFound, "There is no private engine \(name): its directory \(layout.directory) does not exist."
            )
        }
        let record = try? EngineRecord.read(from: layout.recordFile)
        return try await stop(record: record, layout: layout, stopTimeout: stopTimeout, name: name)
    }

    private func stop(record: EngineRecord?, layout: EngineLayout, stopTimeout: Duration, name: String? = nil)
        async throws -> DownReport
    {
        var report = DownReport(name: name ?? record?.name ?? Self.defaultName, layout: layout)

        if let record, ProcessTable.isRunning(record.pid, startTicks: record.processStartTicks) {
            report.daemonPID = record.pid
            let ticks = [record.pid: record.processStartTicks]
            kill(record.pid, SIGTERM)
            if !(await ProcessTable.waitForExit([record.pid], startTicks: ticks, timeout: stopTimeout)).isEmpty {
                kill(record.pid, SIGKILL)
                report.daemonKilled = true
                _ = await ProcessTable.waitForExit([record.pid], startTicks: ticks, timeout: .seconds(5))
            }
        }

        // Whatever of the engine outlived the daemon: its containerd, shims, containers.
        let strays = ProcessTable.processes(markedBy: layout.namespaceScratch)
        if !strays.isEmpty {
            report.strayPIDs = strays
            ProcessTable.signal(strays, SIGTERM)
            let stubborn = await ProcessTable.waitForExit(strays, timeout: .seconds(5))
            ProcessTable.signal(stubborn, SIGKILL)
            _ = await ProcessTable.waitForExit(stubborn, timeout: .seconds(5))
        }
        let survivors = ProcessTable.processes(markedBy: layout.namespaceScratch)

        // Mounts under DIR in dindlab's own namespace can only come from outside the engine's
        // namespace (e.g. an engine started by an older tool); unmount them anyway.
        for _ in 0..<5 {
            let points = MountTable.mountPoints(within: layout.directory, in: MountTable.read())
            if points.isEmpty { break }
            for point in points {
                if let problem = MountTable.unmount(point) {
                    report.problems.append(problem + ".")
                } else {
                    report.unmounted.append(point)
                }
            }
        }

        for file in [layout.socket, layout.pidFile] where FileManager.default.fileExists(atPath: file) {
            do { try FileManager.default.removeItem(atPath: file) } catch {
                report.problems.append("Could not remove \(file): \(error.localizedDescription).")
            }
        }
        rmdir(layout.namespaceScratch)
        if let record {
            report.problems += CgroupSetup.removeDirectories(record.createdCgroupDirectories)
        }

        if !survivors.isEmpty {
            throw PrivateEngineError(
                .processesLeft,
                "Processes of the private engine in \(layout.directory) survived SIGKILL: pids \(survivors.map(String.init).joined(separator: ", ")) (likely stuck in the kernel, state D); check them with `ps -o pid,stat,cmd -p \(survivors.map(String.init).joined(separator: ","))`."
            )
        }
        return report
    }

    // MARK: status and list

    /// Whether an engine runs and answers, with its versions.
    ///
    /// - Parameters:
    ///   - name: The engine's name.
    ///   - dir: The engine directory, when it is not the named engine's folder.
    /// - Returns: The status; `record` is nil when no engine was ever started there.
    /// - Throws: `PrivateEngineError` (`.invalidName`, `.stateUnreadable`).
    package func status(name: String = defaultName, dir: String? = nil) async throws -> EngineStatus {
        let layout = try layout(name: name, dir: dir)
        let record = try EngineRecord.read(from: layout.recordFile)
        let running = record.map { ProcessTable.isRunning($0.pid, startTicks: $0.processStartTicks) } ?? false
        var versions: EngineVersion?
        var answering = false
        if running {
            versions = await probe.versions(socket: layout.socket)
            answering = versions != nil ? true : await probe.isAnswering(socket: layout.socket)
        }
        return EngineStatus(
            name: record?.name ?? name, layout: layout, record: record, isRunning: running,
            isAnswering: answering, versions: versions)
    }

    /// Every named engine that was ever started, by name: those in the engines folder and
    /// those registered there from directories elsewhere (`up --name N --dir D`).
    package func list() async -> [EngineStatus] {
        let root = EngineLayout.enginesRoot(environment: environment)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        var result: [EngineStatus] = []
        for name in names {
            // By the name it is listed under: an engine directory elsewhere may have been
            // started under another name before.
            guard var status = try? await status(name: name), status.record != nil else { continue }
            status.name = name
            result.append(status)
        }
        return result
    }
}
