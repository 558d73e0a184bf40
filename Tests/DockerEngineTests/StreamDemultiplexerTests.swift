import Foundation
import Testing

@testable import DockerEngine

struct StreamDemultiplexerTests {
    static func frame(_ stream: UInt8, _ payload: String) -> Data {
        let bytes = Array(payload.utf8)
        let size = UInt32(bytes.count)
        var data = Data([stream, 0, 0, 0])
        data.append(contentsOf: [
            UInt8(size >> 24), UInt8((size >> 16) & 0xff), UInt8((size >> 8) & 0xff), UInt8(size & 0xff),
        ])
        data.append(contentsOf: bytes)
        return data
    }

    static let stream: Data = {
        var data = Data()
        data.append(frame(1, "hello\n"))
        data.append(frame(2, "warning: something\n"))
        data.append(frame(1, ""))
        data.append(frame(1, String(repeating: "x", count: 70_000)))
        data.append(frame(2, "bye"))
        return data
    }()

    /// Feeds `data` in pieces cut at the given offsets and collects the frames.
    static func demultiplex(_ data: Data, cuts: [Int]) throws -> [StreamFrame] {
        var demultiplexer = StreamDemultiplexer()
        var frames: [StreamFrame] = []
        var start = 0
        for cut in cuts.sorted() + [data.count] where cut >= start {
            frames += try demultiplexer.feed(data.subdata(in: start..<cut))
            start = cut
        }
        #expect(demultiplexer.pendingByteCount == 0)
        return frames
    }

    @Test("frames survive any chunk boundaries", arguments: 0..<40)
    func randomSplits(seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        let cutCount = Int.random(in: 0...30, using: &generator)
        let cuts = (0..<cutCount).map { _ in Int.random(in: 0...Self.stream.count, using: &generator) }
        let frames = try Self.demultiplex(Self.stream, cuts: cuts)
        #expect(frames.map(\.stream) == [.stdout, .stderr, .stdout, .stdout, .stderr])
        #expect(String(decoding: frames[1].payload, as: UTF8.self) == "warning: something\n")
        #expect(frames[3].payload.count == 70_000)
        #expect(String(decoding: frames[4].payload, as: UTF8.self) == "bye")
    }

    @Test("byte by byte")
    func byteByByte() throws {
        let frames = try Self.demultiplex(Self.stream, cuts: Array(0..<Self.stream.count))
        #expect(frames.count == 5)
    }

    @Test("a partial frame stays pending")
    func partial() throws {
        var demultiplexer = StreamDemultiplexer()
        let data = Self.frame(1, "abcdef")
        #expect(try demultiplexer.feed(data.prefix(10)).isEmpty)
        #expect(demultiplexer.pendingByteCount == 10)
        let frames = try demultiplexer.feed(data.suffix(from: 10))
        #expect(frames == [StreamFrame(stream: .stdout, payload: Data("abcdef".utf8))])
    }

    @Test("stream type 3 is the daemon's error channel")
    func systemError() throws {
        var demultiplexer = StreamDemultiplexer()
        let frames = try demultiplexer.feed(Self.frame(3, "exec failed"))
        var output = CollectedOutput()
        for frame in frames { output.append(frame.payload, to: frame.stream) }
        #expect(output.systemErrors == ["exec failed"])
    }

    @Test("an unknown stream type is an error, not garbage output")
    func unknownType() {
        var demultiplexer = StreamDemultiplexer()
        #expect(throws: StreamFramingError.self) { try demultiplexer.feed(Data("hello world, a tty stream".utf8)) }
    }

    @Test("output beyond the cap is counted and dropped")
    func cap() {
        var output = CollectedOutput(limit: 10)
        output.append(Data(repeating: 65, count: 8), to: .stdout)
        output.append(Data(repeating: 66, count: 8), to: .stdout)
        output.append(Data(repeating: 67, count: 3), to: .stderr)
        #expect(output.stdout.count == 10)
        #expect(output.droppedStdout == 6)
        #expect(output.stderr.count == 3)
        #expect(output.truncationNote?.contains("6 bytes of stdout") == true)
    }
}

/// SplitMix64: a deterministic generator, so a failing split can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
