import Foundation

/// The answer to GET /_ping.
public struct PingResult: Sendable {
    /// The `Api-Version` header; daemons before API 1.25 do not send it.
    public var apiVersion: APIVersion?
    /// The `OSType` header, when sent.
    public var osType: String?
}

/// GET /version. Fields absent from old daemons are optional.
public struct EngineVersion: Codable, Sendable, Equatable {
    public var version: String
    public var apiVersion: APIVersion
    /// Since API 1.22 (Docker 1.10); older daemons have no minimum to report.
    public var minAPIVersion: APIVersion?
    public var os: String?
    public var arch: String?
    public var kernelVersion: String?
    public var goVersion: String?
    public var gitCommit: String?

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case apiVersion = "ApiVersion"
        case minAPIVersion = "MinAPIVersion"
        case os = "Os"
        case arch = "Arch"
        case kernelVersion = "KernelVersion"
        case goVersion = "GoVersion"
        case gitCommit = "GitCommit"
    }
}

/// GET /info: the fields dindlab fingerprints engines with.
public struct EngineInfo: Decodable, Sendable {
    public var id: String?
    public var serverVersion: String?
    public var driver: String?
    /// Since API 1.25; older daemons always used cgroupfs unless told otherwise.
    public var cgroupDriver: String?
    /// "1" or "2", since API 1.40.
    public var cgroupVersion: String?
    public var kernelVersion: String?
    public var operatingSystem: String?
    public var osType: String?
    public var architecture: String?
    public var dockerRootDir: String?
    public var securityOptions: [String]?
    public var containers: Int?
    public var images: Int?
    public var name: String?
    public var loggingDriver: String?
    /// The CPUs of the engine's host (NCPU).
    public var cpus: Int?

    enum CodingKeys: String, CodingKey {
        case cpus = "NCPU"
        case id = "ID"
        case serverVersion = "ServerVersion"
        case driver = "Driver"
        case cgroupDriver = "CgroupDriver"
        case cgroupVersion = "CgroupVersion"
        case kernelVersion = "KernelVersion"
        case operatingSystem = "OperatingSystem"
        case osType = "OSType"
        case architecture = "Architecture"
        case dockerRootDir = "DockerRootDir"
        case securityOptions = "SecurityOptions"
        case containers = "Containers"
        case images = "Images"
        case name = "Name"
        case loggingDriver = "LoggingDriver"
    }
}

/// One event of GET /events. Old daemons send only status, id, from and time.
public struct EngineEvent: Decodable, Sendable {
    public struct Actor: Decodable, Sendable {
        public var id: String?
        public var attributes: [String: String]?

        enum CodingKeys: String, CodingKey {
            case id = "ID"
            case attributes = "Attributes"
        }
    }

    public var status: String?
    public var id: String?
    public var from: String?
    public var type: String?
    public var action: String?
    public var actor: Actor?
    public var time: Int?

    enum CodingKeys: String, CodingKey {
        case status, id, from, time
        case type = "Type"
        case action = "Action"
        case actor = "Actor"
    }

    /// What happened, whichever API version described it.
    public var kind: String { action ?? status ?? "" }
    /// The object it happened to.
    public var objectID: String { actor?.id ?? id ?? "" }
}
