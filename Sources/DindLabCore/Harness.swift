/// Facts about this build of the harness, recorded in every run's manifest.
package enum Harness {
    /// The harness version written into manifests and reports.
    package static let version = "0.1.0"
}
