package import DockerEngine
import Foundation

/// Round-trip latencies of GET /_ping, like `ping -c` for an engine.
package struct PingMeasurement: Sendable {
    /// Each round trip, in order.
    package var latencies: [Duration]
    /// Wall time of the whole series.
    package var total: Duration

    /// Sends `count` pings one after another on one client (so on one reused connection).
    ///
    /// The loop runs as one blocking job on one transport thread (`EngineClient.pingRoundTrips`),
    /// so a round trip is one thread's work, as in a C loop around libcurl: handing each call
    /// to a transport thread and back costs as much as the round trip itself and would double
    /// the latencies shown.
    ///
    /// - Throws: The first `EngineError`.
    package static func run(client: EngineClient, count: Int) async throws -> PingMeasurement {
        let clock = ContinuousClock()
        let started = clock.now
        let latencies = try await client.pingRoundTrips(count: count)
        return PingMeasurement(latencies: latencies, total: clock.now - started)
    }

    /// The latency below which the given fraction of round trips fall (nearest rank).
    package func percentile(_ fraction: Double) -> Duration {
        Self.percentile(fraction, ofSorted: latencies.sorted())
    }

    private static func percentile(_ fraction: Double, ofSorted sorted: [Duration]) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    /// One line like ping's summary.
    package var summary: String {
        func ms(_ duration: Duration) -> String {
            String(format: "%.3f", duration.inMilliseconds)
        }
        // Sorted once for the four percentiles.
        let sorted = latencies.sorted()
        func at(_ fraction: Double) -> String { ms(Self.percentile(fraction, ofSorted: sorted)) }
        let rate = total > .zero ? Double(latencies.count) / total.inSeconds : 0
        return
            "\(latencies.count) round trips in \(ms(total)) ms (\(Int(rate)) per second): min \(at(0)) / median \(at(0.5)) / p99 \(at(0.99)) / max \(at(1)) ms"
    }
}

extension Duration {
    /// Fractional seconds.
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Fractional milliseconds.
    package var inMilliseconds: Double { inSeconds * 1000 }
}
