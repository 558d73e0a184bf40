import Foundation

/// Why a fake engine could not start or do what a test asked.
package struct FakeEngineError: Error, CustomStringConvertible, Sendable {
    private enum Kind: Sendable {
        case systemCall(String, path: String, errno: Int32)
        case pathTooLong(String)
        case invalidPersona(DaemonPersona, field: String, value: String)
        case rejected(status: Int, message: String)
    }

    private let kind: Kind

    static func systemCall(_ name: String, path: String, errno: Int32) -> FakeEngineError {
        FakeEngineError(kind: .systemCall(name, path: path, errno: errno))
    }

    static func pathTooLong(_ path: String) -> FakeEngineError { FakeEngineError(kind: .pathTooLong(path)) }

    static func invalidPersona(_ persona: DaemonPersona, field: String, value: String) -> FakeEngineError {
        FakeEngineError(kind: .invalidPersona(persona, field: field, value: value))
    }

    static func rejected(_ error: APIError) -> FakeEngineError {
        FakeEngineError(kind: .rejected(status: error.status, message: error.message))
    }

    package var description: String {
        switch kind {
        case .systemCall(let name, let path, let code):
            "The fake engine could not set up its socket at \(path): \(name) failed with \(String(cString: strerror(code))) (errno \(code))."
        case .pathTooLong(let path):
            "The fake engine's socket path \(path) is longer than a Unix socket address allows (107 bytes)."
        case .invalidPersona(let persona, let field, let value):
            "The persona \(persona) has \(field) \"\(value)\", which is not an API version such as \"1.41\"."
        case .rejected(let status, let message):
            "The fake engine refused the request with status \(status): \(message)"
        }
    }
}
