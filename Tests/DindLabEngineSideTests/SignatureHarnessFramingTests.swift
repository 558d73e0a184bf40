import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// One failure, one signature: what the harness writes around a step's own error (the mode's
/// channel, the run number, the exit status wording, the way a setup line ran) never reaches
/// the signature.
@Suite("Signatures: the harness's framing is taken off")
struct SignatureHarnessFramingTests {
    let finder = FirstErrorFinder()

    /// What the inner command does when it fails.
    struct InnerFailure: Sendable, CustomStringConvertible {
        let name: String
        /// Written to the inner container's stdout and stderr.
        let stdout: String
        let stderr: String
        /// What the docker CLI itself wrote (docker run failing), empty when it ran.
        let cli: String
        var description: String { name }
    }

    static let failures: [InnerFailure] = [
        InnerFailure(name: "a line on stderr, no error word", stdout: "", stderr: "flaky: drew 7\n", cli: ""),
        InnerFailure(name: "a line on stdout", stdout: "flaky: drew 7\n", stderr: "", cli: ""),
        InnerFailure(
            name: "an error word on stderr after stdout chatter", stdout: "starting\n",
            stderr: "error: cannot open /dev/shm/x\n", cli: ""),
        InnerFailure(
            name: "docker run itself fails", stdout: "", stderr: "",
            cli:
                "docker: Error response from daemon: OCI runtime create failed: unable to apply cgroup configuration.\n"
        ),
        InnerFailure(name: "no output at all", stdout: "", stderr: "", cli: ""),
    ]

    /// The step output of one failed inner run, as each mode delivers it to the executor.
    static func stepOutputs(_ failure: InnerFailure, run: Int, status: Int, daemonDied: Bool) -> [String: String] {
        func message(stderr: String, stdout: String) -> String {
            TrialFailure.innerRunFailed(run, status: status, stderr: stderr, stdout: stdout, daemonDied: daemonDied)
                .stepOutput
        }
        let tty = (failure.cli + failure.stdout + failure.stderr).replacingOccurrences(of: "\n", with: "\r\n")
        return [
            // mode d: the docker CLI's stderr apart, the inner output merged by `docker logs 2>&1`.
            "d": message(stderr: failure.cli, stdout: failure.stdout + failure.stderr),
            // mode d as it was before the merge: the inner command's stderr on the exec's stderr.
            "d, stderr apart": message(stderr: failure.cli + failure.stderr, stdout: failure.stdout),
            // mode ti: everything through the TTY, on stdout, with CR LF.
            "ti": message(stderr: "", stdout: tty),
        ]
    }

