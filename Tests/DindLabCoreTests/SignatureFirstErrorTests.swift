import Foundation
import Testing

@testable import DindLabCore

/// A failed trial, built from real daemon logs, and what its diagnosis must say.
struct SignatureFirstErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let evidence: FailureEvidence
    let source: FirstErrorSource
    let firstError: String?
    let signature: String
    var lastError: String? = nil
    var errorLineCount: Int? = nil

    var testDescription: String { name }
}

/// Docker 20.10 in a container without a devices cgroup: four storage-driver probes
/// at error level, then the real cause on plain stderr.
private let dockerd2010CgroupMissing = [
    #"INFO[2022-03-13T13:43:08.759331286Z] Starting up"#,
    #"INFO[2022-03-13T13:43:08.771080432Z] ClientConn switching balancer to "pick_first"  module=grpc"#,
    #"ERRO[2022-03-13T13:43:08.781932359Z] failed to mount overlay: invalid argument     storage-driver=overlay2"#,
    #"ERRO[2022-03-13T13:43:08.782078828Z] exec: "fuse-overlayfs": executable file not found in $PATH  storage-driver=fuse-overlayfs"#,
    #"ERRO[2022-03-13T13:43:08.793311119Z] AUFS was not found in /proc/filesystems       storage-driver=aufs"#,
    #"ERRO[2022-03-13T13:43:08.813505621Z] failed to mount overlay: invalid argument     storage-driver=overlay"#,
    #"ERRO[2022-03-13T13:43:08.813529990Z] Failed to built-in GetDriver graph devicemapper /var/lib/docker"#,
    #"WARN[2022-03-13T13:43:08.901207713Z] Your kernel does not support cgroup memory limit"#,
    #"WARN[2022-03-13T13:43:08.901222370Z] Unable to find cpu cgroup in mounts"#,
    "failed to start daemon: Devices cgroup isn't mounted",
]

/// Docker 1.9 out of loop devices (devicemapper in DinD), logfmt.
private let docker19Loopback = [
    #"time="2015-10-07T01:52:21.200011111Z" level=info msg="API listen on /var/run/docker.sock" "#,
    #"time="2015-10-07T01:52:21.291793869Z" level=error msg="There are no more loopback devices available." "#,
    #"time="2015-10-07T01:52:21.291869335Z" level=fatal msg="Error starting daemon: error initializing graphdriver: loopback mounting failed" "#,
]

/// Docker 26 with an nf_tables iptables the kernel cannot serve; the fatal line wraps.
private let dockerd26Iptables = [
    #"time="2024-03-07T10:00:00.612008773Z" level=info msg="containerd successfully booted in 0.052245s""#,
    #"time="2024-03-07T10:00:00.612017000Z" level=info msg="skip loading plugin \"io.containerd.snapshotter.v1.btrfs\"..." error="path /var/lib/docker/containerd/daemon/io.containerd.snapshotter.v1.btrfs (ext4) must be a btrfs filesystem to be used with the btrfs snapshotter: skip plugin" type=io.containerd.snapshotter.v1"#,
    #"time="2024-03-07T10:00:00.647188074Z" level=info msg="Loading containers: start.""#,
    "failed to start daemon: Error initializing network controller: error obtaining controller instance: failed to register \"bridge\" driver: failed to create NAT chain DOCKER: iptables failed: iptables --wait -t nat -N DOCKER: iptables v1.8.10 (nf_tables): TABLE_ADD failed (Not supported): table nat",
    "(exit status 4)",
]

/// Docker 23 failing an inner `docker run`: consequences are logged before the cause.
private func docker23InnerRun(id: String, at second: Int) -> [String] {
    [
        "INFO[2023-04-27T21:55:\(second).951207978Z] shim disconnected                             id=\(id)",
        "ERRO[2023-04-27T21:55:\(second).954178030Z] stream copy error: reading from a closed fifo ",
        "ERRO[2023-04-27T21:55:\(second).954478238Z] stream copy error: reading from a closed fifo ",
        "ERRO[2023-04-27T21:55:\(second).123758880Z] \(id) cleanup: failed to delete container from containerd: no such container ",
        "ERRO[2023-04-27T21:55:\(second).124013412Z] Handler for POST /v1.41/containers/\(id)/start returned error: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error jailing process inside rootfs: pivot_root .: invalid argument: unknown ",
    ]
}

