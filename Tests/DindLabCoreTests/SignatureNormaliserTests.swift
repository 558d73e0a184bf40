import Testing

@testable import DindLabCore

@Suite("Signatures: normalisation")
struct SignatureNormaliserTests {
    let normaliser = ErrorNormaliser()

    @Test(
        "replaces what varies between trials",
        arguments: [
            // Docker 1.8, the RancherOS DinD report.
            (
                "Error response from daemon: Cannot start container 4d5fd0f969024e5b288948fd6512a76e597b994c91c7368a6c7b987c0d6037ad: [8] System error: mkdir /sys/fs/docker: operation not permitted",
                "Error response from daemon: Cannot start container <id>: [<n>] System error: mkdir /sys/fs/docker: operation not permitted"
            ),
            // Docker 1.9, the shm mount a broken inner daemon leaves behind.
            (
                "Unable to remove filesystem for c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5: remove /var/lib/docker/containers/c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5/shm: device or resource busy",
                "Unable to remove filesystem for <id>: remove /var/lib/docker/containers/<id>/shm: device or resource busy"
            ),
            // Devicemapper device names carry device numbers and inodes.
            (
                "Error mounting '/dev/mapper/docker-253:0-267081-c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5' on '/var/lib/docker/devicemapper/mnt/c39206003c7ae8992a554a9ac2ea130327fc4af1b2c389656c34baf9a56c84b5': device or resource busy",
                "Error mounting '/dev/mapper/docker-<n>:<n>-<n>-<id>' on '/var/lib/docker/devicemapper/mnt/<id>': device or resource busy"
            ),
            (
                "open /sys/fs/cgroup/devices/system.slice/docker-72b67e33e4f3a23d17ed0d579992c640dd7a05292c93ec2b31696bff4dfb9d72.scope/cgroup.procs: no such file or directory",
                "open /sys/fs/cgroup/devices/system.slice/docker-<id>.scope/cgroup.procs: no such file or directory"
            ),
            (
                "Failed to start with docker id 72b67e33e4f3 with error: API error (500)",
                "Failed to start with docker id <id> with error: API error (<n>)"
            ),
            ("libcontainerd: new containerd process, pid: 28722", "libcontainerd: new containerd process, pid: <n>"),
            (
                "time 2016-10-14T15:36:08.573444334+08:00 and 2014/04/23 18:58:56 and Dec 13 17:31:12 and 09:08:40",
                "time <time> and <time> and <time> and <time>"
            ),
            (
                "Couldn't run auplink before unmount /var/lib/docker/tmp/docker-aufs-union030413474: exec: \"auplink\": executable file not found in $PATH",
                "Couldn't run auplink before unmount <path>: exec: \"auplink\": executable file not found in $PATH"
            ),
            ("open /tmp/dindlab-3f9a/trial.log: permission denied", "open <path>: permission denied"),
            (
                "Digest: sha256:53f1bbee2f52c39e41682ee1d388285290c5c8a76cc92b42687eecf38e0af3f0",
                "Digest: sha256:<digest>"
            ),
            ("No such image: mesos-S5.f3db11b8-459c-476a-8520-f8cff385c445", "No such image: mesos-S5.<uuid>"),
            (
                "containerd successfully booted in 0.038585s, retried after 1m30s and 250ms",
                "containerd successfully booted in <duration>, retried after <duration> and <duration>"
            ),
            ("unexpected fault address 0xc820010000", "unexpected fault address <hex>"),
            (
                "[8e9a9c4b] +job serveapi(unix:///var/run/docker.sock)",
                "[<hex>] +job serveapi(unix:///var/run/docker.sock)"
            ),
            ("API listen on 127.0.0.1:2375 and [::]:2376", "API listen on <n>:<n> and [::]:<n>"),
            ("exec runc-process123456789 failed", "exec runc-process<n> failed"),
            (
                "Default bridge (docker0) is assigned with an IP address 172.18.0.0/16",
                "Default bridge (docker0) is assigned with an IP address <n>/<n>"
            ),
        ])
    func replaces(input: String, expected: String) {
        #expect(normaliser.normalise(input) == expected)
    }

    @Test(
        "keeps what tells failures apart",
        arguments: [
            "cgroup v1 and cgroup2 on overlay2 over ipv4 on x86_64",
            "iptables --wait -t nat -N DOCKER: iptables v1.8.10 (nf_tables): TABLE_ADD failed (Not supported): table nat (exit status 4)",
            "Handler for POST /v1.41/containers/create returned error",
            "exec: \"zfs\": exit code 127",
            "open /proc/1/cgroup: no such file or directory",
            "mkdir /sys/fs/cgroup/cpuset/docker: read-only file system",
        ])
    func keeps(input: String) {
        #expect(normaliser.normalise(input) == input)
    }

    @Test("another process's /proc entry is a number like any other")
    func procOfOtherPid() {
        #expect(normaliser.normalise("open /proc/28722/cgroup: no such file") == "open /proc/<n>/cgroup: no such file")
        #expect(normaliser.normalise("open /proc/1/cgroup") == "open /proc/1/cgroup")
    }

    @Test("collapses whitespace and line breaks")
    func whitespace() {
        #expect(normaliser.normalise("  failed:\n\tiptables   said no \n") == "failed: iptables said no")
    }

    @Test("cuts the middle of long messages, keeping the start and the root cause at the end")
    func truncates() {
        let short = ErrorNormaliser(maximumLength: 13)
        #expect(short.normalise("abcdefghijklmnopqrstuvwxyz") == "abcde … vwxyz")
        #expect(short.normalise("abcdefghijklm") == "abcdefghijklm")
        #expect(normaliser.normalise(String(repeating: "x ", count: 500)).count == 200)
    }

    @Test("the same failure on two trials reads the same")
    func sameFailureSameText() {
        let first =
            "time=2024-01-02T03:04:05.1Z Cannot start container 4d5fd0f96902: [8] System error: mkdir /tmp/a1b2/merged: pid 4242 took 1.2s"
        let second =
            "time=2024-03-09T23:59:01.987654321Z Cannot start container 9e0a11cc0d17: [8] System error: mkdir /tmp/ffe0/merged: pid 17 took 80ms"
        #expect(normaliser.normalise(first) == normaliser.normalise(second))
    }
}
