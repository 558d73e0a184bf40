import Foundation

/// What happens during image builds, as the builder reports it.
package enum BuildEvent: Sendable, Hashable {
    /// A recipe entered a phase (`debootstrap`, `tar`, `import`, ...); the previous phase ended.
    case phase(recipe: String, phase: String)
    /// A remark worth a line of its own (`reusing cached bookworm tree`).
    case note(recipe: String, message: String)
    /// A recipe is done; `summary` says how (`built sha256:... Docker 20.10.24`, `up to date`).
    case finished(recipe: String, summary: String)
    /// A recipe failed.
    case failed(recipe: String, message: String)
}

/// Receives build events; the command line shows them, tests record them.
package protocol BuildProgressReporter: Sendable {
    func report(_ event: BuildEvent) async
    /// The words of a build's error in its `failed` event; by default the error's description.
    /// The command line names its options here (`pass --binary PATH`).
    func describe(_ error: any Error) -> String
}

extension BuildProgressReporter {
    package func describe(_ error: any Error) -> String { "\(error)" }
}
