import DindLabCore
import Foundation

/// The shell scripts dindlab runs inside an outer container.
///
/// Outer images are Debian roots (or the user's own) with a POSIX shell; everything the
/// harness needs from inside goes through `sh -c` with these scripts, so no helper binary
/// has to be copied in and every step works the same on Docker 1.7 and today's engines.
/// State lives under `/dindlab/run/` in the container.
enum OuterScripts {
    static let stateDirectory = "/dindlab/run"
    static let daemonLog = "\(stateDirectory)/daemon.log"
    static let daemonPID = "\(stateDirectory)/daemon.pid"

    /// Exit codes of the readiness script.
    enum ReadyStatus: Int32 {
        case ready = 0
        case setupFailed = 2
        case daemonDied = 3
        case timedOut = 4
        /// The daemon was ready, and the steps to run next (`waitReady(then:)`) failed.
        case thenFailed = 5
        /// The daemon was ready, and the outer image ships no file for the inner image
        /// (`loadInnerImageLines`): the harness's configuration, not the system under test.
        case innerImageNotShipped = 6
    }

    /// The line `waitReady(then:)` prints when the daemon answers: the wall-clock time in
    /// nanoseconds (the container's clock is the host's), so the exec's time can be split
    /// between the daemon phase and the next.
    static let readyMarker = "dindlab:ready-at "

