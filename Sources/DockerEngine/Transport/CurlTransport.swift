import CCurl
import Foundation
import Synchronization

/// Carries HTTP requests to one engine through libcurl, reusing connections.
///
/// Blocking libcurl calls run on `BlockingExecutor` threads. Idle easy handles are kept in
/// a pool; each keeps its connection open, so consecutive calls skip the connect.
final class CurlTransport: Sendable {
    let address: EngineAddress
    private let pool = HandlePool()

    init(address: EngineAddress) {
        self.address = address
    }

    /// Performs a request and collects the whole response body.
    func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await perform(request, onChunk: nil)
    }

    /// Performs a request; while the status is 2xx, body bytes go to `onChunk` as they
    /// arrive instead of being collected. An error response's body is always collected, so
    /// the caller can read the daemon's message.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - onChunk: Called on a transport thread for each piece of a successful body. A
    ///     thrown error aborts the transfer and is rethrown.
    /// - Returns: The response; its body is empty when `onChunk` consumed it.
    /// - Throws: `EngineError` for transport failures and timeouts, or what `onChunk` threw.
    func perform(_ request: HTTPRequest, onChunk: (@Sendable (Data) throws -> Void)?) async throws -> HTTPResponse {
        let exchange = Exchange(onChunk: onChunk)
        return try await withTaskCancellationHandler {
            try await BlockingExecutor.shared.run { [self] in
                try self.performBlocking(request, exchange: exchange)
            }
        } onCancel: {
            exchange.cancel()
        }
    }

    /// Performs the same request `count` times, one after another in one blocking job on one
    /// transport thread (one reused connection), and times each round trip: a loop around
    /// libcurl as a C program would write it, with no handoff between threads per request.
    ///
    /// - Parameters:
    ///   - request: The request, sent as it is each time.
    ///   - count: How many times.
    ///   - check: Called with each response on the transport thread; throws to end the series.
    /// - Returns: Each round trip's duration, in order.
    /// - Throws: `EngineError` for transport failures and timeouts, what `check` throws, or
    ///   `CancellationError` when the task is cancelled between two requests.
    func performSeries(_ request: HTTPRequest, count: Int, check: @escaping @Sendable (HTTPResponse) throws -> Void)
        async throws -> [Duration]
    {
        let cancellation = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await BlockingExecutor.shared.run { [self] in
                let clock = ContinuousClock()
                var durations: [Duration] = []
                durations.reserveCapacity(count)
                for _ in 0..<count {
                    if cancellation.isCancelled { throw CancellationError() }
                    let before = clock.now
                    try check(performBlocking(request, exchange: Exchange(onChunk: nil)))
                    durations.append(clock.now - before)
                }
                return durations
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    private func performBlocking(_ request: HTTPRequest, exchange: Exchange) throws -> HTTPResponse {
        let handle = pool.take()
        defer { pool.give(handle) }
        let shape = RequestShape(request)
        if shape != nil, shape == handle.configuredShape {
            // The same kind of request as the handle's last one: only the URL differs. Resetting
            // and setting every option again cost a /_ping round trip a tenth of its time.
            handle.clearErrorDetail()
            handle.setURL(forPath: request.path) { url(for: $0) }
        } else {
            handle.reset()
            configure(handle, for: request)
            handle.set(CURLOPT_HEADERFUNCTION, callback: exchangeHeaderCallback)
            handle.set(CURLOPT_WRITEFUNCTION, callback: exchangeWriteCallback)
            handle.setProgress(exchangeProgressCallback)
            handle.configuredShape = shape
        }
        var upload: FileHandle?
        if case .file(let url, _) = request.body {
            upload = try FileHandle(forReadingFrom: url)
            exchange.upload = upload
        }
        defer { try? upload?.close() }

        let context = Unmanaged.passUnretained(exchange).toOpaque()
        handle.set(CURLOPT_HEADERDATA, pointer: context)
        handle.set(CURLOPT_WRITEDATA, pointer: context)
        if upload != nil {
            handle.set(CURLOPT_READFUNCTION, callback: exchangeReadCallback)
            handle.set(CURLOPT_READDATA, pointer: context)
        }
        handle.set(CURLOPT_XFERINFODATA, pointer: context)

        let code = withExtendedLifetime(exchange) { curl_easy_perform(handle.raw) }
        if let error = exchange.callbackError { throw error }
        guard code == CURLE_OK else {
            throw transportError(code, handle: handle, request: request, exchange: exchange)
        }
        return HTTPResponse(
            status: handle.responseCode(), headers: exchange.headers, body: exchange.body, method: request.method,
            path: request.path)
    }

    /// The URL of a path on this engine.
    private func url(for path: String) -> String {
        switch address.endpoint {
        case .unix:
            return "http://localhost" + path
        case .tcp(let host, let port):
            let scheme = address.tls == nil ? "http" : "https"
            let hostPart = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(hostPart):\(port)\(path)"
        }
    }

    /// Sets the options every request shares; the handle keeps the header list libcurl borrows.
    func configure(_ handle: CurlHandle, for request: HTTPRequest) {
        if case .unix(let path) = address.endpoint {
            handle.set(CURLOPT_UNIX_SOCKET_PATH, path)
            // No proxy can stand between a client and a Unix socket; saying so spares libcurl
            // reading the proxy variables of the environment on every request.
            handle.set(CURLOPT_NOPROXY, "*")
        }
        handle.setURL(forPath: request.path) { url(for: $0) }
        if let tls = address.tls {
            handle.set(CURLOPT_CAINFO, tls.caCertificatePath)
            handle.set(CURLOPT_SSLCERT, tls.certificatePath)
            handle.set(CURLOPT_SSLKEY, tls.keyPath)
            handle.set(CURLOPT_SSL_VERIFYPEER, tls.verifyPeer ? 1 : 0)
            handle.set(CURLOPT_SSL_VERIFYHOST, tls.verifyPeer ? 2 : 0)
        }
        handle.set(CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds)
        handle.set(CURLOPT_CONNECTTIMEOUT_MS, min(request.timeout.curlMilliseconds, 10_000))
        // Docker's own clients send no Expect: 100-continue; old daemons never answer it.
        // libcurl only ever sends it with a body.
        var lines: [String] = []
        switch request.body {
        case .none:
            if request.method == "GET" {
                handle.set(CURLOPT_HTTPGET, 1)
            } else if request.method == "HEAD" {
                handle.set(CURLOPT_NOBODY, 1)
            } else {
                handle.set(CURLOPT_CUSTOMREQUEST, request.method)
                if request.method == "POST" {
                    handle.set(CURLOPT_POST, 1)
                    handle.set(CURLOPT_POSTFIELDSIZE, 0)
                    lines.append("Expect:")
                }
            }
        case .data(let data, let contentType):
            handle.set(CURLOPT_CUSTOMREQUEST, request.method)
            handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(data.count))
            data.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies the bytes, so `data` need not outlive the call. An empty
                // body still needs a pointer (libcurl would read a NULL one as "no body set").
                withUnsafeBytes(of: emptyBody) { empty in
                    let start = bytes.baseAddress ?? empty.baseAddress
                    handle.set(CURLOPT_COPYPOSTFIELDS, pointer: start.map { UnsafeMutableRawPointer(mutating: $0) })
                }
            }
            lines += ["Expect:", "Content-Type: \(contentType)"]
        case .file(let url, let contentType):
            handle.set(CURLOPT_UPLOAD, 1)
            handle.set(CURLOPT_CUSTOMREQUEST, request.method)
            if let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber {
                handle.set(CURLOPT_INFILESIZE_LARGE, offset: size.int64Value)
            }
            lines += ["Expect:", "Content-Type: \(contentType)"]
        }
        lines += request.headers.map { "\($0.0): \($0.1)" }
        if !lines.isEmpty {
            handle.setHeaders(CurlHeaderList(lines))
        }
    }

    func transportError(_ code: CURLcode, handle: CurlHandle, request: HTTPRequest, exchange: Exchange?) -> EngineError
    {
        let method = request.method
        let path = request.path
        if code == CURLE_OPERATION_TIMEDOUT {
            return .timeout(method: method, path: path, seconds: request.timeout.seconds)
        }
        if code == CURLE_ABORTED_BY_CALLBACK, exchange?.isCancelled == true {
            return .cancelled(method: method, path: path)
        }
        if code == CURLE_COULDNT_CONNECT, case .unix(let socket) = address.endpoint,
            !FileManager.default.fileExists(atPath: socket)
        {
            return .socketMissing(socket)
        }
        return .transport(
            method: method, path: path, curlCode: Int(code.rawValue), curlMessage: curlMessage(code),
            detail: handle.lastErrorDetail, duringAnswer: (exchange?.status ?? 0) != 0)
    }
}

