import Foundation

extension EngineModel {
    /// Finds a container by full id, name (with or without "/"), or unambiguous id prefix.
    func containerIndex(_ reference: String) -> Int? {
        let name = reference.hasPrefix("/") ? String(reference.dropFirst()) : reference
        if let index = containers.firstIndex(where: { $0.id == reference || $0.name == name }) { return index }
        guard !reference.isEmpty else { return nil }
        let matches = containers.indices.filter { containers[$0].id.hasPrefix(reference) }
        return matches.count == 1 ? matches[0] : nil
    }

    func existingContainerIndex(_ reference: String) throws(APIError) -> Int {
        guard let index = containerIndex(reference) else { throw .noSuchContainer(reference) }
        return index
    }

    /// Creates a container from a `POST /containers/create` body.
    /// - Returns: the new container's id.
    mutating func createContainer(name requestedName: String?, body: JSON) throws(APIError) -> String {
        guard let reference = body["Image"]?.string, !reference.isEmpty else {
            throw .badRequest("Config cannot be empty in order to create a container")
        }
        guard let imageIndex = imageIndex(reference) else { throw .noSuchImage(reference) }
        let image = images[imageIndex]
        if persona.refusesHostConfigAtCreate, body["HostConfig"]?.fields != nil {
            throw APIError(
                status: 500,
                message: "json: cannot set embedded pointer to unexported struct: runconfig.hostConfigWrapper")
        }
        if persona.has(.capabilitiesCheckedAtCreate), let unknown = unknownCapability(in: body["HostConfig"] ?? [:]) {
            throw .badRequest("invalid CapAdd: unknown capability: \"CAP_\(unknown)\"")
        }
        let name: String
        if let requestedName, !requestedName.isEmpty {
            name = requestedName.hasPrefix("/") ? String(requestedName.dropFirst()) : requestedName
            guard Self.isValidName(name) else {
                throw .badRequest("Invalid container name (\(name)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
            }
            if let owner = containers.first(where: { $0.name == name }) {
                throw .conflict(
                    "Conflict. The container name \"/\(name)\" is already in use by container \"\(owner.id)\". You have to remove (or rename) that container to be able to reuse that name."
                )
            }
        } else {
            name = generatedName()
        }

        let requestedEntrypoint = Self.words(body["Entrypoint"])
        let requestedCmd = Self.words(body["Cmd"])
        let entrypoint = requestedEntrypoint ?? image.entrypoint ?? []
        // A new entrypoint drops the image's command, as `docker run --entrypoint` does.
        let cmd = requestedCmd ?? (requestedEntrypoint == nil ? image.cmd ?? [] : [])
        let argv = entrypoint + cmd
        guard !argv.isEmpty else { throw .badRequest("No command specified") }

        let id = HexID.make()
        var labels = image.labels
        labels.merge(body["Labels"]?.stringMap ?? [:]) { _, new in new }
        let tty = body["Tty"]?.bool ?? false
        var config = body.removing(["HostConfig", "NetworkingConfig"])
        if config["Hostname"]?.string?.isEmpty ?? true {
            config = config.setting("Hostname", JSON(String(id.prefix(12))))
        }
        config =
            config
            .setting("Image", JSON(reference))
            .setting("Cmd", JSON(cmd))
            .setting("Entrypoint", entrypoint.isEmpty ? .null : JSON(entrypoint))
            .setting("Labels", JSON(labels))
            .setting("Tty", JSON(tty))
            .setting("Env", JSON(body["Env"]?.stringArray ?? image.env))

        let container = ContainerRecord(
            id: id, name: name, created: Date(), imageReference: reference, imageID: image.id,
            config: config, hostConfig: body["HostConfig"] ?? [:], argv: argv, tty: tty, labels: labels)
        containers.append(container)
        record("create", container: container)
        return id
    }

    /// Checks that a container can start and returns what its program runs.
    /// - Returns: nil when it is already running (the daemon answers 304).
    func containerToStart(_ reference: String) throws(APIError) -> (id: String, argv: [String], tty: Bool)? {
        let container = containers[try existingContainerIndex(reference)]
        if container.isRunning { return nil }
        return (container.id, container.argv, container.tty)
    }

    /// Starts a run of the container with its program's outcome.
    /// - Parameter hostConfig: a HostConfig sent with start, as old clients did.
    mutating func startContainer(id: String, process: ScriptedProcess, hostConfig: JSON?) throws(APIError) {
        let index = try existingContainerIndex(id)
        guard !containers[index].isRunning else { return }
        if let hostConfig, hostConfig.fields?.isEmpty == false { containers[index].hostConfig = hostConfig }
        try checkCapabilities(containers[index])
        let now = Date()
        containers[index].lastRun = ContainerRun(
            startedAt: now, plannedExit: now.addingTimeInterval(process.runningFor.timeInterval),
            exitCode: process.exitCode, pid: allocatePID())
        if !process.stdout.isEmpty { containers[index].logs.append(LogRecord(stream: .stdout, data: process.stdout)) }
        if !process.stderr.isEmpty { containers[index].logs.append(LogRecord(stream: .stderr, data: process.stderr)) }
        record("start", container: containers[index], at: now)
    }

    /// The first capability of a HostConfig's CapAdd the daemon does not know, without CAP_.
    func unknownCapability(in hostConfig: JSON) -> String? {
        guard let known = persona.knownCapabilities else { return nil }
        let asked = (hostConfig["CapAdd"]?.stringArray ?? []).map {
            $0.hasPrefix("CAP_") ? String($0.dropFirst(4)) : $0
        }
        return asked.first { $0 != "ALL" && !known.contains($0.uppercased()) }
    }

    /// What starting a container asks of the daemon's capabilities, with the era's errors:
    /// unknown names (Docker before 19.03 checks them at start) and capabilities the daemon
    /// cannot apply itself.
    func checkCapabilities(_ container: ContainerRecord) throws(APIError) {
        let hostConfig = container.hostConfig
        if !persona.has(.capabilitiesCheckedAtCreate), let unknown = unknownCapability(in: hostConfig) {
            throw APIError(
                status: 500,
                message: "Cannot start container \(container.id): Unknown capability to add: \"\(unknown)\"")
        }
        guard let grantable = grantableCapabilities else { return }
        let asked: [String] =
            hostConfig["Privileged"]?.bool == true
            ? Array(
                persona.knownCapabilities
                    ?? DaemonPersona.legacyCapabilities.union(["PERFMON", "BPF", "CHECKPOINT_RESTORE"]))
            : (hostConfig["CapAdd"]?.stringArray ?? []).map { $0.hasPrefix("CAP_") ? String($0.dropFirst(4)) : $0 }
        guard asked.contains(where: { !grantable.contains($0) }) else { return }
        if persona.has(.capabilitiesCheckedAtCreate) {
            throw APIError(
                status: 500,
                message:
                    "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: unable to apply caps: operation not permitted: unknown"
            )
        }
        throw APIError(
            status: 500, message: "Cannot start container \(container.id): [8] System error: operation not permitted")
    }

    /// Makes an image of a container (POST /commit): the container's image with the given
    /// configuration's labels and command, or the container's own.
    /// - Returns: the new image's id.
    mutating func commitContainer(_ reference: String, repository: String?, tag: String?, config: JSON) throws(APIError)
        -> String
    {
        let container = containers[try existingContainerIndex(reference)]
        let image = images.first { $0.id == container.imageID }
        let labels = config["Labels"]?.stringMap ?? container.labels
        let cmd = Self.words(config["Cmd"]) ?? container.config["Cmd"]?.stringArray ?? image?.cmd
        return addImage(
            reference: repository.map { "\($0):\(tag.flatMap { $0.isEmpty ? nil : $0 } ?? "latest")" }, labels: labels,
            cmd: cmd,
            entrypoint: image?.entrypoint, env: image?.env ?? [], size: image?.size ?? 0)
    }

    /// Ends a running container as a signal would.
    /// - Parameter signal: a name ("KILL", "SIGTERM") or number; default KILL.
    mutating func killContainer(_ reference: String, signal: String?) throws(APIError) {
        let index = try existingContainerIndex(reference)
        let container = containers[index]
        guard container.isRunning else {
            throw .conflict("Cannot kill container: \(reference): Container \(container.id) is not running")
        }
        guard let number = Self.signalNumber(signal ?? "KILL") else {
            throw .badRequest("Invalid signal: \(signal ?? "")")
        }
        record("kill", container: container, extra: ["signal": String(number)])
        finishRun(ofContainerAt: index, exitCode: 128 + number, at: Date())
    }

    /// `POST /containers/{id}/stop`: false when it was not running (the daemon answers 304).
    mutating func stopContainer(_ reference: String) throws(APIError) -> Bool {
        let index = try existingContainerIndex(reference)
        guard containers[index].isRunning else { return false }
        record("kill", container: containers[index], extra: ["signal": "15"])
        finishRun(ofContainerAt: index, exitCode: 143, at: Date())
        record("stop", container: containers[index])
        return true
    }

    mutating func removeContainer(_ reference: String, force: Bool) throws(APIError) {
        let index = try existingContainerIndex(reference)
        if containers[index].isRunning {
            guard force else {
                throw .conflict(
                    "You cannot remove a running container \(containers[index].id). Stop the container before attempting removal or force remove"
                )
            }
            record("kill", container: containers[index], extra: ["signal": "9"])
            finishRun(ofContainerAt: index, exitCode: 137, at: Date())
        }
        let container = containers.remove(at: index)
        execs = execs.filter { $0.value.containerID != container.id }
        record("destroy", container: container)
    }

    /// Containers a `GET /containers/json` lists, newest first.
    /// - Parameter filters: the decoded `filters` parameter: name -> values.
    func listContainers(all: Bool, filters: [String: [String]]) -> [ContainerRecord] {
        containers.reversed().filter { container in
            if !all, !container.isRunning, filters["status"] == nil { return false }
            if !Self.labels(container.labels, match: filters["label"] ?? []) { return false }
            if let statuses = filters["status"], !statuses.contains(container.status) { return false }
            if let names = filters["name"],
                !names.contains(where: { container.name.contains($0.hasPrefix("/") ? String($0.dropFirst()) : $0) })
            {
                return false
            }
            if let ids = filters["id"], !ids.contains(where: { container.id.hasPrefix($0) }) { return false }
            return true
        }
    }

    // MARK: Archive

    /// Extracts a tar into a directory of the container (created as needed).
    mutating func extract(archive: Data, into directory: String, container reference: String) throws(APIError) {
        let index = try existingContainerIndex(reference)
        let base = Self.normalizedPath(directory)
        addDirectory(base, toContainerAt: index)
        for entry in TarReader.entries(of: archive) {
            let path = Self.normalizedPath(base + "/" + entry.name)
            guard path != "/" else { continue }
            addDirectory(Self.parent(of: path), toContainerAt: index)
            var stored = entry
            stored.name = path
            containers[index].files[path] = stored
        }
    }

    private mutating func addDirectory(_ path: String, toContainerAt index: Int) {
        var current = path
        while current != "/", containers[index].files[current] == nil {
            containers[index].files[current] = TarEntry(
                name: current, kind: .directory, mode: 0o755, modified: Date(), size: 0, contents: nil)
            current = Self.parent(of: current)
        }
    }

    /// The entries a `GET /archive?path=` returns, named relative to the path's parent.
    func archiveEntries(at path: String, container reference: String) throws(APIError) -> (
        stat: TarEntry, entries: [TarEntry]
    ) {
        let container = containers[try existingContainerIndex(reference)]
        let target = Self.normalizedPath(path)
        guard let root = container.files[target] else {
            throw .notFound("Could not find the file \(path) in container \(reference)")
        }
        let parentPrefix = target == "/" ? "/" : Self.parent(of: target) == "/" ? "/" : Self.parent(of: target) + "/"
        let inside = container.files.values
            .filter { $0.name == target || $0.name.hasPrefix(target == "/" ? "/" : target + "/") }
            .sorted { $0.name < $1.name }
            .map { entry -> TarEntry in
                var relative = entry
                relative.name = String(entry.name.dropFirst(parentPrefix.count))
                if case .directory = entry.kind { relative.name += "/" }
                return relative
            }
        var stat = root
        stat.name = target == "/" ? "/" : String(target.split(separator: "/").last!)
        return (stat, inside)
    }

    /// Adds a file to a container's filesystem (for tests that seed files to read back).
    mutating func addFile(_ contents: Data, at path: String, mode: Int, container reference: String) throws(APIError) {
        let index = try existingContainerIndex(reference)
        let target = Self.normalizedPath(path)
        addDirectory(Self.parent(of: target), toContainerAt: index)
        containers[index].files[target] = TarEntry(
            name: target, kind: .file, mode: mode, modified: Date(), size: contents.count, contents: contents)
    }

    // MARK: Helpers

    /// A `label` filter: every wanted "key" must be present, every "key=value" must match.
    static func labels(_ labels: [String: String], match wanted: [String]) -> Bool {
        wanted.allSatisfy { filter in
            let parts = filter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let value = labels[String(parts[0])] else { return false }
            return parts.count == 1 || value == String(parts[1])
        }
    }

    static func normalizedPath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// Cmd and Entrypoint may be an array or (in old clients) a single string.
    private static func words(_ value: JSON?) -> [String]? {
        guard let value, !value.isNull else { return nil }
        if let words = value.stringArray { return words }
        if let word = value.string { return [word] }
        return nil
    }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber, name.count >= 2 else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    static func signalNumber(_ signal: String) -> Int? {
        if let number = Int(signal) { return number }
        let name = signal.uppercased().hasPrefix("SIG") ? String(signal.uppercased().dropFirst(3)) : signal.uppercased()
        let numbers = [
            "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
            "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
        ]
        return numbers[name]
    }
}