    /// Quotes a word for sh: single quotes, with embedded single quotes closed and escaped.
    static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func quote(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    /// Keeps the container alive without doing anything. The shell stays PID 1 and reaps
    /// children; `sleep` in the background keeps `wait` interruptible by SIGTERM.
    static let idleLoop = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"

    /// Makes the engine's own cgroup mounts writable, as `--privileged` would (`cgroups:
    /// private`). One snippet for both cgroup versions, which tells them apart itself: on v2
    /// /sys/fs/cgroup is the cgroup2 mount (`stat -f` says cgroup2fs) and is remounted
    /// read-write; on v1 each hierarchy mounted below it is (`remount,rw,bind`: only this
    /// mount's flags), and the tmpfs above them stays read-only. No `exit`: with `start: cmd`
    /// it runs in the container's own shell; its status is that of its last command.
    static let cgroupRemount = """
        if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
          mount -o remount,rw /sys/fs/cgroup
        else
          dindlab_failed=0
          while read -r _ _ _ _ dindlab_point _; do
            case $dindlab_point in /sys/fs/cgroup/?*) mount -o remount,rw,bind "$dindlab_point" || dindlab_failed=1 ;; esac
          done </proc/self/mountinfo
          [ $dindlab_failed = 0 ]
        fi
        """

    /// The nesting step of the docker:dind entrypoint (`outer.cgroup-nesting: true`), in the
    /// outer container's own cgroup (PID 1's, found through the `0::` line of /proc/1/cgroup
    /// below the cgroup2 mount, so a bound host hierarchy is never touched above it): every
    /// process of that cgroup moves into its child `init/` (cgroup v2 forbids enabling
    /// controllers for the children of a cgroup that has processes), then every controller of
    /// cgroup.controllers is enabled in cgroup.subtree_control. Without it an inner daemon on a
    /// v2 host with controllers fails with "cannot enter cgroupv2 ... with domain controllers
    /// -- it is in an invalid state". On cgroup v1 it does nothing and says so; where the
    /// cgroup has no controllers (a simulated v2 engine) it moves the processes and says that
    /// there was nothing to enable. Prints one line saying what it did.
    static let cgroupNesting = """
        dindlab_fs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo missing)
        if [ "$dindlab_fs" != cgroup2fs ]; then
          echo "cgroup nesting: nothing to do: /sys/fs/cgroup is $dindlab_fs, not cgroup v2 (the nesting step is for cgroup v2 only)"
        else
          dindlab_rel=$(sed -n 's/^0:://p' /proc/1/cgroup); dindlab_cg=/sys/fs/cgroup${dindlab_rel%/}
          if [ ! -f "$dindlab_cg/cgroup.procs" ]; then
            echo "cgroup nesting: PID 1's cgroup ${dindlab_rel:-?} (from /proc/1/cgroup) is not below the cgroup2 mount at /sys/fs/cgroup; nothing was moved" >&2
            false
          elif mkdir -p "$dindlab_cg/init"; then
            dindlab_moved=0
            for dindlab_p in $(cat "$dindlab_cg/cgroup.procs"); do
              echo "$dindlab_p" >"$dindlab_cg/init/cgroup.procs" 2>/dev/null && dindlab_moved=$((dindlab_moved + 1))
            done
            dindlab_c=$(cat "$dindlab_cg/cgroup.controllers")
            if [ -z "$dindlab_c" ]; then
              echo "cgroup nesting: moved $dindlab_moved processes of ${dindlab_rel:-/} into init/; ${dindlab_rel:-/} has no controllers (cgroup.controllers is empty), so cgroup.subtree_control stays empty"
            else
              echo "$dindlab_c" | sed -e 's/ / +/g' -e 's/^/+/' >"$dindlab_cg/cgroup.subtree_control" &&
                echo "cgroup nesting: moved $dindlab_moved processes of ${dindlab_rel:-/} into init/; enabled in cgroup.subtree_control: $(cat "$dindlab_cg/cgroup.subtree_control")"
            fi
          else
            echo "cgroup nesting: could not create the child cgroup init/ in $dindlab_cg (is the cgroup2 mount read-only? see /proc/self/mountinfo)" >&2
            false
          fi
        fi
        """

    /// The number `setup.failed` holds when the harness's own step before the setup lines
    /// (`commandStart(prelude:)`) failed.
    static let preludeNumber = 0

    /// The outer container's own command for `start: cmd`: runs the setup lines in this
    /// shell (so `export` and mounts reach the daemon), then starts the daemon in the
    /// background — as the field report's start script did — and idles.
    ///
    /// - Parameters:
    ///   - prelude: A script of dindlab's own run before the setup lines, in the same way (e.g.
    ///     `cgroupRemount`); its failure is recorded as setup line 0.
    ///   - seedGate: After the setup lines, wait at `InnerImageSeeds.gate` (a FIFO) until dindlab
    ///     has put the inner image's seed into the data root and writes a line; without
    ///     `mkfifo` in the image the command does not wait (and dindlab imports instead).
    static func commandStart(setup: [String], daemon: [String], prelude: String? = nil, seedGate: Bool = false)
        -> [String]
    {
        var lines = ["mkdir -p \(stateDirectory)"]
        let numbered =
            (prelude.map { [(preludeNumber, $0)] } ?? []) + setup.enumerated().map { ($0.offset + 1, $0.element) }
        for (number, line) in numbered {
            let prefix = "\(stateDirectory)/setup.\(number)"
            lines.append(
                "if [ ! -e \(stateDirectory)/setup.failed ]; then { eval \(quote(line)); } >\(prefix).out 2>\(prefix).err </dev/null; rc=$?; echo $rc >\(prefix).rc; [ $rc -eq 0 ] || echo \(number) >\(stateDirectory)/setup.failed; fi"
            )
        }
        if seedGate {
            let gate = InnerImageSeeds.gate
            lines.append(
                "if [ ! -e \(stateDirectory)/setup.failed ] && mkfifo \(gate) 2>/dev/null; then read _ <\(gate); fi")
        }
        lines.append(
            "if [ ! -e \(stateDirectory)/setup.failed ]; then \(quote(daemon)) >\(daemonLog) 2>&1 </dev/null & echo $! >\(daemonPID); fi"
        )
        lines.append("touch \(stateDirectory)/setup.done")
        lines.append(idleLoop)
        return ["sh", "-c", lines.joined(separator: "\n")]
    }

    /// The outer container's command for `start: exec`: nothing but idling.
    static func idleStart() -> [String] {
        ["sh", "-c", "mkdir -p \(stateDirectory) && touch \(stateDirectory)/setup.done; \(idleLoop)"]
    }

    /// How a failure names a setup line: its first line, with " …" when more follow. A
    /// multi-line setup script would otherwise put its own lines into the error (and its
    /// signature), where only the failing step's output belongs.
    static func summary(ofSetupLine line: String) -> String {
        let lines = line.split(separator: "\n", omittingEmptySubsequences: true)
        let first = lines.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return lines.count > 1 ? first + " …" : first
    }

    /// One setup line run through exec (`start: exec`).
    static func setupLine(_ line: String) -> [String] {
        ["sh", "-c", line]
    }

    /// The daemon started through a detached exec (`start: exec`): it records its pid, then
    /// becomes the daemon, so the pid is the daemon's own.
    ///
    /// - Parameter held: Wait for `daemonGo` to exist before becoming the daemon, so dindlab can
    ///   move the process into other cgroups first (`daemon.cgroup-divergence`) and everything
    ///   the daemon starts inherits them.
    static func execDaemon(_ daemon: [String], appendLog: Bool = false, held: Bool = false) -> [String] {
        let wait = held ? "while [ ! -e \(daemonGo) ]; do sleep 0.01; done; " : ""
        return [
            "sh", "-c",
            "mkdir -p \(stateDirectory); echo $$ >\(daemonPID); \(wait)exec \(quote(daemon)) >\(appendLog ? ">" : "")\(daemonLog) 2>&1 </dev/null",
        ]
    }

    /// The file a held daemon exec waits for (`execDaemon(held:)`).
    static let daemonGo = "\(stateDirectory)/daemon.go"

    /// Remounts the engine's /sys/fs/cgroup tmpfs (cgroup v1) read-only or read-write
    /// (`outer.cgroup-tmpfs`), only this mount's flags: the hierarchies below keep theirs.
    /// Refuses where /sys/fs/cgroup is not a tmpfs.
    static func cgroupTmpfsRemount(writable: Bool) -> String {
        let mode = writable ? "rw" : "ro"
        return """
            if [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ]; then
              mount -o remount,\(mode),bind /sys/fs/cgroup
            else
              echo "outer.cgroup-tmpfs needs a tmpfs at /sys/fs/cgroup (a cgroup v1 engine); here it is $(stat -fc %T /sys/fs/cgroup)" >&2
              false
            fi
            """
    }

    /// The placement check (`inner.check-placement`): PID 1's and the inner daemon's cgroup
    /// lines, then an inner container's own, in sections.
    static func placementCheck(image: String) -> [String] {
        let script = """
            echo "===== dindlab:proc1-cgroup ====="; cat /proc/1/cgroup
            echo "===== dindlab:daemon-cgroup ====="; cat /proc/$(cat \(daemonPID))/cgroup
            echo "===== dindlab:inner-cgroup ====="; docker run --rm --net=none \(quote(image)) cat /proc/self/cgroup
            """
        return ["sh", "-c", script]
    }

    /// Kills the inner daemon with SIGKILL (a fault), printing its pid.
    static let killDaemon = ["sh", "-c", "p=$(cat \(daemonPID)) && kill -9 \"$p\" && echo \"$p\""]

    /// Waits inside the container until the inner daemon answers, its setup failed, it died,
    /// or the timeout passed; the exit status says which (`ReadyStatus`). One exec for the
    /// whole wait, instead of one per poll.
    ///
    /// Polls back off from 10 ms to 100 ms, and only the cheap test for the socket polls:
    /// the daemon creates its socket early in its start, and a `docker version` then waits
    /// until the daemon serves (the kernel queues the connection), so the answer comes as soon
    /// as the daemon is ready instead of at the next poll, and no docker CLI is spawned in a
    /// loop while the daemon needs the CPU to start. The socket is the one the inner CLI
    /// reaches: DOCKER_HOST's when the container's environment sets a `unix://` one, and
    /// /var/run/docker.sock without it; with a DOCKER_HOST of another scheme (`tcp://` on the
    /// container's loopback) there is no file to test, and `docker version` itself polls.
    ///
    /// - Parameters:
    ///   - timeoutSeconds: How long the daemon may take.
    ///   - then: Script lines to run once it answers, in the same exec (one exec less per
    ///     trial: each costs the engine a runc exec, tens of milliseconds of CPU). A
    ///     `readyMarker` line is printed first; when they end with a non-zero status (that of
    ///     their last command, or an `exit`), the script exits with `thenFailed`, or with
    ///     `innerImageNotShipped` when they exit with that status.
    static func waitReady(timeoutSeconds: Int, then: [String] = []) -> [String] {
        let ready =
            then.isEmpty
            ? "exit 0"
            : "echo \"\(readyMarker)$(date +%s%N)\"; (\n\(then.joined(separator: "\n"))\n); case $? in 0) exit 0 ;; \(ReadyStatus.innerImageNotShipped.rawValue)) exit \(ReadyStatus.innerImageNotShipped.rawValue) ;; *) exit \(ReadyStatus.thenFailed.rawValue) ;; esac"
        let script = """
            end=$(( $(date +%s) + \(max(1, timeoutSeconds)) ))
            pause=0.01
            backoff() { sleep $pause; case $pause in 0.01) pause=0.02 ;; 0.02) pause=0.05 ;; *) pause=0.1 ;; esac; }
            while [ ! -e \(stateDirectory)/setup.done ] || [ ! -e \(daemonPID) -a ! -e \(stateDirectory)/setup.failed ]; do
              [ $(date +%s) -ge $end ] && exit 4; backoff
            done
            [ -e \(stateDirectory)/setup.failed ] && exit 2
            pid=$(cat \(daemonPID))
            case "${DOCKER_HOST:-}" in "") sock=/var/run/docker.sock ;; unix://*) sock=${DOCKER_HOST#unix://} ;; *) sock= ;; esac
            pause=0.01
            while :; do
              if { [ -z "$sock" ] || [ -S "$sock" ]; } && docker version >/dev/null 2>&1; then \(ready); fi
              kill -0 "$pid" 2>/dev/null || exit 3
              [ $(date +%s) -ge $end ] && exit 4
              backoff
            done
            """
        return ["sh", "-c", script]
    }

    /// Reads the failed setup line's number, stderr and stdout (`start: cmd`).
    static let failedSetup = [
        "sh", "-c",
        "n=$(cat \(stateDirectory)/setup.failed); echo \"$n\"; cat \(stateDirectory)/setup.$n.err; cat \(stateDirectory)/setup.$n.out >&2",
    ]

    /// The script lines that load an inner image the outer image ships under /dindlab/images/,
    /// run after the readiness wait in the same exec (`waitReady(then:)`).
    ///
    /// - Parameters:
    ///   - name: The inner image.
    ///   - checkFirst: Skip the load when the inner daemon has the image. A daemon started on
    ///     an empty tmpfs has none, and the check costs a docker CLI; plain `docker inspect`
    ///     works with the CLI of every era (1.7 has no `docker image`).
    static func loadInnerImageLines(_ name: String, checkFirst: Bool) -> [String] {
        let file = "/dindlab/images/\(imageFileName(name)).tar"
        let reference = name.contains(":") ? name : name + ":latest"
        let load = [
            "[ -f \(quote(file)) ] || { h=$(echo $(ls /dindlab/images 2>/dev/null)); echo \"\(innerImageNotShipped(name, holds: "${h:-nothing}"))\" >&2; exit \(ReadyStatus.innerImageNotShipped.rawValue); }",
            // From standard input: Docker 1.7's CLI takes `docker import PATH` for a URL
            // ("invalid URL escape"); `docker import - REF` works with the CLI of every era.
            "docker import - \(quote(reference)) <\(quote(file)) >/dev/null",
        ]
        guard checkFirst else { return load }
        return ["if ! docker inspect \(quote(reference)) >/dev/null 2>&1; then"] + load + ["fi"]
    }

    /// The sentence for an inner image the outer image does not ship (a trial `error`: the
    /// scenario asks for an image its outer image lacks, which says nothing about the system
    /// under test).
    ///
    /// - Parameters:
    ///   - name: The inner image.
    ///   - holds: What /dindlab/images holds, space-separated, or "nothing" (in the shell, a
    ///     variable's expansion).
    ///   - outerImage: The outer image, named where the sentence stands alone (a skipped cell).
    static func innerImageNotShipped(_ name: String, holds: String, outerImage: String? = nil) -> String {
        "The outer image\(outerImage.map { " " + $0 } ?? "") ships no /dindlab/images/\(imageFileName(name)).tar for the inner image \(name) (/dindlab/images holds: \(holds)); the inner images a scenario can run are those its outer image ships (see Images/README.md)."
    }

    /// The sentence for an inner image the outer image does not ship, given the files it holds.
    static func innerImageNotShipped(_ name: String, holding files: [String], outerImage: String? = nil) -> String {
        innerImageNotShipped(
            name, holds: files.isEmpty ? "nothing" : files.joined(separator: " "), outerImage: outerImage)
    }

    /// The sentence for a cell skipped before it ran, when `outerImage`'s labels list the inner
    /// images' files it ships and none is the inner image `name`'s; nil when one is, or when the
    /// labels do not say (an image built before they did, a Dockerfile's) and the trial finds out.
    static func notShipped(_ name: String, by outerImage: String, labels: [String: String]) -> String? {
        guard let files = OuterImageLabels(labels: labels)?.innerImageFiles,
            !files.contains(imageFileName(name) + ".tar")
        else { return nil }
        return innerImageNotShipped(name, holding: files, outerImage: outerImage)
    }

    /// Splits the output of `waitReady(then:)` at its `readyMarker` line: when the daemon
    /// answered, and what the steps after it printed.
    static func readyInstant(in stdout: String) -> (instant: Date?, rest: String) {
        var instant: Date?
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            guard line.hasPrefix(readyMarker) else { return true }
            if let nanoseconds = Int64(line.dropFirst(readyMarker.count)) {
                instant = Date(
                    timeIntervalSince1970: Double(nanoseconds / 1_000_000_000) + Double(nanoseconds % 1_000_000_000)
                        / 1e9)
            }
            return false
        }
        return (instant, lines.joined(separator: "\n"))
    }

