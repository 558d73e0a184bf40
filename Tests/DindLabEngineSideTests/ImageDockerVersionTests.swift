import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Testing

/// The version facts outer images are labelled with (`DaemonVersion` itself belongs to the
/// private engines and is tested there).
@Suite("Image Docker versions and era facts")
struct ImageDockerVersionTests {
    @Test(
        "labels show the release without Debian's packaging suffix",
        arguments: [
            ("Docker version 1.7.1, build 786b29d", "1.7.1"),
            ("Docker version 17.03.2-ce, build f5ec1e2", "17.03.2-ce"),
            ("Docker version 20.10.24+dfsg1, build 297e128", "20.10.24"),
            ("Docker version 26.1.5+dfsg1, build 411e817", "26.1.5"),
        ])
    func releaseText(output: String, expected: String) throws {
        #expect(try #require(DaemonVersion(versionOutput: output)).releaseText == expected)
    }

    @Test(
        "API version by release line",
        arguments: [
            ("1.7.1", "1.19"), ("1.8.3", "1.20"), ("1.9.1", "1.21"), ("1.10.3", "1.22"), ("1.11.2", "1.23"),
            ("1.12.6", "1.24"), ("1.13.1", "1.25"), ("17.03.2-ce", "1.26"), ("18.09.9", "1.39"),
            ("20.10.5", "1.41"), ("20.10.24+dfsg1", "1.41"), ("23.0.6", "1.42"), ("24.0.9", "1.43"),
            ("25.0.5", "1.44"), ("26.0.2", "1.45"), ("26.1.5", "1.45"), ("27.1.0", "1.46"),
            ("27.5.1", "1.47"), ("28.0.4", "1.48"), ("28.2.2", "1.50"), ("28.5.1", "1.51"),
            // A release line newer than the table serves at least the newest API the table knows.
            ("29.0.0", "1.51"),
        ])
    func apiVersions(version: String, api: String) throws {
        #expect(try #require(DaemonVersion(versionText: version)).apiVersion?.description == api)
    }

    @Test("the table never goes backwards and stays within what the client speaks")
    func tableOrder() throws {
        var previous: APIVersion?
        for text in ["1.7", "1.13", "17.03", "17.12", "18.09", "20.10", "26.1", "27.5", "28.5"] {
            let api = try #require(DaemonVersion(versionText: text)?.apiVersion)
            #expect(api >= (previous ?? api))
            #expect(api >= APIVersion.oldestSupported && api <= APIVersion.newestSupported)
            previous = api
        }
    }

    @Test("no API version before Docker 1.7")
    func tooOld() throws {
        #expect(try #require(DaemonVersion(versionText: "1.6.2")).apiVersion == nil)
    }

    @Test(
        "daemon command by era",
        arguments: [
            ("1.6.2", ["docker", "-d"]), ("1.7.1", ["docker", "-d"]), ("1.8.0", ["docker", "daemon"]),
            ("1.9.1", ["docker", "daemon"]), ("1.11.2", ["docker", "daemon"]), ("1.12.0", ["dockerd"]),
            ("20.10.24", ["dockerd"]),
        ])
    func daemonCommands(version: String, command: [String]) throws {
        #expect(try #require(DaemonVersion(versionText: version)).era.daemonCommand == command)
    }
}
