/// What reading `trials.jsonl` found: the records, and every line that is not one.
public struct TrialLog: Sendable, Hashable {
    /// The records, in file order.
    public let records: [TrialRecord]
    /// Lines that could not be read, in file order; they are skipped, never silently.
    public let corruptLines: [CorruptLine]

    public init(records: [TrialRecord], corruptLines: [CorruptLine]) {
        self.records = records
        self.corruptLines = corruptLines
    }
}

/// A line of `trials.jsonl` that is not a trial record.
public struct CorruptLine: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The line's number, from 1.
    public let lineNumber: Int
    /// Why it is not a record.
    public let reason: String
    /// Its first 120 characters, for a human to recognise it.
    public let excerpt: String

    public init(lineNumber: Int, reason: String, excerpt: String) {
        self.lineNumber = lineNumber
        self.reason = reason
        self.excerpt = excerpt
    }

    public var description: String {
        "trials.jsonl line \(lineNumber) is not a trial record and was skipped: \(reason)."
    }
}