    /// The file name an inner image is shipped under: "busybox" -> busybox, "a/b:1" -> a_b_1.
    /// Docker Hub's long forms name the same image ("docker.io/library/busybox:latest" ->
    /// busybox), as every era's daemon resolves them.
    static func imageFileName(_ name: String) -> String {
        var base = name
        for hub in ["docker.io/library/", "index.docker.io/library/", "library/", "docker.io/", "index.docker.io/"]
        where base.hasPrefix(hub) {
            base.removeFirst(hub.count)
            break
        }
        if base.hasSuffix(":latest") { base.removeLast(":latest".count) }
        return String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }

    /// One inner run with `mode: d`: `docker run -d`, wait for it, print its logs, exit with
    /// its status. Status 125 means `docker run` itself failed (the docker CLI's convention).
    ///
    /// `docker logs --follow` runs beside `docker wait` rather than `docker logs` after it: it
    /// prints the same, complete output (it ends when the container does), and the two docker
    /// CLIs start at once instead of one after the other (15 ms a trial here). Its stderr goes
    /// to stdout, so the inner command's output comes in one stream, in order, as a TTY gives
    /// it in mode ti: one failure then has one signature in both modes.
    static func innerDetached(image: String, command: [String]) -> [String] {
        let script = """
            id=$(docker run -d --net=none \(quote(image)) \(quote(command))) || exit 125
            docker logs --follow "$id" 2>&1 & logs=$!
            rc=$(docker wait "$id") || { echo "docker wait $id failed" >&2; kill $logs 2>/dev/null; exit 126; }
            wait $logs
            exit "$rc"
            """
        return ["sh", "-c", script]
    }

