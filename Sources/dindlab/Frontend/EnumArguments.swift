import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner

// Options whose values are a library enum's cases are parsed as that enum (its raw values are
// the words the command line takes), so no command checks the spelling by hand. A value that
// is none of them is refused in a sentence naming the option and its values.

extension Scenario.Forensics: ExpressibleByArgument {
    /// `--forensics WHEN`.
    static func option(_ text: String) throws -> Self {
        guard let value = Self(argument: text) else { throw ValidationError("--forensics takes always or on-failure.") }
        return value
    }
}

extension CgroupVersion: ExpressibleByArgument {
    /// `--cgroup-version VERSION` (1, 2, v1 or v2).
    static func option(_ text: String) throws -> Self {
        guard let value = Self(argument: text) else {
            throw ValidationError("--cgroup-version \(text) is not a cgroup version: give 1 or 2.")
        }
        return value
    }
}
