import Foundation

/// A value shared between connection threads, guarded by a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    var current: Value { withLock { $0 } }
}

/// Random lowercase hex, the shape of container, exec and image ids.
enum HexID {
    static func make(length: Int = 64) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        while text.count < length {
            let word = generator.next() as UInt64
            let chunk = String(word, radix: 16)
            text += String(repeating: "0", count: 16 - chunk.count) + chunk
        }
        return String(text.prefix(length))
    }
}
