import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// The words of an error for the user: the library's sentence of what happened, and, where
/// the error carries a typed remedy, what to do in terms of dindlab's commands and options.
/// Every command's errors pass through here (`fail`, and `Dindlab.main` for errors a command
/// does not catch).
enum DiagnosticText {
    /// The full message for `error`.
    static func text(for error: any Error) -> String {
        if let error = error as? PrivateEngineError, let remedy = error.remedy {
            return withHint(error.description, hint(remedy))
        }
        if let text = OptionErrorText.text(for: error) { return text }
        return EngineErrorAdvice.sentence(for: error)
    }

    /// `error` as the command line reports it: worded here when it carries a remedy, else as is
    /// (so ArgumentParser still treats its own errors and exit codes as before).
    static func worded(_ error: any Error) -> any Error {
        let text = text(for: error)
        return text == "\(error)" ? error : WordedError(description: text)
    }

    /// What to do about a private engine's failure.
    static func hint(_ remedy: PrivateEngineError.Remedy) -> String {
        switch remedy {
        case .stopFirst(let engine, let processes, let otherwise):
            let down: String
            switch engine {
            case .name(let name): down = "--name \(name)"
            case .directory(let directory): down = "--dir \(directory)"
            }
            let alternative: String
            switch otherwise {
            case .anotherName: alternative = ", or pick another --name"
            case .anotherDirectory: alternative = ", or pass --dir another directory"
            case nil: alternative = ""
            }
            return "stop \(processes ? "them" : "it") first with `dindlab engine down \(down)`\(alternative)"
        case .anotherNameOrRemoveFolder:
            return "pick another --name, or remove that folder if its engine is of no more use"
        case .stopDaemonOrAnotherDirectory:
            return "stop it or pass --dir another directory"
        case .directory(let what):
            return "pass --dir \(what)"
        case .binary(let what):
            return "pass --binary \(what)"
        case .installOrBinary(let package):
            return "install it with `apt-get install \(package)`, or pass --binary PATH to a Docker daemon binary"
        case .hostCgroupVersion:
            return "leave out --cgroup-version"
        }
    }

    /// `The engine ... runs.` and `stop it` as `The engine ... runs; stop it.`
    static func withHint(_ sentence: String, _ hint: String) -> String {
        (sentence.hasSuffix(".") ? String(sentence.dropLast()) : sentence) + "; " + hint + "."
    }
}

/// An error as worded for the user (its `description` is the whole message).
struct WordedError: Error, CustomStringConvertible {
    let description: String
}
