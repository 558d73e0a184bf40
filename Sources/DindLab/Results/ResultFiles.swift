import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file operations results need to survive a crash: a file is either the old
/// version or the new one, and a trials.jsonl record is either a whole line or absent.
enum ResultFiles {
    static func createDirectory(_ url: URL) throws(ResultsError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(url.path, reason: error.localizedDescription)
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

    private static func writeAll(_ data: Data, to fd: Int32, path: String) throws(ResultsError) {
        let failure: String? = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
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