    @Test(
        "the same inner failure has one signature in mode d and mode ti, for every run number and exit status",
        arguments: failures, [false, true])
    func oneSignatureAcrossModes(failure: InnerFailure, daemonDied: Bool) {
        var signatures: Set<String> = []
        for (run, status) in [(1, 1), (3, 1), (2, 125), (1, 137)] where failure.cli.isEmpty || status == 125 {
            for (mode, output) in Self.stepOutputs(failure, run: run, status: status, daemonDied: daemonDied) {
                let diagnosis = finder.diagnose(
                    FailureEvidence(phase: .inner, stepOutput: output, daemonDied: daemonDied))
                signatures.insert(diagnosis.signature)
                #expect(
                    !diagnosis.signature.contains("exited with status")
                        || failure.stdout + failure.stderr + failure.cli == "",
                    "mode \(mode): the harness's wording is in \(diagnosis.signature)")
            }
        }
        #expect(signatures.count == 1, "\(signatures.sorted())")
    }

    @Test("the inner command's own words are the signature; with no output, the exit remains")
    func whatRemains() {
        let flaky = finder.diagnose(
            FailureEvidence(
                phase: .inner,
                stepOutput: Self.stepOutputs(Self.failures[0], run: 2, status: 1, daemonDied: false)["ti"]!))
        #expect(flaky.signature == "inner: flaky: drew <n>")
        let silent = finder.diagnose(
            FailureEvidence(
                phase: .inner,
                stepOutput: Self.stepOutputs(Self.failures[4], run: 2, status: 1, daemonDied: false)["d"]!))
        #expect(silent.signature == "inner: inner run <n> exited with status <n>")
        let died = finder.diagnose(
            FailureEvidence(
                phase: .inner,
                stepOutput: Self.stepOutputs(Self.failures[0], run: 2, status: 1, daemonDied: true)["d"]!,
                daemonDied: true))
        #expect(died.signature == "inner: the inner daemon failed: it died during inner run <n>")
    }

    @Test(
        "a failing setup line reads the same through exec (start: exec) and in the container's command (start: cmd)",
        arguments: [
            // (start: exec, start: cmd), as TrialExecutor words them.
            (
                "setup line 1 (mount -t tmpfs none /mnt) exited with status 32: mount: /mnt: permission denied.\n",
                "setup line 1 (mount -t tmpfs none /mnt) failed: mount: /mnt: permission denied."
            ),
            (
                "setup line 2 (sh -c 'exit 3' (nested)) exited with status 3: ",
                "setup line 2 (sh -c 'exit 3' (nested)) failed: "
            ),
            ("setup line 1 (false) exited with status 1: ", "setup line 1 (false) failed: "),
        ])
    func setupAcrossDaemonStarts(exec: String, cmd: String) {
        let viaExec = finder.diagnose(FailureEvidence(phase: .setup, stepOutput: exec))
        let viaCmd = finder.diagnose(FailureEvidence(phase: .setup, stepOutput: cmd))
        #expect(viaExec.signature == viaCmd.signature)
        #expect(viaExec.signature.hasPrefix("setup: "))
        #expect(!viaExec.signature.contains("exited with status"), "\(viaExec.signature)")
    }

    @Test(
        "a multi-line setup script is named by its first line: the mount error, not the script's last line, is the signature"
    )
    func multiLineSetup() {
        let script = """
            if [ "$MOUNT_CGROUPS_BY_HAND" = yes ]; then
              for h in $(cut -d: -f2 /proc/self/cgroup); do mount -n -t cgroup -o "$h" cgroup "/sys/fs/cgroup/$h"; done
            fi
            """
        let summary = OuterScripts.summary(ofSetupLine: script)
        #expect(summary == #"if [ "$MOUNT_CGROUPS_BY_HAND" = yes ]; then …"#)
        let viaExec = finder.diagnose(
            FailureEvidence(
                phase: .setup,
                stepOutput:
                    "setup line 1 (\(summary)) exited with status 32: mount: /sys/fs/cgroup/systemd: mount point is busy.\n"
            ))
        let viaCmd = finder.diagnose(
            FailureEvidence(
                phase: .setup,
                stepOutput: "setup line 1 (\(summary)) failed: mount: /sys/fs/cgroup/systemd: mount point is busy."))
        #expect(viaExec.signature == viaCmd.signature)
        #expect(viaExec.signature.hasPrefix("setup: setup line <n> (if ["), "\(viaExec.signature)")
        #expect(
            viaExec.signature.hasSuffix("failed: mount: /sys/fs/cgroup/systemd: mount point is busy."),
            "\(viaExec.signature)")
        #expect(OuterScripts.summary(ofSetupLine: "mount -t tmpfs none /mnt") == "mount -t tmpfs none /mnt")
    }

    @Test(
        "framing is taken off only at the start: the same words inside an error stay",
        arguments: [
            "copying: inner run 2 exited with status 1: x",
            "the outer container's command exited with status 2 before the inner daemon was ready",
        ])
    func onlyAtTheStart(message: String) {
        let normalised = ErrorNormaliser().normalise(message)
        #expect(normalised.contains("exited with status"))
    }

    @Test("every phase's messages keep their phase, and a failure differs from another", arguments: TrialPhase.allCases)
    func phases(phase: TrialPhase) {
        let one = finder.diagnose(
            FailureEvidence(
                phase: phase,
                stepOutput: "inner run 1 exited with status 1: umount /var/lib/docker/shm: device or resource busy"))
        let other = finder.diagnose(
            FailureEvidence(
                phase: phase,
                stepOutput: "inner run 1 exited with status 1: mkdir /sys/fs/cgroup/docker: read-only file system"))
        #expect(one.signature.hasPrefix("\(phase): "))
        #expect(one.signature != other.signature)
    }
}
