import ArgumentParser
import DindLab
import DockerEngine
import Foundation

/// `--engine` for commands that talk to one engine.
struct EngineOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The engine: unix:///path, tcp://host:port, NAME=ADDRESS, or a private engine's name. Default: DOCKER_HOST, else the private engine \"default\" when it runs, else /var/run/docker.sock.",
        valueName: "engine"))
    var engine: String?

    @Option(help: ArgumentHelp("Use this Engine API version as given instead of negotiating (like DOCKER_API_VERSION).", valueName: "version"))
    var apiVersion: String?

    func selection() throws -> DindLab.EngineSelection {
        try DindLab.EngineSelection.resolve(engine)
    }

    func client(timeout: Duration = .seconds(60)) throws -> EngineClient {
        let selection = try selection()
        var pinned: APIVersion?
        if let text = apiVersion ?? ProcessInfo.processInfo.environment["DOCKER_API_VERSION"], !text.isEmpty {
            guard let version = APIVersion(text) else {
                throw ValidationError("The API version \"\(text)\" must look like 1.41.")
            }
            pinned = version
        }
        if let warning = SafetyNotices.unencryptedEngine(selection.address) {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
        return EngineClient(address: selection.address, apiVersion: pinned, timeout: timeout)
    }
}

/// Prints an error in a full sentence to standard error and exits with `code`.
func fail(_ error: Error, code: Int32 = 1) -> ExitCode {
    StderrDiagnostics.say(DiagnosticText.text(for: error))
    return ExitCode(code)
}
