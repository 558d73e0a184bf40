import Foundation

/// Starts a process that outlives dindlab: in a session of its own (no controlling terminal,
/// untouched by the terminal's Ctrl-C or hang-up), stdin from /dev/null, stdout and stderr
/// appended to a log file, no other file descriptor of ours, default signal handling.
enum DetachedSpawn {
    /// glibc's POSIX_SPAWN_SETSID (spawn.h, GNU extension since 2.26), which Swift's Glibc
    /// module does not export.
    private static let spawnSetSID: Int32 = 0x80

    /// Spawns `arguments` (argv, executable first) with `environment`.
    ///
    /// - Returns: The child's pid.
    /// - Throws: `PrivateEngineError` (`.launchFailed`) with the system's reason.
    static func start(arguments: [String], environment: [String: String], logFile: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(
            &attributes, Int16(spawnSetSID | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw PrivateEngineError(
                .launchFailed,
                "Could not start \(arguments.joined(separator: " ")): \(String(cString: strerror(status))).")
        }
        return pid
    }

    /// Closes every descriptor above stderr in the child, so the daemon holds none of ours
    /// (a pipe it kept open would keep e.g. `$(dindlab engine up)` waiting forever).
    /// posix_spawn_file_actions_addclosefrom_np is glibc 2.34+ and not exported to Swift,
    /// so it is looked up at run time; without it, only close-on-exec descriptors are closed.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return }
        let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
        _ = closeFrom(&actions, 3)
    }
}
