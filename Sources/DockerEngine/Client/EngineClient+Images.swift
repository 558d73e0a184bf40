public import Foundation
import Synchronization

extension EngineClient {
    /// POST /images/create?fromSrc=-: imports a root filesystem tarball as an image, streamed
    /// from the file (never loaded into memory).
    ///
    /// - Parameters:
    ///   - tarFile: The tarball.
    ///   - repository: Repository of the new image, e.g. "dindlab/outer".
    ///   - tag: Its tag.
    ///   - changes: Dockerfile instructions to apply, e.g. `LABEL a=b`, `CMD ["sh"]`.
    ///   - timeout: Deadline for the whole upload and import.
    /// - Returns: The new image's id.
    /// - Throws: `EngineError` for error answers and for `{"error": ...}` progress lines.
    public func importImage(
        tarFile: URL, repository: String, tag: String, changes: [String] = [], timeout: Duration? = nil
    ) async throws -> String {
        var query: [(String, String?)] = [("fromSrc", "-"), ("repo", repository), ("tag", tag)]
        query += changes.map { ("changes", $0) }
        let messages = try await progressRequest(
            "POST", "/images/create", query: query, body: .file(tarFile, contentType: "application/x-tar"),
            timeout: timeout)
        // The last status of an import is the image id ("sha256:..." since Docker 1.10).
        guard let id = messages.compactMap(\.status).last(where: { isImageID($0) }) else {
            throw EngineError.protocolViolation(
                method: "POST", path: "/images/create", detail: "the import finished without reporting an image id")
        }
        return id
    }

