/// The exit status of a run: 0 when every expectation holds, 1 when one fails, 2 when
/// harness or engine errors prevented judgement (some cell has error trials and no
/// expectation failed).
public struct RunVerdict: Sendable {
    public let exitCode: Int32

    public init(_ summary: RunSummary) {
        if !summary.violations.isEmpty {
            exitCode = 1
        } else if summary.scenarios.contains(where: { $0.cells.contains { $0.errors > 0 } }) {
            exitCode = 2
        } else {
            exitCode = 0
        }
    }
}
