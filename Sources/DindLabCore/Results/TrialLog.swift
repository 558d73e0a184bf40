/// What reading `trials.jsonl` found: the records, and every line that is not one.
package struct TrialLog: Sendable, Hashable {
    /// The records, in file order.
    package let records: [TrialRecord]
    /// Lines that could not be read, in file order; they are skipped, never silently.
    package let corruptLines: [CorruptLine]

    package init(records: [TrialRecord], corruptLines: [CorruptLine]) {
        self.records = records
        self.corruptLines = corruptLines
    }
}

/// A line of `trials.jsonl` that is not a trial record.
package struct CorruptLine: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The line's number, from 1.
    package let lineNumber: Int
    /// Why it is not a record.
    package let reason: String
    /// Its first 120 characters, for a human to recognise it.
    package let excerpt: String

    package init(lineNumber: Int, reason: String, excerpt: String) {
        self.lineNumber = lineNumber
        self.reason = reason
        self.excerpt = excerpt
    }

    package var description: String {
        "trials.jsonl line \(lineNumber) is not a trial record and was skipped: \(reason)."
    }
}
