import DindLabCore
import DindLabEngines
import DockerEngine
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The inner image, ready in a fresh inner daemon without an import per trial.
///
/// A fresh inner daemon (`isolation: trial`) has no images, so every trial used to import the
/// inner image (`POST /images/create?fromSrc=-`, 70 to 90 ms of the inner daemon's work on
/// this project's machine). The first trial of a cell still imports it; right after, dindlab
/// copies what the import wrote (the image store `image/<driver>` and the layers `<driver>/`
/// of the inner daemon's data root) from the engine's host into a seed, one tar file per
/// cell and engine for the run. Each later trial of that cell puts the seed into its own
/// fresh data root before its inner daemon starts, so the daemon starts with the image
/// already in its store, as after the import, and nothing else differs: the same command,
/// the same data root, the same storage driver. The trial still asks the daemon whether it
/// has the image (`GET /images/REF/json`) and imports it when it does not.
///
/// Only where it is safe: the host route (`OuterRoot`), a modern `dockerd` whose data root is a
/// fresh tmpfs (API 1.22 and later), `isolation: trial`. `DINDLAB_INNER_IMAGE=import` turns it
/// off. Seeds live in a temporary folder removed when the run ends; nothing is reused across
/// runs, so a rebuilt outer image or a restarted engine never meets a stale seed.
final class InnerImageSeeds: Sendable {
    /// One captured data root.
    struct Seed: Sendable, Equatable {
        /// The tar file on this machine.
        let file: String
        /// The data root it was taken from (`DockerRootDir`), where it goes back.
        let dataRoot: String
        /// The storage driver that wrote it.
        let driver: String
    }

    /// Set to `import` to import the inner image in every trial, as before seeds.
    static let variable = "DINDLAB_INNER_IMAGE"

    /// Where a `start: cmd` outer container's command waits for the seed before it starts the
    /// inner daemon (`OuterScripts.commandStart(seedGate:)`): a FIFO it creates and reads a
    /// line from.
    static let gate = "\(OuterScripts.stateDirectory)/seed.gate"

    private let directory: String
    private let seeds = Mutex<[String: Seed]>([:])

