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
        try Self.configuration(apiVersion: apiVersion)
    }

    /// The configuration from the environment and an `--api-version` (nil when the command
    /// has none), or the error on standard error and exit status 64.
    static func configuration(apiVersion: String?) throws -> EngineConfiguration {
        do {
            return try EngineConfiguration.resolve(apiVersion: apiVersion)
        } catch {
            throw fail(error, code: Usage.exitCode)
        }
    }
}

/// The check every dindlab command starts with (`Dindlab.main`, right after parsing): engine
/// settings in the environment that cannot be used (`EngineConfigurationOptions.configuration()`)
/// end the command with the same sentence and exit status 64, also when it talks to no engine
/// (`report`, `merge`, `engine up`, ...), so a bad shell setting shows at once, worded one way.
/// Only commands that do something are checked: `--help`, `--version`, `help` and the command
/// groups print their help whatever the environment holds.
enum EngineSettingsCheck {
    /// Refuses a bad DOCKER_HOST, DOCKER_API_VERSION, DOCKER_TLS_VERIFY or DOCKER_CERT_PATH
    /// before `command` runs.
    /// - Throws: `ExitCode` 64, the error already on standard error.
    static func run(before command: any ParsableCommand) throws {
        guard leafCommands().contains(ObjectIdentifier(type(of: command))) else { return }
        // `--api-version` wins over DOCKER_API_VERSION, here as in the command itself.
        let apiVersion = (command as? any TakesAPIVersion)?.configurationOptions.apiVersion
        _ = try EngineConfigurationOptions.configuration(apiVersion: apiVersion)
    }

    /// dindlab's commands that do something: the leaves of its command tree.
    private static func leafCommands() -> Set<ObjectIdentifier> {
        var leaves: Set<ObjectIdentifier> = []
        var pending = Dindlab.configuration.subcommands
        while let command = pending.popLast() {
            let children = command.configuration.subcommands
            if children.isEmpty { leaves.insert(ObjectIdentifier(command)) } else { pending += children }
        }
        return leaves
    }
}

/// A command that takes `--api-version` (the commands that talk to engines).
protocol TakesAPIVersion {
    /// Its `--api-version`.
    var configurationOptions: EngineConfigurationOptions { get }
}

extension RunCommand: TakesAPIVersion {
    var configurationOptions: EngineConfigurationOptions { engineOptions.configurationOptions }
}
extension ReproCommand: TakesAPIVersion {
    var configurationOptions: EngineConfigurationOptions { engineOptions.configurationOptions }
}
extension PlanCommand: TakesAPIVersion {}
extension ValidateCommand: TakesAPIVersion {}
extension FingerprintCommand.Diff: TakesAPIVersion {}
extension ImagesCommand.Build: TakesAPIVersion {
    var configurationOptions: EngineConfigurationOptions { common.engineOptions.configurationOptions }
}
extension ImagesCommand.List: TakesAPIVersion {
    var configurationOptions: EngineConfigurationOptions { common.engineOptions.configurationOptions }
}
extension EngineCommand.Ping: TakesAPIVersion {
    var configurationOptions: EngineConfigurationOptions { engine.configurationOptions }
}
extension EngineCommand.Info: TakesAPIVersion {
    var configurationOptions: EngineConfigurationOptions { engine.configurationOptions }
}
extension GcCommand: TakesAPIVersion {
    var configurationOptions: EngineConfigurationOptions { engine.configurationOptions }
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
