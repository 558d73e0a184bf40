import Foundation

extension EngineModel {
    /// Creates an exec instance from a `POST /containers/{id}/exec` body.
    /// - Returns: the exec id.
    mutating func createExec(container reference: String, body: JSON) throws(APIError) -> String {
        let container = containers[try existingContainerIndex(reference)]
        guard container.isRunning else { throw .conflict("Container \(container.id) is not running") }
        guard let argv = body["Cmd"]?.stringArray, !argv.isEmpty else { throw .badRequest("No exec command specified") }
        let exec = ExecRecord(
            id: HexID.make(), containerID: container.id, argv: argv, tty: body["Tty"]?.bool ?? false,
            user: body["User"]?.string ?? "", privileged: body["Privileged"]?.bool ?? false,
            attachStdin: body["AttachStdin"]?.bool ?? false, attachStdout: body["AttachStdout"]?.bool ?? false,
            attachStderr: body["AttachStderr"]?.bool ?? false)
        execs[exec.id] = exec
        return exec.id
    }

    func existingExec(_ id: String) throws(APIError) -> ExecRecord {
        guard let exec = execs[id] else { throw .notFound("No such exec instance: \(id)") }
        return exec
    }

    /// Checks that an exec instance may start.
    func execToStart(_ id: String) throws(APIError) -> ExecRecord {
        let exec = try existingExec(id)
        guard exec.run == nil else {
            throw .conflict("Error: Exec command \(id) is already running")
        }
        guard let container = containerIndex(exec.containerID).map({ containers[$0] }), container.isRunning else {
            throw .conflict("Container \(exec.containerID) is not running")
        }
        return exec
    }

    /// Marks an exec instance started with its program's outcome.
    mutating func startExec(_ id: String, process: ScriptedProcess) throws(APIError) {
        _ = try existingExec(id)
        let now = Date()
        let pid = allocatePID()
        execs[id]?.run = ContainerRun(
            startedAt: now, plannedExit: now.addingTimeInterval(process.runningFor.timeInterval),
            exitCode: process.exitCode, pid: pid)
    }
}