    /// The `docker run -d` of one inner run with `mode: d` alone, when dindlab waits for the
    /// container and reads its logs from the engine's host (`OuterRoot.runDetached`).
    static func innerDetachedRun(image: String, command: [String]) -> [String] {
        ["docker", "run", "-d", "--net=none", image] + command
    }

    /// One inner run with `mode: ti`, to be run in an exec that has a TTY.
    static func innerInteractive(image: String, command: [String]) -> [String] {
        ["docker", "run", "-ti", "--net=none", image] + command
    }

    /// Sections of the forensics dump, in order.
    static let forensicSections = [
        "proc1-cgroup", "daemon-cgroup", "exec-cgroup", "cgroup-files", "processes", "mountinfo", "docker-info",
        "docker-version", "daemon-log",
    ]

    /// Prints every process of the outer container as "PID PPID COMMAND LINE" (one line each,
    /// its first 300 characters), from /proc (the images of every era have no `ps` in common):
    /// after a killed inner daemon, the containerd-shims and `runc init`s of the inner runs it
    /// interrupted are still there. In pid order where the image has `sort` (/proc lists 1, 11,
    /// 65, 9), else in /proc's order.
    static let processesScript = """
        echo "PID PPID COMMAND"
        for d in /proc/[0-9]*; do
          c=$(tr "\\0\\n" "  " <$d/cmdline 2>/dev/null | cut -c1-300); [ -n "$c" ] || continue
          echo "${d#/proc/} $(sed -n 's/^PPid:[[:space:]]*//p' $d/status 2>/dev/null) $c"
        done | { sort -n 2>/dev/null || cat; }
        """

