import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine

extension EngineCommand {
    struct Ping: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure Engine API round trips (GET /_ping), like ping -c.",
            discussion: "Prints min, median, p99 and max latency of COUNT round trips on one reused connection."
        )

        @OptionGroup var engine: EngineOptions

        @Option(name: [.short, .long], parsing: .unconditional, help: "How many round trips (at least 1).")
        var count = 10

        func validate() throws {
            try Usage.check(count, "--count", counts: "round trips")
        }

        func run() async throws {
            do {
                let client = try engine.client(timeout: .seconds(10))
                try await client.negotiate()
                let measurement = try await PingMeasurement.run(client: client, count: count)
                print("PING \(client.address) (API \(client.apiVersion?.description ?? "?"))")
                print(measurement.summary)
            } catch {
                throw Usage.failure(error, otherwise: 2)
            }
        }
    }
}
