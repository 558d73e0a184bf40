// dindlab-fake-engine: the test suite's FakeEngine as a process of its own, so benchmarks can
// run `dindlab run` against an engine whose own time does not dominate (memory and scale).
//
//     dindlab-fake-engine [--persona 20.10|26|1.9|1.7]
//
// Prints the engine's address (unix:///tmp/fake-engine-.../docker.sock) on the first line of
// standard output, serves until standard input closes, then removes its socket and exits.
//
// It knows the outer image dindlab/outer:bookworm with the labels a built outer image carries,
// keeps outer containers running (their command idles), and answers every exec with exit 0
// and "ok", so the readiness wait, the image load and `run -d` inner runs all pass.
import FakeEngine
import Foundation

let arguments = CommandLine.arguments.dropFirst()
var persona = DaemonPersona.docker20dot10
if let index = arguments.firstIndex(of: "--persona"), arguments.index(after: index) < arguments.endIndex {
    switch arguments[arguments.index(after: index)] {
    case "1.7": persona = .docker1dot7
    case "1.9": persona = .docker1dot9
    case "26": persona = .docker26
    default: persona = .docker20dot10
    }
}

let engine = try FakeEngine.start(persona)
engine.addImage(
    "dindlab/outer:bookworm",
    labels: [
        "dindlab.daemon.command": #"["dockerd"]"#,
        "dindlab.docker.version": "20.10.24",
        "dindlab.recipe": "bookworm",
    ],
    cmd: ["sh"])
engine.setProgram { command, _ in
    // An outer container's own command idles (a daemon runs inside); `true` (the privilege
    // probe) ends at once; every exec succeeds and prints what an inner run would.
    if command.first == "true" { return ScriptedProcess() }
    if command.count == 3, command[0] == "sh", command[1] == "-c", command[2].hasPrefix("mkdir -p /dindlab/run") {
        return ScriptedProcess(runningFor: .seconds(86_400))
    }
    return ScriptedProcess(stdout: "ok\n")
}

FileHandle.standardOutput.write(Data((engine.address + "\n").utf8))

// The fake records every request for tests to inspect; a long benchmark has no use for them.
let cleaner = Thread {
    while true {
        Thread.sleep(forTimeInterval: 1)
        engine.clearRequests()
    }
}
cleaner.start()

_ = FileHandle.standardInput.readDataToEndOfFile()
engine.stop()
