import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

/// The help of `--engine`, one wording for every command that takes it.
enum EngineHelp {
    static let forms = "unix:///path, tcp://host:port, NAME=ADDRESS or a private engine's name"
    static let fallback =
        "Default: DOCKER_HOST, else the private engine \"default\" when it runs, else /var/run/docker.sock."
    /// `--engine` of a command that talks to one engine.
    static let one = ArgumentHelp("The engine: \(forms). \(fallback)", valueName: "engine")
    /// `--engine` of a command that spreads work over several engines.
    static let several = ArgumentHelp(
        "An engine: \(forms). Repeat to spread trials over several engines. \(fallback)", valueName: "engine")
}

/// `--api-version`, and the `EngineConfiguration` it resolves into with DOCKER_HOST,
/// DOCKER_API_VERSION, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
struct EngineConfigurationOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Use this Engine API version as given instead of negotiating (like DOCKER_API_VERSION).",
            valueName: "version"))
    var apiVersion: String?

    /// The configuration of this invocation. A bad value (an API version that is not one, a
    /// DOCKER_HOST that is no address, TLS without its certificates) ends every command the
    /// same way: the error on standard error and exit status 64.
    func configuration() throws -> EngineConfiguration {
        do {
            return try EngineConfiguration.resolve(apiVersion: apiVersion)
        } catch {
            throw fail(error, code: Usage.exitCode)
        }
    }
}

/// `--engine` and `--api-version` for commands that talk to one engine.
struct EngineOptions: ParsableArguments {
    @Option(help: EngineHelp.one)
    var engine: String?

    @OptionGroup var configurationOptions: EngineConfigurationOptions

    /// The engine `--engine` names (or the default one), pinned to the configuration's API version.
    func selection() throws -> DindLabEngines.EngineSelection {
        try DindLabEngines.EngineSelection.resolve(engine, configuration: try configurationOptions.configuration())
    }

    /// A client of the selected engine; warns on standard error when it is unencrypted TCP.
    func client(timeout: Duration = .seconds(60)) throws -> EngineClient {
        let selection = try selection()
        if let warning = SafetyNotices.unencryptedEngine(selection.address) {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
        return selection.client(timeout: timeout)
    }
}

/// `--engine` (repeatable) and `--api-version` for commands that use several engines.
struct EnginesOptions: ParsableArguments {
    @Option(name: .customLong("engine"), help: EngineHelp.several)
    var engines: [String] = []

    @OptionGroup var configurationOptions: EngineConfigurationOptions

    /// The configuration, and the engines given (none when no `--engine` was given), in order.
    func resolve() throws -> (configuration: EngineConfiguration, selections: [DindLabEngines.EngineSelection]) {
        let configuration = try configurationOptions.configuration()
        return (
            configuration,
            try engines.map { try DindLabEngines.EngineSelection.resolve($0, configuration: configuration) }
        )
    }
}

/// Prints an error in a full sentence to standard error, with the command line's advice for
/// engine errors (`EngineErrorAdvice`), and exits with `code`. An `ExitCode` passes through:
/// its message was printed where it was thrown.
func fail(_ error: any Error, code: Int32 = 1) -> ExitCode {
    if let exit = error as? ExitCode { return exit }
    StderrDiagnostics.say(DiagnosticText.text(for: error))
    return ExitCode(code)
}