private let docker23ClientOutput = """
    docker: Error response from daemon: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error jailing process inside rootfs: pivot_root .: invalid argument: unknown.
    ERRO[0000] error waiting for container: context canceled

    """

/// Docker 1.8 inner run in a DinD whose cgroup root cannot be found (RancherOS report).
private func docker18InnerRun(id: String) -> (log: [String], output: String) {
    (
        [
            #"time="2015-08-09T10:11:12.000000001Z" level=info msg="POST /v1.20/containers/\#(id)/start""#,
            #"time="2015-08-09T10:11:12.400000000Z" level=error msg="Handler for POST /containers/{name:.*}/start returned error: Cannot start container \#(id): [8] System error: mkdir /sys/fs/docker: operation not permitted""#,
            #"time="2015-08-09T10:11:12.400100000Z" level=error msg="HTTP Error" err="Cannot start container \#(id): [8] System error: mkdir /sys/fs/docker: operation not permitted" statusCode=500"#,
        ],
        "Error response from daemon: Cannot start container \(id): [8] System error: mkdir /sys/fs/docker: operation not permitted\n"
    )
}

private let firstErrorCases: [SignatureFirstErrorCase] = [
    SignatureFirstErrorCase(
        name: "20.10 died: the fatal line, not the storage probes before it",
        evidence: FailureEvidence(phase: .daemon, daemonLog: dockerd2010CgroupMissing, daemonDied: true),
        source: .daemonFatal,
        firstError: "failed to start daemon: Devices cgroup isn't mounted",
        signature: "daemon: failed to start daemon: Devices cgroup isn't mounted",
        lastError: "failed to start daemon: Devices cgroup isn't mounted",
        errorLineCount: 6),
    SignatureFirstErrorCase(
        name: "1.9 died: its fatal line is the cause",
        evidence: FailureEvidence(phase: .daemon, daemonLog: docker19Loopback, daemonDied: true),
        source: .daemonFatal,
        firstError: "Error starting daemon: error initializing graphdriver: loopback mounting failed",
        signature: "daemon: Error starting daemon: error initializing graphdriver: loopback mounting failed",
        errorLineCount: 2),
    SignatureFirstErrorCase(
        name: "1.9 alive: the earliest error",
        evidence: FailureEvidence(
            phase: .daemon, daemonLog: Array(docker19Loopback.prefix(2)),
            stepOutput: "Cannot connect to the Docker daemon. Is 'docker -d' running on this host?", daemonDied: false),
        source: .daemonLog,
        firstError: "There are no more loopback devices available.",
        signature: "daemon: There are no more loopback devices available.",
        lastError: "Cannot connect to the Docker daemon. Is 'docker -d' running on this host?"),
    SignatureFirstErrorCase(
        name: "26.x died in iptables: long fatal line cut in the middle, root cause kept",
        evidence: FailureEvidence(phase: .daemon, daemonLog: dockerd26Iptables, daemonDied: true),
        source: .daemonFatal,
        firstError: String(dockerd26Iptables[3]),
        signature:
            "daemon: failed to start daemon: Error initializing network controller: error obtaining c … s failed: iptables --wait -t nat -N DOCKER: iptables v1.8.10 (nf_tables): TABLE_ADD failed (Not supported): table nat",
        errorLineCount: 1),
    SignatureFirstErrorCase(
        name: "23.x inner run: the handler's error, not the fifo and cleanup noise",
        evidence: FailureEvidence(
            phase: .inner,
            daemonLog: docker23InnerRun(id: "8f8518eaaf8552ef3b8ae2084cc3b0ea7ccc617b6eee3507b38501dd42925e13", at: 28),
            stepOutput: docker23ClientOutput),
        source: .daemonLog,
        firstError:
            "Handler for POST /v1.41/containers/8f8518eaaf8552ef3b8ae2084cc3b0ea7ccc617b6eee3507b38501dd42925e13/start returned error: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error jailing process inside rootfs: pivot_root .: invalid argument: unknown",
        signature:
            "inner: Handler for POST /v1.41/containers/<id>/start returned error: OCI runtime create … er process: error during container init: error jailing process inside rootfs: pivot_root .: invalid argument: unknown",
        lastError:
            "docker: Error response from daemon: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error jailing process inside rootfs: pivot_root .: invalid argument: unknown.",
        errorLineCount: 6),
    SignatureFirstErrorCase(
        name: "1.8 inner run: the handler line with its id and error code normalised",
        evidence: FailureEvidence(
            phase: .inner,
            daemonLog: docker18InnerRun(id: "4d5fd0f969024e5b288948fd6512a76e597b994c91c7368a6c7b987c0d6037ad").log,
            stepOutput: docker18InnerRun(id: "4d5fd0f969024e5b288948fd6512a76e597b994c91c7368a6c7b987c0d6037ad").output),
        source: .daemonLog,
        firstError:
            "Handler for POST /containers/{name:.*}/start returned error: Cannot start container 4d5fd0f969024e5b288948fd6512a76e597b994c91c7368a6c7b987c0d6037ad: [8] System error: mkdir /sys/fs/docker: operation not permitted",
        signature:
            "inner: Handler for POST /containers/{name:.*}/start returned error: Cannot start container <id>: [<n>] System error: mkdir /sys/fs/docker: operation not permitted",
        errorLineCount: 3),
    SignatureFirstErrorCase(
        name: "setup: the step's stderr; no daemon runs yet",
        evidence: FailureEvidence(
            phase: .setup, daemonLog: docker19Loopback,
            stepOutput:
                "\n+ mount -t cgroup -o cpuset cgroup /sys/fs/cgroup/cpuset\nmount: /sys/fs/cgroup/cpuset: permission denied.\n"
        ),
        source: .stepOutput,
        firstError: "mount: /sys/fs/cgroup/cpuset: permission denied.",
        signature: "setup: mount: /sys/fs/cgroup/cpuset: permission denied."),
    SignatureFirstErrorCase(
        name: "no daemon line explains it: the step's first meaningful line",
        evidence: FailureEvidence(
            phase: .inner, daemonLog: ["INFO[0000] Daemon has completed initialization"],
            stepOutput: "\n\nSee 'docker run --help'.\nhello from a container that printed the wrong thing\n"),
        source: .stepOutput,
        firstError: "hello from a container that printed the wrong thing",
        signature: "inner: hello from a container that printed the wrong thing"),
    SignatureFirstErrorCase(
        name: "the daemon panicked",
        evidence: FailureEvidence(
            phase: .inner,
            daemonLog: [
                #"time="2015-12-04T08:40:34.000000000Z" level=info msg="POST /v1.21/containers/create""#,
                "panic: runtime error: invalid memory address or nil pointer dereference",
                "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x5a7b3c]",
                "",
                "goroutine 1 [running]:",
            ], stepOutput: "Cannot connect to the Docker daemon. Is the docker daemon running on this host?",
            daemonDied: true),
        source: .daemonFatal,
        firstError: "panic: runtime error: invalid memory address or nil pointer dereference",
        signature: "daemon: panic: runtime error: invalid memory address or nil pointer dereference"
            .replacingOccurrences(of: "daemon:", with: "inner:")),
    SignatureFirstErrorCase(
        name: "died without a fatal line (killed): earliest error, then the step",
        evidence: FailureEvidence(
            phase: .inner,
            daemonLog: [#"time="2016-01-01T00:00:00Z" level=info msg="Daemon has completed initialization""#],
            stepOutput:
                "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
            daemonDied: true),
        source: .stepOutput,
        firstError: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
        signature:
            "inner: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"),
    SignatureFirstErrorCase(
        name: "cleanup: a busy shm mount left by a broken inner daemon (1.9)",
        evidence: FailureEvidence(
            phase: .cleanup,
            daemonLog: [
                #"time="2015-12-04T08:40:34.000000000Z" level=error msg="Error removing mounted layer c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5: Unable to remove filesystem for c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5: remove /var/lib/docker/containers/c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5/shm: device or resource busy""#
            ]),
        source: .daemonLog,
        firstError:
            "Error removing mounted layer c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5: Unable to remove filesystem for c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5: remove /var/lib/docker/containers/c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5/shm: device or resource busy",
        signature:
            "cleanup: Error removing mounted layer <id>: Unable to remove filesystem for <id>: remove /var/lib/docker/containers/<id>/shm: device or resource busy"
    ),
    SignatureFirstErrorCase(
        name: "--log-format=json probes skipped, then the plain fatal",
        evidence: FailureEvidence(
            phase: .daemon,
            daemonLog: [
                #"{"level":"error","msg":"failed to mount overlay: invalid argument","storage-driver":"overlay2","time":"2024-10-01T10:00:00.1Z"}"#,
                #"{"error":"open /proc/sys/net/ipv4/vs/conn_reuse_mode: no such file or directory","level":"error","msg":"error reading the kernel parameter net.ipv4.vs.conn_reuse_mode","time":"2024-10-01T10:00:00.2Z"}"#,
                #"{"level":"error","msg":"mkdir /sys/fs/cgroup/cpuset/docker: read-only file system","time":"2024-10-01T10:00:00.3Z"}"#,
            ], daemonDied: false),
        source: .daemonLog,
        firstError: "mkdir /sys/fs/cgroup/cpuset/docker: read-only file system",
        signature: "daemon: mkdir /sys/fs/cgroup/cpuset/docker: read-only file system",
        errorLineCount: 3),
    SignatureFirstErrorCase(
        name: "nothing said anything",
        evidence: FailureEvidence(phase: .inner, daemonLog: [], stepOutput: "\n  \n"),
        source: .none, firstError: nil, signature: "inner: (no error output)", errorLineCount: 0),
]

@Suite("Signatures: first error of a trial")
struct SignatureFirstErrorTests {
    let finder = FirstErrorFinder()

    @Test("finds the first error of real failures", arguments: firstErrorCases)
    func diagnoses(_ example: SignatureFirstErrorCase) {
        let diagnosis = finder.diagnose(example.evidence)
        #expect(diagnosis.source == example.source)
        #expect(diagnosis.firstError == example.firstError)
        #expect(diagnosis.signature == example.signature)
        #expect(diagnosis.phase == example.evidence.phase)
        if let lastError = example.lastError { #expect(diagnosis.lastError == lastError) }
        if let count = example.errorLineCount { #expect(diagnosis.errorLines.count == count) }
    }

    @Test("every error line is kept raw, benign ones included")
    func keepsEveryErrorLine() {
        let diagnosis = finder.diagnose(
            FailureEvidence(phase: .daemon, daemonLog: dockerd2010CgroupMissing, daemonDied: true))
        #expect(diagnosis.errorLines == Array(dockerd2010CgroupMissing[2...6]) + [dockerd2010CgroupMissing[9]])
    }

    @Test("the same failure on two trials has the same signature")
    func stableAcrossTrials() {
        let first = finder.diagnose(
            FailureEvidence(
                phase: .inner,
                daemonLog: docker23InnerRun(
                    id: "8f8518eaaf8552ef3b8ae2084cc3b0ea7ccc617b6eee3507b38501dd42925e13", at: 28),
                stepOutput: docker23ClientOutput))
        let second = finder.diagnose(
            FailureEvidence(
                phase: .inner,
                daemonLog: docker23InnerRun(
                    id: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", at: 59),
                stepOutput: docker23ClientOutput))
        #expect(first.signature == second.signature)
        #expect(first.firstError != second.firstError)

        let a = docker18InnerRun(id: "4d5fd0f969024e5b288948fd6512a76e597b994c91c7368a6c7b987c0d6037ad")
        let b = docker18InnerRun(id: "ee33fb5d4651c04a139ea8725d9faf9cf7626aa12700875907dddad7f6c37e7f")
        #expect(
            finder.diagnose(FailureEvidence(phase: .inner, daemonLog: a.log, stepOutput: a.output)).signature
                == finder.diagnose(FailureEvidence(phase: .inner, daemonLog: b.log, stepOutput: b.output)).signature)
    }

    @Test("without the benign list the first probe error would win")
    func benignListMatters() {
        let naive = FirstErrorFinder(benignPatterns: [])
        let diagnosis = naive.diagnose(
            FailureEvidence(phase: .daemon, daemonLog: dockerd2010CgroupMissing, daemonDied: false))
        #expect(diagnosis.firstError == "failed to mount overlay: invalid argument")
        #expect(
            finder.diagnose(FailureEvidence(phase: .daemon, daemonLog: dockerd2010CgroupMissing, daemonDied: false))
                .firstError
                == "failed to start daemon: Devices cgroup isn't mounted")
    }

    @Test(
        "each known benign pattern matches the real line it was written for",
        arguments: [
            (
                "overlay-probe",
                "ERRO[2022-07-21T03:36:49.129036495Z] failed to mount overlay: operation not permitted  storage-driver=overlay2"
            ),
            (
                "overlay-unsupported",
                "ERRO[2019-12-11T13:56:07.774884115Z] 'overlay' not found as a supported filesystem on this host. Please ensure kernel is new enough and has overlay support loaded.  storage-driver=overlay2"
            ),
            (
                "aufs-probe",
                "ERRO[2022-09-19T12:50:30.022143996Z] AUFS cannot be used in non-init user namespace  storage-driver=aufs"
            ),
            (
                "fuse-overlayfs-probe",
                #"ERRO[2024-11-01T08:56:54.277307332Z] exec: "fuse-overlayfs": executable file not found in $PATH  storage-driver=fuse-overlayfs"#
            ),
            (
                "builtin-driver-probe",
                "ERRO[2022-09-25T05:31:47.573019324Z] Failed to built-in GetDriver graph devicemapper /root/docker"
            ),
            (
                "auplink-missing",
                #"time="2016-10-04T00:00:00Z" level=error msg="Couldn't run auplink before unmount /var/lib/docker/tmp/docker-aufs-union030413474: exec: \"auplink\": executable file not found in $PATH""#
            ),
            (
                "containerd-plugin-skip",
                #"time="2023-06-19T01:26:47.629197480Z" level=warning msg="failed to load plugin io.containerd.snapshotter.v1.devmapper" error="devmapper not configured""#
            ),
            (
                "containerd-plugin-skip",
                #"time="2020-01-31T12:27:15.538619228+01:00" level=warning msg="could not use snapshotter zfs in metadata plugin" error="path /var/lib/containerd/io.containerd.snapshotter.v1.zfs must be a zfs filesystem to be used with the zfs snapshotter: skip plugin""#
            ),
            (
                "kernel-parameter",
                #"time="2021-03-31T15:12:47Z" level=error msg="error reading the kernel parameter net.ipv4.vs.expire_nodest_conn" error="open /proc/sys/net/ipv4/vs/expire_nodest_conn: no such file or directory""#
            ),
            (
                "closed-fifo",
                #"time="2021-05-12T09:08:40.642410594+08:00" level=error msg="stream copy error: reading from a closed fifo""#
            ),
            (
                "copy-shim-log",
                #"time="2026-12-06T05:51:58.786455841Z" level=error msg="copy shim log" error="read /proc/self/fd/14: file already closed""#
            ),
            (
                "containerd-cleanup",
                "ERRO[2023-04-27T21:55:29.123758880Z] 8f8518eaaf8552ef3b8ae2084cc3b0ea7ccc617b6eee3507b38501dd42925e13 cleanup: failed to delete container from containerd: no such container "
            ),
            ("client-wait-cancelled", "ERRO[0000] error waiting for container: context canceled "),
            (
                "shim-log-closed",
                #"time="2026-12-06T05:48:18.047652953Z" level=error msg="copy shim log" error="read /proc/self/fd/13: file already closed""#
            ),
        ])
    func knownPatterns(name: String, line: String) throws {
        let pattern = try #require(BenignErrorPattern.known.first { $0.name == name })
        #expect(pattern.matches(DaemonLogLine(parsing: line).explanation))
        #expect(finder.isBenign(DaemonLogLine(parsing: line)))
    }

    @Test(
        "real causes are not mistaken for benign noise",
        arguments: [
            "failed to start daemon: Devices cgroup isn't mounted",
            #"time="2016-05-27T04:53:45.324943484Z" level=error msg="There are no more loopback devices available.""#,
            #"time="2018-04-03T15:31:11.836350296+08:00" level=error msg="[graphdriver] prior storage driver devicemapper failed: exit status 1""#,
            "ERRO[0000] Handler for POST /containers/{name:.*}/start returned error: Cannot start container 1c3: [8] System error: mkdir /sys/fs/docker-daemon: no such file or directory",
            #"time="2026-12-06T05:48:18.063291530Z" level=error msg="Handler for POST /v1.41/containers/1d20/start returned error: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to apply cgroup configuration: mkdir /sys/fs/cgroup/docker: read-only file system: unknown""#,
            #"time="2016-10-14T15:36:07.434821004+08:00" level=error msg="leaving endpoint failed: a container has already joined the endpoint""#,
        ])
    func notBenign(line: String) {
        #expect(!finder.isBenign(DaemonLogLine(parsing: line)))
    }
}
