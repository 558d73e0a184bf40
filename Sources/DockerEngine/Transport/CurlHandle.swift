import CCurl
import Foundation

/// Owns one libcurl easy handle and the connection it keeps alive between requests.
///
/// A handle is used by one thread at a time (the transport's pool guarantees it), which is
/// why it may cross threads as `@unchecked Sendable`.
final class CurlHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    /// libcurl writes a detailed message here when a transfer fails.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The header list libcurl borrows until the options are set again.
    private var headerList: CurlHeaderList?
    /// The kind of request the options are set for, when only the URL need change for another
    /// of its kind (`CurlTransport`); nil after a reset.
    var configuredShape: RequestShape?

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    init() {
        _ = CurlHandle.globalInit
        guard let raw = curl_easy_init() else {
            fatalError("curl_easy_init failed: libcurl could not allocate a handle")
        }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        reset()
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Forgets all options of the previous request but keeps its live connection.
    func reset() {
        curl_easy_reset(raw)
        urlPath = nil
        headerList = nil
        configuredShape = nil
        errorBuffer[0] = 0
        _ = dl_curl_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer)
        // Signals must not be used for timeouts in a multi-threaded process.
        _ = dl_curl_setopt_long(raw, CURLOPT_NOSIGNAL, 1)
    }

    /// The path of the URL set last: setting the URL again would make libcurl parse it again,
    /// and building it allocates.
    private var urlPath: String?

    /// Sets CURLOPT_URL to `url(path)` unless the handle has that path's URL already.
    func setURL(forPath path: String, _ url: (String) -> String) {
        guard path != urlPath else { return }
        set(CURLOPT_URL, url(path))
        urlPath = path
    }

    /// Forgets the detailed message of an earlier failure.
    func clearErrorDetail() {
        errorBuffer[0] = 0
    }

    /// Sets CURLOPT_HTTPHEADER and keeps the list alive as long as libcurl may read it.
    func setHeaders(_ list: CurlHeaderList) {
        headerList = list
        set(CURLOPT_HTTPHEADER, list: list.list)
    }

    /// The detailed message of the last failure, or "" when libcurl left none.
    var lastErrorDetail: String {
        String(cString: errorBuffer)
    }

    func set(_ option: CURLoption, _ value: Int) {
        check(dl_curl_setopt_long(raw, option, value), option)
    }

    func set(_ option: CURLoption, offset value: Int64) {
        check(dl_curl_setopt_offset(raw, option, curl_off_t(value)), option)
    }

    /// libcurl copies string options, so the Swift string need not outlive the call.
    func set(_ option: CURLoption, _ value: String) {
        check(value.withCString { dl_curl_setopt_string(raw, option, $0) }, option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        check(dl_curl_setopt_pointer(raw, option, pointer), option)
    }

    func set(_ option: CURLoption, list: OpaquePointer?) {
        check(dl_curl_setopt_slist(raw, option, UnsafeMutablePointer(list)), option)
    }

    func set(_ option: CURLoption, callback: dl_curl_data_callback?) {
        check(dl_curl_setopt_data_callback(raw, option, callback), option)
    }

    func setProgress(_ callback: dl_curl_progress_callback?) {
        check(dl_curl_setopt_progress_callback(raw, callback), CURLOPT_XFERINFOFUNCTION)
    }

    func responseCode() -> Int {
        var code = 0
        _ = dl_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    func activeSocket() -> Int32? {
        var socket = curl_socket_t(-1)
        guard dl_curl_getinfo_socket(raw, &socket) == CURLE_OK, socket != -1 else { return nil }
        return Int32(socket)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) {
        // An option libcurl rejects is a programming error in dindlab, not an engine failure.
        precondition(
            code == CURLE_OK,
            "curl_easy_setopt(\(option.rawValue)) failed: \(String(cString: curl_easy_strerror(code)))")
    }
}

/// Builds a curl_slist of headers and frees it.
final class CurlHeaderList {
    private(set) var list: OpaquePointer?

    init(_ lines: [String]) {
        for line in lines {
            list = OpaquePointer(curl_slist_append(UnsafeMutablePointer(list), line))
        }
    }

    deinit {
        curl_slist_free_all(UnsafeMutablePointer(list))
    }
}

func curlMessage(_ code: CURLcode) -> String {
    String(cString: curl_easy_strerror(code))
}
