/// The deadline of a call made of several requests (`exec` creates, starts and waits;
/// `waitExec` polls): each request gets what is left of it, so the whole call ends in time
/// rather than each of its requests.
struct CallDeadline: Sendable {
    /// The call's whole allowance, for error messages.
    let limit: Duration
    private let end: ContinuousClock.Instant

    init(_ limit: Duration) {
        self.limit = limit
        end = .now + limit
    }

    /// The time left for the next request.
    ///
    /// - Parameters:
    ///   - method: The next request's method, for the error.
    ///   - path: The next request's path, for the error.
    /// - Throws: `EngineError.timeout` naming that request when no time is left.
    func remaining(_ method: String, _ path: String) throws -> Duration {
        let left = end - .now
        guard left > .zero else { throw EngineError.timeout(method: method, path: path, seconds: limit.seconds) }
        return left
    }
}
