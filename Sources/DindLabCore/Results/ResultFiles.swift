import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file operations results need to survive a crash: a file is either the old
/// version or the new one, and a trials.jsonl record is either a whole line or absent.
enum ResultFiles {
    /// Creates `url` and the folders above it that are missing, as `mkdir -p` does; the error
    /// names the folder that could not be made and why (the system's words, or a file in the way).
    static func createDirectory(_ url: URL) throws(ResultsError) {
        let target = url.absoluteURL.standardizedFileURL
        var made = ""
        for component in target.pathComponents {
            made = component == "/" ? "/" : (made == "/" ? "/" : made + "/") + component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: made, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw .cannotCreateDirectory(target.path, reason: "\(made) is a file, not a folder")
                }
                continue
            }
            if mkdir(made, 0o755) != 0, errno != EEXIST {
                let reason = lastError()
                throw .cannotCreateDirectory(
                    target.path, reason: made == target.path ? reason : "creating \(made) failed: \(reason)")
            }
        }
    }

    /// Replaces `url` with `data` atomically: write a temporary file beside it, flush it
    /// to disk, rename it over the target. Readers see the old file or the new one.
    static func writeAtomically(_ data: Data, to url: URL) throws(ResultsError) {
        let temporary = url.path + ".tmp-\(UInt32.random(in: .min ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(temporary, reason: lastError()) }
        var failure: ResultsError?
        do {
            try writeAll(data, to: fd, path: temporary)
            if fsync(fd) != 0 { failure = .cannotWrite(temporary, reason: lastError()) }
        } catch {
            failure = error
        }
        close(fd)
        if failure == nil, rename(temporary, url.path) != 0 {
            failure = .cannotWrite(url.path, reason: lastError())
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        syncDirectory(of: url)
    }

    /// Appends `line` and a line break to `url` with one write(2) on an O_APPEND
    /// descriptor, then fsync, so a crash leaves at most one incomplete last line. If an
    /// earlier crash left such a line, a line break goes first so this record stays whole.
    /// An exclusive flock(2) makes that check and the write one step for every appender,
    /// in this process or another: without it, a writer could see another's line half
    /// written (the file grows page by page) and break it with a spurious line break.
    static func appendLine(_ line: Data, to url: URL) throws(ResultsError) {
        let fd = open(url.path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(url.path, reason: lastError()) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .cannotWrite(url.path, reason: "could not lock it: \(lastError())") }
        }
        defer { flock(fd, LOCK_UN) }
        var bytes = Data()
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .cannotWrite(url.path, reason: lastError()) }
        if status.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, status.st_size - 1) == 1, last != UInt8(ascii: "\n") {
                bytes.append(UInt8(ascii: "\n"))
            }
        }
        bytes.append(line)
        bytes.append(UInt8(ascii: "\n"))
        do throws(ResultsError) {
            try writeAll(bytes, to: fd, path: url.path)
            guard fsync(fd) == 0 else { throw .cannotWrite(url.path, reason: lastError()) }
        } catch {
            // A full disk can take part of the line: cut the file back, so the record is absent
            // rather than half there.
            _ = ftruncate(fd, status.st_size)
            throw error
        }
    }

    /// The file's contents, or nil when it does not exist.
    static func readIfPresent(_ url: URL) throws(ResultsError) -> Data? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .cannotRead(url.path, reason: error.localizedDescription)
        }
    }

    /// Calls `body` with each line of the file (without its line break) and its number from
    /// 1, reading a megabyte at a time, so a file of any size takes constant memory.
    ///
    /// - Parameters:
    ///   - url: The file.
    ///   - range: Only the lines in these bytes (from `lineRanges`); the whole file when nil.
    ///     Line numbers then count from the range's start.
    ///   - body: Gets the line's bytes (valid only during the call), its number, and whether it
    ///     is an unterminated last line (a writer stopped in the middle of it).
    /// - Returns: How many lines there were; nil when the file does not exist.
    @discardableResult
    static func forEachLine(
        in url: URL, range: Range<Int64>? = nil, _ body: (UnsafeRawBufferPointer, Int, Bool) -> Void
    ) throws(ResultsError) -> Int? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .cannotRead(url.path, reason: lastError())
        }
        defer { close(fd) }
        let chunkSize = 1 << 20
        var offset = range?.lowerBound ?? 0
        let end = range?.upperBound ?? .max
        // Holds the unfinished line carried over from the previous chunk, then the new chunk.
        var capacity = chunkSize
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }
        var carried = 0
        var lineNumber = 0
        while true {
            if capacity - carried < chunkSize / 2 {
                // One line longer than what is left: make room for it.
                let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 1)
                larger.copyMemory(from: buffer, byteCount: carried)
                buffer.deallocate()
                buffer = larger
                capacity *= 2
            }
            let wanted = Int(min(Int64(capacity - carried), end - offset))
            let count = wanted == 0 ? 0 : pread(fd, buffer + carried, wanted, off_t(offset))
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(url.path, reason: lastError())
            }
            offset += Int64(count)
            let filled = carried + count
            var start = 0
            while start < filled, let newline = memchr(buffer + start, Int32(UInt8(ascii: "\n")), filled - start) {
                let end = buffer.distance(to: newline)
                lineNumber += 1
                body(UnsafeRawBufferPointer(start: buffer + start, count: end - start), lineNumber, false)
                start = end + 1
            }
            if count == 0 {
                if start < filled {
                    lineNumber += 1
                    body(UnsafeRawBufferPointer(start: buffer + start, count: filled - start), lineNumber, true)
                }
                return lineNumber
            }
            carried = filled - start
            if carried > 0, start > 0 {
                _ = memmove(buffer, buffer + start, carried)
            }
        }
    }

    /// Splits the file into about `parts` byte ranges of whole lines, for reading in parallel,
    /// none smaller than `minimumPartBytes` (below a few megabytes another thread costs more
    /// than it saves); none for a missing or empty file.
    static func lineRanges(of url: URL, parts: Int, minimumPartBytes: Int64 = 2 << 20) throws(ResultsError) -> [Range<
        Int64
    >] {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return [] }
            throw .cannotRead(url.path, reason: lastError())
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .cannotRead(url.path, reason: lastError()) }
        let size = Int64(status.st_size)
        guard size > 0 else { return [] }
        let count = Int(max(1, min(Int64(parts), size / max(1, minimumPartBytes))))
        var starts: [Int64] = [0]
        var lastStart: Int64 = 0
        let windowSize = 64 * 1024
        let window = UnsafeMutableRawPointer.allocate(byteCount: windowSize, alignment: 1)
        defer { window.deallocate() }
        for part in 1..<count {
            // A part starts after the first line break at or after its even share.
            var position = max(lastStart, size * Int64(part) / Int64(count) - 1)
            search: while position < size {
                let read = pread(fd, window, windowSize, off_t(position))
                guard read > 0 else { break }
                if let newline = memchr(window, Int32(UInt8(ascii: "\n")), read) {
                    position += Int64(window.distance(to: newline)) + 1
                    break search
                }
                position += Int64(read)
            }
            if position < size, position > lastStart {
                starts.append(position)
                lastStart = position
            }
        }
        return starts.indices.map { index in starts[index]..<(index + 1 < starts.count ? starts[index + 1] : size) }
    }

    private static func writeAll(_ data: Data, to fd: Int32, path: String) throws(ResultsError) {
        let failure: String? = data.withUnsafeBytes { buffer in
            // No address only for empty data: nothing to write.
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return lastError()
                }
                offset += written
            }
            return nil
        }
        if let failure { throw .cannotWrite(path, reason: failure) }
    }

    /// Makes a rename durable; best effort (some filesystems refuse fsync on directories).
    private static func syncDirectory(of url: URL) {
        let fd = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
