/// Phase durations of many trials, kept for their medians: where a cell's time goes (e.g.
/// that one Docker version's daemon takes longer to become ready).
struct PhaseSamples: Sendable {
    private var samples: [TrialPhase: [Double]] = [:]

    /// Adds one trial's durations, for each phase it reached.
    mutating func add(_ durations: PhaseDurations) {
        for (phase, seconds) in durations.inOrder {
            samples[phase, default: []].append(seconds)
        }
    }

    func merged(with other: PhaseSamples) -> PhaseSamples {
        var merged = self
        merged.samples.merge(other.samples) { $0 + $1 }
        return merged
    }

    /// The median of each phase that any trial ran; the median of an even count is the mean
    /// of the two middle values.
    var medians: PhaseDurations {
        PhaseDurations(
            samples.mapValues { values in
                let sorted = values.sorted()
                let middle = sorted.count / 2
                return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            })
    }
}

extension PhaseDurations {
    /// The median seconds of each phase over the trials that ran it.
    ///
    /// Every trial counts, failed ones too, each for the phases it reached: a failing phase's
    /// duration is how long it took to fail.
    ///
    /// - Parameter durations: The trials' phase durations.
    /// - Returns: One median per phase that any trial ran; empty when none ran any.
    package static func medians(of durations: some Sequence<PhaseDurations>) -> PhaseDurations {
        var samples = PhaseSamples()
        for trial in durations { samples.add(trial) }
        return samples.medians
    }

    /// True when no phase has a duration.
    package var isEmpty: Bool { seconds.isEmpty }
}
