import Foundation
import Testing

@testable import DockerEngine

struct JSONObjectSplitterTests {
    static let text =
        #"{"status":"Importing"}"# + "\n"
        + #"{"progressDetail":{"current":1,"total":2},"status":"a } tricky \" string {"}{"status":"sha256:abc"}"# + "\n"

    @Test("objects are found whatever the chunk size", arguments: [1, 2, 3, 7, 16, 1000])
    func chunks(size: Int) throws {
        var splitter = JSONObjectSplitter()
        var objects: [Data] = []
        let bytes = Array(Self.text.utf8)
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + size)
            objects += splitter.feed(Data(bytes[index..<end]))
            index = end
        }
        let statuses = try objects.map { try JSONDecoder().decode(JSONMessage.self, from: $0).status }
        #expect(statuses == ["Importing", "a } tricky \" string {", "sha256:abc"])
    }

    @Test("an error line carries its message")
    func errorMessage() throws {
        let data = Data(#"{"errorDetail":{"message":"no space left on device"},"error":"no space left"}"#.utf8)
        let message = try JSONDecoder().decode(JSONMessage.self, from: data)
        #expect(message.errorMessage == "no space left on device")
    }
}