/// What a bodiless request without extra headers sets on a handle besides its URL: a handle
/// configured for one such request serves the next of the same shape by changing the URL.
struct RequestShape: Equatable {
    let method: String
    let timeoutMilliseconds: Int

    /// nil for requests with a body or headers of their own, which are always set up afresh.
    init?(_ request: HTTPRequest) {
        guard case .none = request.body, request.headers.isEmpty else { return nil }
        method = request.method
        timeoutMilliseconds = request.timeout.curlMilliseconds
    }
}

/// Idle easy handles, each holding a live connection to the engine.
private final class HandlePool: Sendable {
    private let idle = Mutex<[CurlHandle]>([])

    func take() -> CurlHandle {
        idle.withLock { $0.popLast() } ?? CurlHandle()
    }

    func give(_ handle: CurlHandle) {
        // A burst of concurrent calls must not keep that many connections open forever.
        idle.withLock { idle in
            if idle.count < 16 { idle.append(handle) }
        }
    }
}

/// A flag a cancelled task sets for blocking work that polls it (libcurl's progress callback,
/// the hijacked exec stream): an atomic, since libcurl asks several times per request.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic(false)

    func cancel() {
        cancelled.store(true, ordering: .releasing)
    }

    var isCancelled: Bool {
        cancelled.load(ordering: .acquiring)
    }
}

