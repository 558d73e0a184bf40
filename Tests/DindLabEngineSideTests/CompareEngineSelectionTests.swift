import DockerEngine
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// `--engine NAME=ADDRESS`, which `run` and `fingerprint diff` take to put engines side by side.
@Suite("Compare: naming engines on the command line")
struct CompareEngineSelectionTests {
    @Test(
        "NAME=ADDRESS names an engine given by URL",
        arguments: [
            ("good=unix:///tmp/a/docker.sock", "good", "unix:///tmp/a/docker.sock"),
            ("bad=tcp://127.0.0.1:2375", "bad", "tcp://127.0.0.1:2375"),
            ("unix:///tmp/with=sign/docker.sock", "default", "unix:///tmp/with=sign/docker.sock"),
        ])
    func named(_ row: (argument: String, name: String, address: String)) throws {
        let selection = try EngineSelection.resolve(row.argument, environment: [:])
        #expect(selection.name == row.name)
        #expect(selection.address.description == row.address)
    }
}
