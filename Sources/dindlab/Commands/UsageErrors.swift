import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

/// Usage errors: what the command line asked for cannot be done as given. Every command exits
/// 64 for them (ArgumentParser's `ValidationError` and `ExitCode.validationFailure`), with a
/// sentence that names the option and the values it takes. See README, "Exit status".
enum Usage {
    /// The exit status of every usage error (EX_USAGE).
    static let exitCode: Int32 = 64

    /// Refuses a count below `minimum`: `--repeat 0: give a whole number of trials per cell of at
    /// least 1.`
    /// - Parameters:
    ///   - value: The option's value, if given.
    ///   - option: The option as typed, `--repeat`.
    ///   - what: What the number counts, `trials per cell`.
    ///   - minimum: The smallest value allowed.
    static func check(_ value: Int?, _ option: String, counts what: String, atLeast minimum: Int = 1) throws {
        guard let value, value < minimum else { return }
        throw ValidationError(
            "\(option) \(value): give a whole number of \(what) of at least \(minimum) (\(minimum), \(minimum + 1), ...)."
        )
    }

    /// Prints `error` and returns exit status 64 when it is about the command line (a scenario
    /// file that does not load or validate, an `--only` filter or `--repeat` the plan cannot
    /// take, an `--engine` that is no address or engine name), else `otherwise`: so a mistyped
    /// command gets 64, never the 1 or 2 that judge a run.
    static func failure(_ error: any Error, otherwise code: Int32) -> ExitCode {
        let usage =
            error is YAMLErrors || error is YAMLError || error is PlanError || error is ReproError
            || error is ValidationError
            || (error as? EngineError)?.isInvalidInput == true
        return fail(error, code: usage ? exitCode : code)
    }
}
