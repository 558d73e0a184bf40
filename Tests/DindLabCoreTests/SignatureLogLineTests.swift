import Testing

@testable import DindLabCore

/// Real daemon log lines (from public issue reports) and what the parser must read in them.
struct SignatureLogLineCase: Sendable, CustomTestStringConvertible {
    let era: String
    let line: String
    let format: DaemonLogLine.Format
    let level: DaemonLogLevel?
    let message: String
    var fields: [String: String] = [:]
    var time: String? = nil
    var explanation: String? = nil

    var testDescription: String { "\(era): \(line.prefix(60))" }
}

private let esc = "\u{1B}"

private let logLineCases: [SignatureLogLineCase] = [
    SignatureLogLineCase(
        era: "20.10 logfmt, escaped quotes",
        line:
            #"time="2021-12-27T09:14:23.699733080Z" level=info msg="loading plugin \"io.containerd.grpc.v1.diff\"..." type=io.containerd.grpc.v1"#,
        format: .logfmt, level: .info, message: #"loading plugin "io.containerd.grpc.v1.diff"..."#,
        fields: ["type": "io.containerd.grpc.v1"], time: "2021-12-27T09:14:23.699733080Z"),
    SignatureLogLineCase(
        era: "1.9 logfmt fatal",
        line:
            #"time="2016-05-27T04:53:45.325181627Z" level=fatal msg="Error starting daemon: error initializing graphdriver: loopback mounting failed""#,
        format: .logfmt, level: .fatal,
        message: "Error starting daemon: error initializing graphdriver: loopback mounting failed"),
    SignatureLogLineCase(
        era: "1.7 logfmt with err field and trailing space",
        line:
            #"time="2016-10-14T15:36:08.573444334+08:00" level=error msg="HTTP Error" err="Cannot start container ee33fb5d4651c04a139ea8725d9faf9cf7626aa12700875907dddad7f6c37e7f: no such file or directory" statusCode=404 "#,
        format: .logfmt, level: .error, message: "HTTP Error",
        fields: [
            "err":
                "Cannot start container ee33fb5d4651c04a139ea8725d9faf9cf7626aa12700875907dddad7f6c37e7f: no such file or directory",
            "statusCode": "404",
        ],
        explanation:
            "HTTP Error: Cannot start container ee33fb5d4651c04a139ea8725d9faf9cf7626aa12700875907dddad7f6c37e7f: no such file or directory"
    ),
    SignatureLogLineCase(
        era: "17.x containerd, unescaped quotes, journald prefix",
        line:
            #"Feb 23 11:33:50 ubuntu-xenial dockerd[896]: time="2018-02-23T11:33:50Z" level=info msg="loading plugin "io.containerd.grpc.v1.tasks"..." module=containerd type=io.containerd.grpc.v1"#,
        format: .logfmt, level: .info, message: #"loading plugin "io.containerd.grpc.v1.tasks"..."#,
        fields: ["module": "containerd", "type": "io.containerd.grpc.v1"]),
    SignatureLogLineCase(
        era: "19.03 containerd warning with nested quotes",
        line:
            #"time="2020-01-31T12:27:15.537965126+01:00" level=warning msg="failed to load plugin io.containerd.snapshotter.v1.aufs" error="modprobe aufs failed: "modprobe: FATAL: Module aufs not found.\n": exit status 1""#,
        format: .logfmt, level: .warning, message: "failed to load plugin io.containerd.snapshotter.v1.aufs",
        fields: ["error": "modprobe aufs failed: \"modprobe: FATAL: Module aufs not found.\n\": exit status 1"],
        explanation:
            "failed to load plugin io.containerd.snapshotter.v1.aufs: modprobe aufs failed: \"modprobe: FATAL: Module aufs not found.\n\": exit status 1"
    ),
    SignatureLogLineCase(
        era: "20.10 plain fatal in journald",
        line:
            "May 05 05:35:32 master1 dockerd[492]: failed to start daemon: error initializing graphdriver: driver not supported",
        format: .plain, level: .fatal,
        message: "failed to start daemon: error initializing graphdriver: driver not supported"),
    SignatureLogLineCase(
        era: "17.x plain fatal",
        line: "Error starting daemon: Devices cgroup isn't mounted",
        format: .plain, level: .fatal, message: "Error starting daemon: Devices cgroup isn't mounted"),
    SignatureLogLineCase(
        era: "1.7 terminal format",
        line: "ERRO[0000] There are no more loopback devices available. ",
        format: .bracketed, level: .error, message: "There are no more loopback devices available.", time: "0000"),
    SignatureLogLineCase(
        era: "1.6 terminal fatal",
        line: "FATA[0000] Shutting down daemon due to errors: error intializing graphdriver: loopback mounting failed",
        format: .bracketed, level: .fatal,
        message: "Shutting down daemon due to errors: error intializing graphdriver: loopback mounting failed"),
    SignatureLogLineCase(
        era: "1.7 terminal info, trailing padding",
        line: "INFO[0000] +job serveapi(unix:///var/run/docker.sock)   ",
        format: .bracketed, level: .info, message: "+job serveapi(unix:///var/run/docker.sock)"),
    SignatureLogLineCase(
        era: "1.9 terminal format with colour codes",
        line:
            "\(esc)[31mERRO\(esc)[0m[2809574] Handler for GET /images/{name:.*}/json returned error: No such image: mesos-20151014-195414-3878100490-5050-18653-S5.f3db11b8-459c-476a-8520-f8cff385c445 ",
        format: .bracketed, level: .error,
        message:
            "Handler for GET /images/{name:.*}/json returned error: No such image: mesos-20151014-195414-3878100490-5050-18653-S5.f3db11b8-459c-476a-8520-f8cff385c445",
        time: "2809574"),
    SignatureLogLineCase(
        era: "20.10 terminal format with a padded field",
        line:
            "ERRO[2022-09-19T12:50:30.024855330Z] failed to mount overlay: invalid argument     storage-driver=overlay",
        format: .bracketed, level: .error, message: "failed to mount overlay: invalid argument",
        fields: ["storage-driver": "overlay"], time: "2022-09-19T12:50:30.024855330Z"),
    SignatureLogLineCase(
        era: "20.10 terminal format, coloured field",
        line:
            "\(esc)[31mERRO\(esc)[0m[2022-03-13T13:43:08.782078828Z] exec: \"fuse-overlayfs\": executable file not found in $PATH  \(esc)[31mstorage-driver\(esc)[0m=fuse-overlayfs",
        format: .bracketed, level: .error, message: "exec: \"fuse-overlayfs\": executable file not found in $PATH",
        fields: ["storage-driver": "fuse-overlayfs"]),
    SignatureLogLineCase(
        era: "20.10 terminal format, quoted error field",
        line:
            #"ERRO[2022-12-11T09:32:02.718328123+03:30] error reading the kernel parameter net.ipv4.vs.conn_reuse_mode  error="open /proc/sys/net/ipv4/vs/conn_reuse_mode: no such file or directory""#,
        format: .bracketed, level: .error, message: "error reading the kernel parameter net.ipv4.vs.conn_reuse_mode",
        fields: ["error": "open /proc/sys/net/ipv4/vs/conn_reuse_mode: no such file or directory"],
        explanation:
            "error reading the kernel parameter net.ipv4.vs.conn_reuse_mode: open /proc/sys/net/ipv4/vs/conn_reuse_mode: no such file or directory"
    ),
    SignatureLogLineCase(
        era: "20.10 terminal format, several fields",
        line:
            "INFO[2022-09-19T12:50:30.466742023Z] Docker daemon                                 commit=e42327a graphdriver(s)=vfs version=20.10.18",
        format: .bracketed, level: .info, message: "Docker daemon",
        fields: ["commit": "e42327a", "graphdriver(s)": "vfs", "version": "20.10.18"]),
    SignatureLogLineCase(
        era: "23.x terminal format, long message without fields",
        line:
            "ERRO[2023-04-27T21:55:29.124013412Z] Handler for POST /v1.41/containers/8f8518eaaf8552ef3b8ae2084cc3b0ea7ccc617b6eee3507b38501dd42925e13/start returned error: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error jailing process inside rootfs: pivot_root .: invalid argument: unknown ",
        format: .bracketed, level: .error,
        message:
            "Handler for POST /v1.41/containers/8f8518eaaf8552ef3b8ae2084cc3b0ea7ccc617b6eee3507b38501dd42925e13/start returned error: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error jailing process inside rootfs: pivot_root .: invalid argument: unknown"
    ),
    SignatureLogLineCase(
        era: "25+ --log-format=json",
        line:
            #"{"level":"fatal","msg":"failed to start daemon: Devices cgroup isn't mounted","time":"2024-10-01T10:00:00.000000000Z"}"#,
        format: .json, level: .fatal, message: "failed to start daemon: Devices cgroup isn't mounted",
        time: "2024-10-01T10:00:00.000000000Z"),
    SignatureLogLineCase(
        era: "25+ --log-format=json with fields",
        line:
            #"{"error":"devmapper not configured","level":"warning","msg":"failed to load plugin","pid":42,"time":"2024-10-01T10:00:00.1Z","type":"io.containerd.snapshotter.v1"}"#,
        format: .json, level: .warning, message: "failed to load plugin",
        fields: ["error": "devmapper not configured", "pid": "42", "type": "io.containerd.snapshotter.v1"],
        explanation: "failed to load plugin: devmapper not configured"),
    SignatureLogLineCase(
        era: "Go runtime panic",
        line: "panic: runtime error: invalid memory address or nil pointer dereference",
        format: .plain, level: .panic,
        message: "panic: runtime error: invalid memory address or nil pointer dereference"),
    SignatureLogLineCase(
        era: "panic trace line",
        line: "goroutine 1 [running]:",
        format: .plain, level: nil, message: "goroutine 1 [running]:"),
    SignatureLogLineCase(
        era: "docker client stderr",
        line:
            "docker: Error response from daemon: OCI runtime create failed: container_linux.go:370: starting container process caused: process_linux.go:459: container init caused: rootfs_linux.go:59: mounting \"mqueue\" to rootfs at \"/dev/mqueue\" caused: device or resource busy: unknown.\r\n",
        format: .plain, level: nil,
        message:
            "docker: Error response from daemon: OCI runtime create failed: container_linux.go:370: starting container process caused: process_linux.go:459: container init caused: rootfs_linux.go:59: mounting \"mqueue\" to rootfs at \"/dev/mqueue\" caused: device or resource busy: unknown."
    ),
    SignatureLogLineCase(
        era: "a line that merely mentions level=",
        line: "echo level=banana msg=hi",
        format: .plain, level: nil, message: "echo level=banana msg=hi"),
]

