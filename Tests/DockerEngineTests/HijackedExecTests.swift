import DockerEngine
import FakeEngine
import Foundation
import Testing

/// Exec instances: attached start over a hijacked connection (Upgrade: tcp), with and without
/// a TTY; the daemon's refusal; detached start (204 or 200 by era); exit codes by polling.
@Suite("HijackedExec", .timeLimit(.minutes(1)))
struct HijackedExecTests {
    static let report = ScriptedProcess(stdout: "report out\n", stderr: "report err\n", exitCode: 3)

    @Test(
        "An attached exec asks for an upgrade and returns output and exit code", arguments: DaemonPersona.all,
        [false, true])
    func attached(persona: DaemonPersona, tty: Bool) async throws {
        try await withClient(persona) { engine, client in
            engine.script(["report": Self.report])
            let container = try await client.runContainer()
            let result = try await client.exec(in: container, ["report"], tty: tty)
            #expect(result.exitCode == 3)
            if tty {
                #expect(result.output.stdoutText == "report out\nreport err\n")
                #expect(result.output.stderr.isEmpty)
            } else {
                #expect(result.output.stdoutText == "report out\n")
                #expect(result.output.stderrText == "report err\n")
            }

            let create = try #require(engine.requests(endingWith: "/containers/\(container)/exec").first)
            let config = try #require(try JSONSerialization.jsonObject(with: create.body) as? [String: Any])
            #expect(config["Cmd"] as? [String] == ["report"])
            #expect(config["Tty"] as? Bool == tty)
            #expect(config["AttachStdout"] as? Bool == true)
            #expect(config["AttachStderr"] as? Bool == true)

            let start = try #require(engine.requests(endingWith: "/exec/\(result.execID)/start").first)
            #expect(start.method == "POST")
            #expect(start.path == "/v\(persona.apiVersion)/exec/\(result.execID)/start")
            #expect(start.header("Connection") == "Upgrade")
            #expect(start.header("Upgrade") == "tcp")
            let options = try #require(try JSONSerialization.jsonObject(with: start.body) as? [String: Any])
            #expect(options["Detach"] as? Bool == false)
            #expect(options["Tty"] as? Bool == tty)
        }
    }

    @Test(
        "Starting an exec in a container that stopped is the daemon's 409, attached or detached",
        arguments: DaemonPersona.all, [false, true])
    func containerNotRunning(persona: DaemonPersona, detached: Bool) async throws {
        try await withClient(persona) { engine, client in
            engine.script()
            let container = try await client.runContainer()
            let exec = try await client.createExec(in: container, ExecConfig(cmd: ["echo", "hi"]))
            try await client.killContainer(container)
            let error = await #expect(throws: EngineError.self) {
                if detached {
                    try await client.startExecDetached(exec)
                } else {
                    _ = try await client.startExecAttached(exec, tty: false)
                }
            }
            let message = "Container \(container) is not running"
            #expect(error?.status == 409)
            #expect(error?.daemonMessage == message)
            let description = error?.description ?? ""
            #expect(description.contains("POST /v\(persona.apiVersion)/exec/\(exec)/start"), "\(description)")
            #expect(description.contains("HTTP 409"), "\(description)")
            #expect(description.contains("\"\(message)\""), "\(description)")
        }
    }

    @Test(
        "A detached exec start is accepted whether the daemon answers 204 (Docker 1.7) or 200",
        arguments: DaemonPersona.all)
    func detached(persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            engine.script(["work": ScriptedProcess(exitCode: 5)])
            let container = try await client.runContainer()
            let exec = try await client.createExec(in: container, ExecConfig(cmd: ["work"], attach: false))
            try await client.startExecDetached(exec)
            #expect(try await client.waitExec(exec) == 5)
            let start = try #require(engine.requests(endingWith: "/exec/\(exec)/start").first)
            #expect(start.header("Upgrade") == nil)
            let options = try #require(try JSONSerialization.jsonObject(with: start.body) as? [String: Any])
            #expect(options["Detach"] as? Bool == true)
        }
    }

    @Test(
        "waitExec polls Running: before API 1.22 ExitCode reads 0 while the process runs", arguments: DaemonPersona.all)
    func waitExecPolls(persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            engine.script(["work": ScriptedProcess(exitCode: 7, runningFor: .milliseconds(700))])
            let container = try await client.runContainer()
            let exec = try await client.createExec(in: container, ExecConfig(cmd: ["work"], attach: false))
            try await client.startExecDetached(exec)
            #expect(try await client.waitExec(exec) == 7)
            // It asked while the process ran (when old daemons say ExitCode 0) and again after.
            #expect(engine.requests(endingWith: "/exec/\(exec)/json").count >= 2)
            let inspected = try await client.inspectExec(exec)
            #expect(inspected.running == false)
            #expect(inspected.exitCode == 7)
        }
    }
}
