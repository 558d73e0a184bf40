public import Foundation

/// Splits a stream of JSON objects (progress of image import/load/build, events) into
/// whole objects, whatever the chunk boundaries.
///
/// Daemons separate the objects with newlines, but some versions write several objects
/// without one, so objects are found by brace depth outside strings, not by lines.
public struct JSONObjectSplitter: Sendable {
    private var buffer: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var objectStart: Int?
    private var scanned = 0

    public init() {}

    /// Adds bytes and returns the complete objects they finish, as raw JSON.
    public mutating func feed(_ data: Data) -> [Data] {
        buffer.append(contentsOf: data)
        var objects: [Data] = []
        var index = scanned
        while index < buffer.count {
            let byte = buffer[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = depth > 0
            } else if byte == UInt8(ascii: "{") {
                if depth == 0 { objectStart = index }
                depth += 1
            } else if byte == UInt8(ascii: "}"), depth > 0 {
                depth -= 1
                if depth == 0, let start = objectStart {
                    objects.append(Data(buffer[start...index]))
                    objectStart = nil
                }
            }
            index += 1
        }
        // Keep only the unfinished object.
        let keepFrom = objectStart ?? buffer.count
        buffer.removeFirst(keepFrom)
        scanned = index - keepFrom
        if objectStart != nil { objectStart = 0 }
        return objects
    }
}

/// One message of a JSON progress stream (`docker import`, `docker load`, `docker build`).
public struct JSONMessage: Decodable, Sendable {
    public struct ErrorDetail: Decodable, Sendable {
        public var code: Int?
        public var message: String?
    }

    public var status: String?
    public var stream: String?
    public var id: String?
    public var error: String?
    public var errorDetail: ErrorDetail?
    public var aux: [String: String]?

    /// The error this message reports, if any.
    public var errorMessage: String? {
        errorDetail?.message ?? error
    }

    enum CodingKeys: String, CodingKey {
        case status, stream, id, error, errorDetail, aux
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try? container.decodeIfPresent(String.self, forKey: .status)
        stream = try? container.decodeIfPresent(String.self, forKey: .stream)
        id = try? container.decodeIfPresent(String.self, forKey: .id)
        error = try? container.decodeIfPresent(String.self, forKey: .error)
        errorDetail = try? container.decodeIfPresent(ErrorDetail.self, forKey: .errorDetail)
        // aux carries {"ID": "sha256:..."} for builds; other shapes are ignored.
        aux = try? container.decodeIfPresent([String: String].self, forKey: .aux)
    }
}
