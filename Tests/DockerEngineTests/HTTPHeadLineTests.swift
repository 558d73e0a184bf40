@testable import DockerEngine
import Foundation
import Testing

struct HTTPHeadLineTests {
    @Test("status lines, fields and the rest", arguments: [
        ("HTTP/1.1 200 OK\r\n", HTTPHeadLine.status(200)),
        ("HTTP/1.0 101 UPGRADED", .status(101)),
        ("HTTP/1.1  404  Not Found\r\n", .status(404)),
        ("HTTP/1.1\r\n", .status(0)),
        ("HTTP/1.1 abc\r\n", .status(0)),
        ("Api-Version: 1.41\r\n", .field(name: "api-version", value: "1.41")),
        ("CONTENT-TYPE:application/json\r\n", .field(name: "content-type", value: "application/json")),
        ("Docker-Experimental : false \t\r\n", .field(name: "docker-experimental", value: "false")),
        ("Server: Docker/20.10.24 (linux)\r\n", .field(name: "server", value: "Docker/20.10.24 (linux)")),
        ("X-Empty:\r\n", .field(name: "x-empty", value: "")),
        ("X-Note: ünïcode\r\n", .field(name: "x-note", value: "ünïcode")),
        ("\r\n", .other),
        ("garbage without colon", .other),
    ])
    func parses(line: String, expected: HTTPHeadLine) {
        #expect(HTTPHeadLine(Data(line.utf8)) == expected)
    }
}
