import Foundation
import Testing

@testable import DockerEngine

struct HTTPHeadersTests {
    static let head = [
        "Api-Version: 1.41\r\n",
        "CONTENT-TYPE:application/json\r\n",
        "Docker-Experimental : false \t\r\n",
        "Server: Docker/20.10.24 (linux)\r\n",
        "X-Empty:\r\n",
        "X-Note: ünïcode\r\n",
        "garbage without colon\r\n",
        "X-Twice: first\r\n",
        "x-twice: second\r\n",
        "\r\n",
    ]

    @Test(
        "fields are found by name in any case, values without blanks; the last of a name wins",
        arguments: [
            ("api-version", "1.41"), ("Content-Type", "application/json"), ("docker-experimental", "false"),
            ("server", "Docker/20.10.24 (linux)"), ("x-empty", ""), ("X-NOTE", "ünïcode"), ("x-twice", "second"),
        ] as [(String, String)])
    func lookup(name: String, value: String) {
        #expect(HTTPHeaders(lines: Self.head)[name] == value)
    }

    @Test(
        "names that are absent, or only a prefix of a field's name, find nothing",
        arguments: ["ostype", "api", "api-version-x", "garbage without colon", ""])
    func absent(name: String) {
        #expect(HTTPHeaders(lines: Self.head)[name] == nil)
    }

    @Test("removeAll forgets the fields of an earlier head")
    func removeAll() {
        var headers = HTTPHeaders(lines: ["Content-Length: 0"])
        headers.removeAll()
        #expect(headers["content-length"] == nil)
        #expect(headers == HTTPHeaders())
    }

    @Test(
        "status lines",
        arguments: [
            ("HTTP/1.1 200 OK\r\n", 200), ("HTTP/1.0 101 UPGRADED", 101), ("HTTP/1.1  404  Not Found\r\n", 404),
            ("HTTP/1.1\r\n", 0), ("HTTP/1.1 abc\r\n", 0), ("HTTP/1.1 2000 Big\r\n", 200),
        ] as [(String, Int)])
    func statusLine(line: String, code: Int) {
        #expect(Data(line.utf8).withUnsafeBytes(HTTPHeaders.statusCode) == code)
    }

    @Test("other lines are no status lines", arguments: ["Api-Version: 1.41\r\n", "\r\n", "http/1.1 200 OK"])
    func notStatus(line: String) {
        #expect(Data(line.utf8).withUnsafeBytes(HTTPHeaders.statusCode) == nil)
    }
}
