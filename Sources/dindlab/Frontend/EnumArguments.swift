import ArgumentParser
import DindLab

// Options whose values are a library enum's cases are parsed as that enum (its raw values are
// the words the command line takes), so no command checks the spelling by hand.

extension Scenario.Forensics: ExpressibleByArgument {}

extension CgroupVersion: ExpressibleByArgument {}
