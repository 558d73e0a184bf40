public import Foundation
import Synchronization

extension EngineClient {
    /// GET /_ping, unversioned, so it works before negotiation and on every daemon.
    ///
    /// - Returns: The daemon's API version header when it sends one (API 1.25 and up).
    /// - Throws: `EngineError` when the engine cannot be reached or does not answer OK.
    public func ping(timeout: Duration? = nil) async throws -> PingResult {
        let response = try await send("GET", "/_ping", versioned: nil, timeout: timeout)
        return PingResult(
            apiVersion: response.headers["api-version"].flatMap(APIVersion.init),
            osType: response.headers["ostype"]
        )
    }

    /// Sends GET /_ping `count` times, one after another on one connection, and times each
    /// round trip. The loop runs as one blocking job on a transport thread, so a round trip is
    /// one thread's work, as in a C loop around libcurl: handing each call to a transport
    /// thread and back would cost as much as the round trip itself.
    ///
    /// - Parameters:
    ///   - count: How many round trips.
    ///   - timeout: The deadline of each; the client's default when nil.
    /// - Returns: Each round trip's duration, in order.
    /// - Throws: The first `EngineError`; `CancellationError` when cancelled.
    public func pingRoundTrips(count: Int, timeout: Duration? = nil) async throws -> [Duration] {
        let request = makeRequest("GET", "/_ping", versioned: nil, timeout: timeout)
        return try await transport.performSeries(request, count: count) { [self] response in
            try check(response, request: request, version: nil)
        }
    }

    /// GET /version.
    public func version() async throws -> EngineVersion {
        try decode(await request("GET", "/version"))
    }

    /// GET /info.
    public func info() async throws -> EngineInfo {
        try decode(await request("GET", "/info"))
    }

    /// GET /info as raw JSON, for fingerprints that keep what the daemon said.
    public func infoJSON() async throws -> Data {
        try await request("GET", "/info").body
    }

    /// Events between two times (GET /events with `until`, so the stream ends).
    ///
    /// - Parameters:
    ///   - since: Unix time to start from.
    ///   - until: Unix time to stop at; the daemon closes the stream then.
    ///   - filters: Docker event filters, e.g. ["label": ["dindlab.run=x"]].
    /// - Returns: The events in the order the daemon sent them.
    public func events(since: Int, until: Int, filters: [String: [String]] = [:], timeout: Duration? = nil) async throws
        -> [EngineEvent]
    {
        let collector = EventCollector()
        _ = try await streamingRequest(
            "GET", "/events",
            query: [
                ("since", String(since)), ("until", String(until)),
                ("filters", filters.isEmpty ? nil : jsonText(filters)),
            ],
            timeout: timeout
        ) { chunk in collector.feed(chunk) }
        return try collector.decoded()
    }
}

/// Encodes a value as compact JSON text (query parameters such as `filters`).
func jsonText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
}

private final class EventCollector: Sendable {
    private struct State {
        var splitter = JSONObjectSplitter()
        var objects: [Data] = []
    }

    private let state = Mutex(State())

    func feed(_ chunk: Data) {
        state.withLock { $0.objects += $0.splitter.feed(chunk) }
    }

    func decoded() throws -> [EngineEvent] {
        let objects = state.withLock { $0.objects }
        return try objects.map { try JSONDecoder().decode(EngineEvent.self, from: $0) }
    }
}