    /// Prints what cgroup v2 says about the outer container's own cgroup (the one PID 1 is
    /// in, found through the `0::` line of /proc/1/cgroup below the cgroup2 mount): its
    /// cgroup.controllers, cgroup.subtree_control and cgroup.type, and those of the cgroups
    /// below it (e.g. `init/` after the nesting step, `docker/`). On cgroup v1 it says so.
    static let cgroupFilesScript = """
        echo "/sys/fs/cgroup: $(grep ' /sys/fs/cgroup ' /proc/self/mountinfo | tail -n 1)"
        if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ]; then
          echo "/sys/fs/cgroup is $(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo missing), not cgroup2: cgroup v1 (or none), so there are no cgroup.controllers, cgroup.subtree_control or cgroup.type files"
        else
          rel=$(sed -n 's/^0:://p' /proc/1/cgroup); d=/sys/fs/cgroup${rel%/}
          [ -d "$d" ] || { echo "PID 1's cgroup ${rel:-?} is not below this mount; showing the mount's root"; d=/sys/fs/cgroup; }
          for c in "$d" "$d"/*/; do
            [ -f "$c/cgroup.type" ] || continue
            c=${c%/}; echo "cgroup ${c#/sys/fs/cgroup}/:"
            for f in cgroup.controllers cgroup.subtree_control cgroup.type; do echo "  $f: $(cat "$c/$f" 2>&1)"; done
            echo "  processes: $(wc -l < "$c/cgroup.procs" 2>/dev/null)"
          done
        fi
        """

