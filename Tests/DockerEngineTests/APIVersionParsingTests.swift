import Testing

@testable import DockerEngine

struct APIVersionParsingTests {
    @Test(
        "versions as daemons and users write them",
        arguments: [
            ("1.41", APIVersion(1, 41)), (" 1.19\t", APIVersion(1, 19)), ("v1.51", APIVersion(1, 51)),
            ("2.0", APIVersion(2, 0)),
        ])
    func parses(text: String, version: APIVersion) {
        #expect(APIVersion(text) == version)
    }

    @Test(
        "anything else is refused",
        arguments: ["1.41.2", "1..2", ".5", "1.", "v", "1,41", "1 .41", "-1.2", "99999999999999999999.1", "١.٤"])
    func refuses(text: String) {
        #expect(APIVersion(text) == nil)
    }
}
