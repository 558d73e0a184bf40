import Foundation

/// GET /images/{name}/json: the parts dindlab reads.
public struct ImageInspect: Decodable, Sendable {
    public struct Config: Decodable, Sendable {
        public var labels: [String: String]?
        public var cmd: [String]?

        enum CodingKeys: String, CodingKey {
            case labels = "Labels"
            case cmd = "Cmd"
        }
    }

    public var id: String
    public var repoTags: [String]?
    public var config: Config?
    public var created: String?
    public var size: Int?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case repoTags = "RepoTags"
        case config = "Config"
        case created = "Created"
        case size = "Size"
    }

    /// The image's labels, empty when it has none.
    public var labels: [String: String] { config?.labels ?? [:] }
}

/// One entry of GET /images/json.
public struct ImageSummary: Decodable, Sendable {
    public var id: String
    public var repoTags: [String]?
    public var labels: [String: String]?
    public var size: Int?
    public var created: Int?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case repoTags = "RepoTags"
        case labels = "Labels"
        case size = "Size"
        case created = "Created"
    }
}