@Suite("Signatures: daemon log lines")
struct SignatureLogLineTests {
    @Test("reads level, message and fields of real daemon lines", arguments: logLineCases)
    func parses(_ example: SignatureLogLineCase) {
        let line = DaemonLogLine(parsing: example.line)
        #expect(line.format == example.format)
        #expect(line.level == example.level)
        #expect(line.message == example.message)
        #expect(Dictionary(uniqueKeysWithValues: line.fields.map { ($0.key, $0.value) }) == example.fields)
        if let time = example.time { #expect(line.time == time) }
        #expect(line.explanation == (example.explanation ?? example.message))
    }

    @Test("keeps the raw line without its line break")
    func keepsRaw() {
        let line = DaemonLogLine(parsing: "ERRO[0000] boom \r\n")
        #expect(line.raw == "ERRO[0000] boom ")
    }

    @Test("fields keep their order")
    func fieldOrder() {
        let line = DaemonLogLine(
            parsing: #"time="2023-01-11T17:11:32.298704058Z" level=info msg="x" zeta=1 alpha=2 mid="a b""#)
        #expect(line.fields.map(\.key) == ["zeta", "alpha", "mid"])
        #expect(line.field("mid") == "a b")
    }

    @Test("error, fatal and panic are error levels; warnings are not")
    func errorLevels() {
        #expect(DaemonLogLevel.allCases.filter(\.isError) == [.error, .fatal, .panic])
        #expect(DaemonLogLevel(logName: "WARN") == .warning)
        #expect(DaemonLogLevel(logName: "FATA") == .fatal)
        #expect(DaemonLogLevel(logName: "loud") == nil)
    }
}
