/// Whether two runs read the same scenario files: `compare A B` pairs cells by scenario and cell
/// id, so runs of edited files (another command, another setup line) pair cells that are not the
/// same experiment. Files are matched by the path the manifests recorded, then by digest.
package enum ScenarioFileCheck {
    /// One sentence per difference, without a final period; empty when both runs read the same
    /// files (by sha256) or a manifest is missing.
    ///
    /// - Parameters:
    ///   - a: The first run.
    ///   - b: The second run.
    package static func differences(_ a: RunRecords, _ b: RunRecords) -> [String] {
        guard let first = a.manifest?.scenarioFiles, let second = b.manifest?.scenarioFiles else { return [] }
        let firstDigests = Set(first.map(\.sha256))
        let secondDigests = Set(second.map(\.sha256))
        guard firstDigests != secondDigests else { return [] }
        var sentences: [String] = []
        for file in first where !secondDigests.contains(file.sha256) {
            if let other = second.first(where: { $0.path == file.path }) {
                sentences.append(
                    "the scenario file \(file.path) differs between the runs (sha256 \(file.sha256.prefix(12))… in \(a.label), \(other.sha256.prefix(12))… in \(b.label)): cells of the same name may not be the same experiment"
                )
            } else {
                sentences.append(
                    "the scenario file \(file.path) (sha256 \(file.sha256.prefix(12))…) of \(a.label) is not among those of \(b.label)"
                )
            }
        }
        for file in second where !firstDigests.contains(file.sha256) && !first.contains(where: { $0.path == file.path })
        {
            sentences.append(
                "the scenario file \(file.path) (sha256 \(file.sha256.prefix(12))…) of \(b.label) is not among those of \(a.label)"
            )
        }
        return sentences
    }
}
