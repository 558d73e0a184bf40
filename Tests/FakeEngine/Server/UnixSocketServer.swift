import Foundation
import Glibc

/// A stream socket listening on a fresh path under /tmp, serving each connection on its own
/// thread. Stopping closes the listener, shuts every open connection down (which wakes
/// threads blocked reading or writing), waits for the threads, and removes the socket and
/// its folder.
final class UnixSocketServer: @unchecked Sendable {
    let socketPath: String
    private let directory: String
    private let listener: Int32
    private let serve: @Sendable (SocketConnection) -> Void
    private let condition = NSCondition()
    private var openConnections: [Int: Int32] = [:]
    private var runningThreads = 0
    private var nextConnectionID = 1
    private var stopped = false

    /// Binds and listens; `start` begins accepting.
    /// - Parameter serve: runs on a connection's own thread until the connection is done.
    /// - Throws: `FakeEngineError` when the folder, socket, bind or listen fails.
    init(serve: @escaping @Sendable (SocketConnection) -> Void) throws(FakeEngineError) {
        var template = Array("/tmp/fake-engine-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw .systemCall("mkdtemp", path: "/tmp/fake-engine-XXXXXX", errno: errno)
        }
        directory = String(cString: created)
        socketPath = directory + "/docker.sock"
        self.serve = serve

        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            rmdir(directory)
            throw .systemCall("socket", path: socketPath, errno: errno)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            rmdir(directory)
            throw .pathTooLong(socketPath)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, 128) == 0 else {
            let failure = errno
            close(descriptor)
            unlink(socketPath)
            rmdir(directory)
            throw .systemCall(bound == 0 ? "listen" : "bind", path: socketPath, errno: failure)
        }
        listener = descriptor
    }

    func start() {
        condition.lock()
        runningThreads += 1
        condition.unlock()
        let thread = Thread { [self] in
            acceptLoop()
            threadFinished()
        }
        thread.name = "FakeEngine accept"
        thread.start()
    }

    private func acceptLoop() {
        while true {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            // Poll with a short timeout rather than block in accept: stop() then never
            // depends on how a platform wakes a thread blocked in accept().
            let ready = poll(&poller, 1, 50)
            if isStopped { return }
            guard ready > 0 else { continue }
            let descriptor = accept(listener, nil, nil)
            guard descriptor >= 0 else { continue }
            condition.lock()
            if stopped {
                condition.unlock()
                close(descriptor)
                return
            }
            let id = nextConnectionID
            nextConnectionID += 1
            openConnections[id] = descriptor
            runningThreads += 1
            condition.unlock()
            let thread = Thread { [self] in
                serve(SocketConnection(descriptor: descriptor, id: id))
                condition.lock()
                openConnections[id] = nil
                condition.unlock()
                close(descriptor)
                threadFinished()
            }
            thread.name = "FakeEngine connection \(id)"
            thread.start()
        }
    }

    /// Threads still serving (the accept loop included); 0 once `stop` has joined them all.
    var runningThreadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return runningThreads
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    private func threadFinished() {
        condition.lock()
        runningThreads -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops serving; idempotent.
    /// - Parameter patience: how long to wait for connection threads before abandoning them
    ///   (they still close their own sockets when they finish).
    func stop(patience: TimeInterval = 5) {
        condition.lock()
        guard !stopped else {
            condition.unlock()
            return
        }
        stopped = true
        for descriptor in openConnections.values { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }
        let deadline = Date().addingTimeInterval(patience)
        while runningThreads > 0, Date() < deadline {
            _ = condition.wait(until: min(deadline, Date().addingTimeInterval(0.05)))
            // A connection accepted just before the flag was set may have missed the shutdown.
            for descriptor in openConnections.values { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
        condition.unlock()
        close(listener)
        unlink(socketPath)
        rmdir(directory)
    }
}