    /// POST /images/load: loads a `docker save` tarball.
    ///
    /// - Returns: The daemon's messages, such as "Loaded image: busybox:latest".
    public func loadImage(tarFile: URL, timeout: Duration? = nil) async throws -> [String] {
        let messages = try await progressRequest(
            "POST", "/images/load", query: [("quiet", "1")], body: .file(tarFile, contentType: "application/x-tar"),
            timeout: timeout)
        return messages.compactMap { ($0.stream ?? $0.status)?.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// GET /images/{name}/get: writes a `docker save` tarball of the image to a file as it
    /// arrives (never held in memory), e.g. to `loadImage` it into another engine.
    ///
    /// - Parameters:
    ///   - reference: The image, e.g. "dindlab/outer:bookworm".
    ///   - file: Where to write the tarball; replaced if it exists.
    ///   - timeout: Deadline for the whole download.
    /// - Throws: `EngineError` for error answers (a missing image is a 404), and the file
    ///   system's error when the file cannot be written; a partial file is removed.
    public func exportImage(reference: String, to file: URL, timeout: Duration? = nil) async throws {
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        let sink = try FileSink(FileHandle(forWritingTo: file))
        do {
            _ = try await streamingRequest("GET", "/images/\(reference)/get", timeout: timeout) { chunk in
                try sink.write(chunk)
            }
            try sink.close()
        } catch {
            try? sink.close()
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }

    /// POST /build: builds a Dockerfile from a build-context tarball.
    ///
    /// - Parameters:
    ///   - contextTar: The build context as a tar file.
    ///   - tag: The tag of the result, e.g. "dindlab/outer:centos7".
    ///   - dockerfile: The Dockerfile's path inside the context.
    ///   - labels: Labels to set on the image.
    ///   - onOutput: Called with each line of build output.
    /// - Returns: The built image's id.
    public func buildImage(
        contextTar: URL, tag: String, dockerfile: String = "Dockerfile", labels: [String: String] = [:],
        timeout: Duration? = nil, onOutput: (@Sendable (String) -> Void)? = nil
    ) async throws -> String {
        let query: [(String, String?)] = [
            ("t", tag), ("dockerfile", dockerfile), ("rm", "1"), ("forcerm", "1"),
            ("labels", labels.isEmpty ? nil : jsonText(labels)),
        ]
        let messages = try await progressRequest(
            "POST", "/build", query: query, body: .file(contextTar, contentType: "application/x-tar"), timeout: timeout,
            onMessage: { message in
                if let text = message.stream { onOutput?(text) }
            })
        if let id = messages.compactMap({ $0.aux?["ID"] }).last { return id }
        if let line = messages.compactMap(\.stream).last(where: { $0.hasPrefix("Successfully built ") }) {
            return String(line.dropFirst("Successfully built ".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw EngineError.protocolViolation(
            method: "POST", path: "/build", detail: "the build finished without reporting an image id")
    }

    /// GET /images/{name}/json, or nil when the image does not exist.
    public func inspectImage(_ reference: String, timeout: Duration? = nil) async throws -> ImageInspect? {
        do {
            return try decode(await request("GET", "/images/\(reference)/json", timeout: timeout))
        } catch let error as EngineError where error.isNotFound {
            return nil
        }
    }

    /// GET /images/json, filtered by labels ("key" or "key=value").
    public func listImages(labels: [String] = [], timeout: Duration? = nil) async throws -> [ImageSummary] {
        let filters = labels.isEmpty ? nil : jsonText(["label": labels])
        return try decode(await request("GET", "/images/json", query: [("filters", filters)], timeout: timeout))
    }

    /// POST /images/{name}/tag.
    public func tagImage(_ reference: String, repository: String, tag: String, timeout: Duration? = nil) async throws {
        _ = try await request(
            "POST", "/images/\(reference)/tag", query: [("repo", repository), ("tag", tag), ("force", "1")],
            timeout: timeout)
    }

    /// DELETE /images/{name}.
    public func removeImage(_ reference: String, force: Bool = false, timeout: Duration? = nil) async throws {
        _ = try await request("DELETE", "/images/\(reference)", query: [("force", force ? "1" : "0")], timeout: timeout)
    }

    /// Sends a request whose answer is a JSON progress stream and turns its first
    /// `{"error": ...}` message into an error.
    func progressRequest(
        _ method: String, _ path: String, query: [(String, String?)], body: HTTPRequest.Body, timeout: Duration?,
        onMessage: (@Sendable (JSONMessage) -> Void)? = nil
    ) async throws -> [JSONMessage] {
        let collector = ProgressCollector(onMessage: onMessage)
        _ = try await streamingRequest(method, path, query: query, body: body, timeout: timeout) { chunk in
            collector.feed(chunk)
        }
        let messages = collector.messages()
        if let failure = messages.first(where: { $0.errorMessage != nil }) {
            throw EngineError.stream(method: method, path: path, message: failure.errorMessage ?? "")
        }
        return messages
    }
}

private func isImageID(_ text: String) -> Bool {
    let hex = text.hasPrefix("sha256:") ? text.dropFirst(7) : Substring(text)
    return hex.count >= 12 && hex.allSatisfy(\.isHexDigit)
}

private final class ProgressCollector: Sendable {
    private struct State {
        var splitter = JSONObjectSplitter()
        var collected: [JSONMessage] = []
    }

    private let state = Mutex(State())
    private let onMessage: (@Sendable (JSONMessage) -> Void)?

    init(onMessage: (@Sendable (JSONMessage) -> Void)?) {
        self.onMessage = onMessage
    }

    func feed(_ chunk: Data) {
        // Under the lock, so messages reach onMessage in the order they came.
        state.withLock { state in
            for object in state.splitter.feed(chunk) {
                guard let message = try? JSONDecoder().decode(JSONMessage.self, from: object) else { continue }
                // Progress bars repeat thousands of times; keep only messages that say something.
                if message.status != nil || message.stream != nil || message.errorMessage != nil || message.aux != nil {
                    state.collected.append(message)
                    if state.collected.count > 10_000 { state.collected.removeFirst(state.collected.count - 10_000) }
                }
                onMessage?(message)
            }
        }
    }

    func messages() -> [JSONMessage] {
        state.withLock { $0.collected }
    }
}

/// A file that chunks of a streamed answer are appended to, from libcurl's thread.
private final class FileSink: Sendable {
    private let handle: Mutex<FileHandle>

    init(_ handle: FileHandle) {
        self.handle = Mutex(handle)
    }

    func write(_ data: Data) throws {
        try handle.withLock { try $0.write(contentsOf: data) }
    }

    func close() throws {
        try handle.withLock { try $0.close() }
    }
}
