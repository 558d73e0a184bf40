/// Facts about this build of the harness, recorded in every run's manifest.
public enum Harness {
    /// The harness version written into manifests and reports.
    public static let version = "0.1.0"
}