    /// Collects what explains a failure in one exec: the cgroup lines of PID 1, of the
    /// daemon and of this exec'd process (the field report's root cause was a difference
    /// between them), the processes, mountinfo, and the inner daemon's own view.
    static let forensics: [String] = {
        let script = """
            s() { echo "===== dindlab:$1 ====="; }
            s proc1-cgroup; cat /proc/1/cgroup
            s daemon-cgroup; p=$(cat \(daemonPID) 2>/dev/null); if [ -n "$p" ] && [ -e /proc/$p/cgroup ]; then cat /proc/$p/cgroup; else echo "(the daemon is not running)"; fi
            s exec-cgroup; cat /proc/self/cgroup
            s cgroup-files
            \(cgroupFilesScript)
            s processes
            \(processesScript)
            s mountinfo; cat /proc/self/mountinfo
            s docker-info; timeout 10 docker info 2>&1
            s docker-version; timeout 10 docker version 2>&1
            s daemon-log; cat \(daemonLog) 2>/dev/null
            """
        return ["sh", "-c", script]
    }()

    /// Splits the forensics dump into its sections.
    static func parseSections(_ text: String) -> [String: String] {
        var sections: [String: String] = [:]
        var current: String?
        var lines: [Substring] = []
        func flush() {
            if let current { sections[current] = lines.joined(separator: "\n") }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("===== dindlab:"), line.hasSuffix(" =====") {
                flush()
                current = String(line.dropFirst("===== dindlab:".count).dropLast(" =====".count))
                lines = []
            } else {
                lines.append(line)
            }
        }
        flush()
        return sections
    }
}