    init() {
        directory = NSTemporaryDirectory() + "dindlab-seeds-\(getpid())-\(UUID().uuidString.prefix(8))"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Why the trials of `scenario` cannot use a seed, or nil when they can.
    ///
    /// - Parameters:
    ///   - routeUnusable: `OuterRoot.unusableReason` for the trial (nil: the host route can be tried).
    ///   - daemonCommand: The inner daemon's command.
    ///   - apiVersion: The engine's API version (1.22 and later give the data root a fresh tmpfs).
    static func unusableReason(
        scenario: Scenario, routeUnusable: String?, daemonCommand: [String], apiVersion: APIVersion,
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if processEnvironment[variable] == "import" { return "\(variable)=import asks for an import per trial" }
        if let routeUnusable { return "no host route (\(routeUnusable))" }
        guard scenario.isolation == .trial else { return "isolation: cell imports once per cell" }
        guard apiVersion >= APIVersion(1, 22) else {
            return "the engine's API \(apiVersion) gives the inner data root a volume, not a fresh tmpfs"
        }
        guard let binary = daemonCommand.first, (binary as NSString).lastPathComponent == "dockerd" else {
            return "the inner daemon is not a dockerd (\(daemonCommand.first ?? "no command"))"
        }
        return nil
    }

    /// The seed of a cell on this executor's engine, once a trial captured it.
    func seed(forCell cell: String) -> Seed? {
        seeds.withLock { $0[cell] }
    }

    /// Copies the inner image's store and layers out of a running inner daemon's data root,
    /// right after the import, as the seed of `cell`. Keeps the first seed of a cell.
    ///
    /// - Returns: What was done, for the step log.
    func capture(cell: String, from root: OuterRoot, client: EngineClient) async -> String {
        if seed(forCell: cell) != nil { return "the cell has a seed already" }
        let info: EngineInfo
        do {
            info = try await client.info()
        } catch {
            return "no seed taken: GET /info on the inner daemon failed: \(error)"
        }
        guard let driver = info.driver, !driver.isEmpty, !driver.contains("/"),
            let dataRoot = info.dockerRootDir, dataRoot.hasPrefix("/")
        else {
            return "no seed taken: the inner daemon's /info names no storage driver or data root"
        }
        let hostRoot = root.hostPath(dataRoot)
        let parts = ["image/\(driver)", driver]
        for part in parts where !FileManager.default.fileExists(atPath: hostRoot + "/" + part) {
            return "no seed taken: \(dataRoot)/\(part) does not exist in the outer container"
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return "no seed taken: could not create \(directory): \(error)"
        }
        let file = "\(directory)/seed-\(UUID().uuidString).tar"
        if let failure = await tar(["-C", hostRoot, "-cf", file] + parts) { return "no seed taken: \(failure)" }
        let seed = Seed(file: file, dataRoot: dataRoot, driver: driver)
        let kept = seeds.withLock { seeds in
            if let earlier = seeds[cell] { return earlier }
            seeds[cell] = seed
            return seed
        }
        if kept != seed { try? FileManager.default.removeItem(atPath: file) }
        return "seed of the cell taken from \(dataRoot) (\(parts.joined(separator: ", ")), driver \(driver))"
    }

    /// Puts a seed into an outer container's data root, which must not be in use yet. What a
    /// failed untar left behind is removed, so the daemon never starts from half a store.
    ///
    /// - Returns: nil when done, else what went wrong.
    func plant(_ seed: Seed, into root: OuterRoot) async -> String? {
        let target = root.hostPath(seed.dataRoot)
        var info = stat()
        guard stat(target, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            return "\(seed.dataRoot) is not a folder in the outer container"
        }
        guard let failure = await tar(["-C", target, "-xf", seed.file]) else { return nil }
        for part in ["image/\(seed.driver)", seed.driver] {
            try? FileManager.default.removeItem(atPath: target + "/" + part)
        }
        return "the seed could not be put into \(seed.dataRoot): \(failure)"
    }

    /// Waits for a `start: cmd` container's command to reach its seed gate (or to go past it:
    /// a failed setup line, a shell without mkfifo), then runs `plant` and opens the gate.
    ///
    /// - Returns: nil when the seed is in place, else why not (the gate is open either way,
    ///   unless the command never reached it before `timeout`).
    func plantAtGate(_ seed: Seed, into root: OuterRoot, timeout: Duration) async -> String? {
        let state = OuterScripts.stateDirectory
        let end = ContinuousClock.now + timeout
        let gate = root.hostPath(Self.gate)
        while !Self.isFIFO(gate) {
            if root.exists("\(state)/setup.failed") { return "a setup line failed before the seed gate" }
            if root.exists(OuterScripts.daemonPID) { return "the daemon started without waiting for the seed" }
            guard ContinuousClock.now < end, !Task.isCancelled else {
                return "the outer container's command did not reach the seed gate in time"
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        let problem = await plant(seed, into: root)
        // The command creates the FIFO, then opens it to read: until it has, opening it to
        // write fails with ENXIO, so that is retried.
        var opened = Self.open(gate: gate)
        while opened == ENXIO, ContinuousClock.now < end, !root.exists(OuterScripts.daemonPID) {
            try? await Task.sleep(for: .milliseconds(1))
            opened = Self.open(gate: gate)
        }
        let gateProblem =
            opened == 0 ? nil : "could not let the command through the seed gate: \(String(cString: strerror(opened)))"
        return [problem, gateProblem].compactMap { $0 }.joined(separator: "; ").nilIfEmpty
    }

    private static func isFIFO(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
    }

    /// Writes one line into the gate: the command's `read` returns and the daemon starts.
    /// Non-blocking, so a command that is not reading cannot hold dindlab.
    ///
    /// - Returns: 0 when written, else the errno (ENXIO: nobody has the FIFO open to read).
    private static func open(gate: String) -> Int32 {
        let fd = Glibc.open(gate, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        let line: [UInt8] = Array("go\n".utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return written == line.count ? 0 : errno
    }

    /// Runs GNU tar from the host (numeric owners, extended attributes kept: overlay whiteouts
    /// and opaque directories survive), as image builds run their tools (`BuildCommand`: its
    /// output to a file, never a pipe that could fill up).
    ///
    /// - Returns: nil on success, else what went wrong, with tar's last lines.
    private func tar(_ arguments: [String]) async -> String? {
        do {
            try await BuildCommand(["tar", "--numeric-owner", "--xattrs", "--xattrs-include=*"] + arguments).run()
            return nil
        } catch {
            return "\(error)"
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