/// The state of one request while libcurl carries it; passed unretained to the C callbacks.
///
/// `@unchecked Sendable`: libcurl holds it as the C callbacks' user data (a raw pointer) while
/// the transfer runs; the callbacks run on the transfer's one thread, and the caller reads it
/// on that same thread after `curl_easy_perform` returns. Only the cancellation flag (an
/// atomic) is touched from other threads.
final class Exchange: @unchecked Sendable {
    // Only libcurl's callbacks on the transfer's one thread touch these while it runs, then
    // the caller after it: no overlapping access for the runtime to check on every header
    // line and body chunk.
    @exclusivity(unchecked) var status = 0
    @exclusivity(unchecked) var headers = HTTPHeaders()
    @exclusivity(unchecked) var body = Data()
    let onChunk: (@Sendable (Data) throws -> Void)?
    var callbackError: (any Error)?
    var upload: FileHandle?
    private let cancellation = CancellationFlag()

    init(onChunk: (@Sendable (Data) throws -> Void)?) {
        self.onChunk = onChunk
    }

    func cancel() {
        cancellation.cancel()
    }

    var isCancelled: Bool { cancellation.isCancelled }

    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        if let code = HTTPHeaders.statusCode(line) {
            // A new status line (after "100 Continue" or a redirect) starts a new head.
            status = code
            headers.removeAll()
        } else {
            headers.append(line: line)
        }
    }

    /// Returns false to abort the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let onChunk, (200..<300).contains(status) {
            do {
                try onChunk(Data(bytes))
            } catch {
                callbackError = error
                return false
            }
        } else {
            // Straight into the body, without a Data of its own per chunk.
            body.append(bytes.bindMemory(to: UInt8.self))
        }
        return true
    }
}

/// A byte to point at for an empty request body.
private let emptyBody: UInt8 = 0

// Each callback's userdata is the exchange the transfer was set up with; without one, the
// callback tells libcurl to abort (0 bytes taken, or 1 from the progress callback).

private let exchangeHeaderCallback: dl_curl_data_callback = { buffer, size, count, userdata in
    guard let userdata else { return 0 }
    let exchange = Unmanaged<Exchange>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    exchange.receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

private let exchangeWriteCallback: dl_curl_data_callback = { buffer, size, count, userdata in
    guard let userdata else { return 0 }
    let exchange = Unmanaged<Exchange>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    return exchange.receiveBody(UnsafeRawBufferPointer(start: buffer, count: length)) ? length : 0
}

private let exchangeReadCallback: dl_curl_data_callback = { buffer, size, count, userdata in
    guard let userdata else { return dl_curl_readfunc_abort() }
    let exchange = Unmanaged<Exchange>.fromOpaque(userdata).takeUnretainedValue()
    guard let upload = exchange.upload else { return 0 }
    do {
        let chunk = try upload.read(upToCount: size * count) ?? Data()
        chunk.copyBytes(to: UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: chunk.count)
        return chunk.count
    } catch {
        exchange.callbackError = error
        return dl_curl_readfunc_abort()
    }
}

private let exchangeProgressCallback: dl_curl_progress_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 1 }
    let exchange = Unmanaged<Exchange>.fromOpaque(userdata).takeUnretainedValue()
    return exchange.isCancelled ? 1 : 0
}
