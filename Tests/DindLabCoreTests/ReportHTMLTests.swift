import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

#if canImport(Glibc)
import Glibc
#endif

/// report.html: every cell in a heat map, bars with intervals, signature table with links,
/// escaped, self-contained; and a headless browser really draws it.
@Suite("Reports: report.html")
struct ReportHTMLTests {
    func report(in root: URL, strict: Bool = false) async throws -> RunReport {
        try await RunReport.load(runDirectory: try await ReportFixtures.mixedRun(in: root), strict: strict)
    }

    @Test("report.html contains every cell, in a 2 × 2 heat map for a two-key matrix and a list otherwise")
    func everyCell() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await report(in: root.url)
        let html = HTMLReport.render(report)
        for (_, cell) in report.cells {
            #expect(html.contains("title=\"\(ReportEscaping.markup(cell.cellID)): "), "heat map lacks \(cell.cellID)")
            #expect(html.contains("<th>\(ReportEscaping.markup(cell.cellID))</th><td><svg"), "bars lack \(cell.cellID)")
        }
        // modes: rows are daemon.start, columns inner.mode.
        #expect(html.contains("<th class=\"corner\">daemon.start \\ inner.mode</th><th>ti</th><th>d</th>"))
        #expect(html.contains("<tr><th>daemon.start=cmd</th><td class=\"cell\""))
        // plain has no matrix: one row named default, under a header.
        #expect(
            html.contains(
                "<tr><th class=\"corner\">cell</th><th>success rate</th></tr>\n<tr><th>default</th><td class=\"cell\""))
        // Colour follows the judgement, then the rate; a failed expectation is outlined. The cell
        // at 80% against >= 0.9 is orange, not the light green its rate alone would give.
        #expect(html.contains("class=\"cell failed\" style=\"background:hsl(0, 70%, 72%)\""))
        #expect(html.contains("class=\"cell failed\" style=\"background:hsl(32, 70%, 72%)\""))
        #expect(html.contains("style=\"background:hsl(120, 70%, 72%)\""))
        #expect(html.contains("<span class=\"rate\">no rate</span><span class=\"n\">n=5, 5 err</span>"))
    }

    @Test(
        "a cell's colour is its judgement: a failed cell is never green, a passed one always is",
        arguments: [
            // (passes, fails, expectation): rate and verdict.
            (9, 1, ">= 0.95"), (19, 1, ">= 0.99"), (1, 9, ">= 0.05"), (3, 1, ">= 0.9"), (10, 0, ">= 1"),
            (0, 10, "<= 0.5"), (5, 5, ""),
        ])
    func colourJudges(passes: Int, fails: Int, expectation: String) throws {
        let records = (0..<(passes + fails)).map { index in
            ResultsFixtures.record(
                index, outcome: index < passes ? .pass : .fail, signature: index < passes ? nil : "inner: x")
        }
        let expectations = expectation.isEmpty ? [:] : ["exec-vs-cmd": try SuccessRateExpectation(parsing: expectation)]
        let cell = Tally(records: records, expectations: expectations).scenarios[0].cells[0]
        let judgement = CellJudgement(cell, strict: false)
        let colour = HTMLReport.colour(cell, judgement)
        let hue = try #require(Int(colour.dropFirst(4).prefix { $0.isNumber }), "\(colour)")
        if judgement.isFailure {
            #expect(hue <= 40, "failed cell (\(judgement.explanation)) is \(colour)")
        } else {
            #expect(judgement.verdict == .passed)
            #expect(hue >= 100, "passed cell (\(judgement.explanation)) is \(colour)")
        }
    }

    @Test(
        "a scenario with one matrix key heads its rows with the key; the signature link opens the example's forensics.md; phase medians per cell"
    )
    func oneKeyLinksAndPhases() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan(
            [
                "version: 1\nname: one\nrepeat: 2\nouter: {image: dindlab/outer:bookworm}\nmatrix:\n  inner.mode: [ti, d]\n"
            ], in: root.url)
        let directory = try await ReportFixtures.writeRun(
            plan, files: files, in: root.url.appendingPathComponent("results"), runID: ResultsFixtures.runID
        ) { trial in
            trial.cell.id == "inner.mode=ti" ? (.fail, "inner: the input device is not a TTY") : (.pass, nil)
        }
        let failed = try #require(
            plan.trials.filter { $0.cell.id == "inner.mode=ti" }.min { $0.sequence < $1.sequence })
        try "# forensics\n".write(
            to: directory.appendingPathComponent("artifacts/\(failed.id)/forensics.md"), atomically: true,
            encoding: .utf8)
        // Phase durations in the records, as the executor writes them.
        let store = try ResultStore(opening: directory)
        let log = try await store.readTrials()
        var records = log.records
        for index in records.indices {
            records[index].phaseDurations = [
                .outer: 0.25, .daemon: records[index].trialID.hasSuffix("-t1") ? 2.5 : 1.5, .inner: 0.5,
            ]
        }
        let report = RunReport(
            directory: directory, manifest: try await store.readManifest(),
            log: TrialLog(records: records, corruptLines: []), strict: false)
        let html = HTMLReport.render(report)
        #expect(html.contains("<tr><th class=\"corner\">inner.mode</th><th>success rate</th></tr>"), "\(html)")
        #expect(html.contains("<a href=\"artifacts/\(failed.id)/forensics.md\">\(failed.id)</a>"))
        #expect(html.contains("<h3>Median seconds per phase</h3>"))
        #expect(
            html.contains(
                "<tr><th>inner.mode=ti</th><td class=\"num\">0.25</td><td class=\"num\">—</td><td class=\"num\">2.00</td>"
            ), "\(html)")
    }

    @Test("heat map layout: the last key's values are columns, the other keys' combinations rows")
    func layout() throws {
        let records = [("a", "x", "1"), ("a", "x", "2"), ("a", "y", "1"), ("b", "y", "2")].enumerated().map {
            index, values in
            ResultsFixtures.record(index, cell: "c\(index)", values: ["k1": values.0, "k2": values.1, "k3": values.2])
        }
        let cells = Tally(records: records).scenarios[0].cells
        let layout = HeatMapLayout(cells: cells)
        #expect(layout.rows == ["k1=a, k2=x", "k1=a, k2=y", "k1=b, k2=y"])
        #expect(layout.columns == ["1", "2"])
        #expect(layout.grid.map { $0.map { $0?.cellID } } == [["c0", "c1"], ["c2", nil], [nil, "c3"]])
        let list = HeatMapLayout(
            cells: Tally(records: [ResultsFixtures.record(0, values: ["k": "v"])]).scenarios[0].cells)
        #expect(!list.isGrid && list.rows == ["k=v"])
    }

    @Test("a key --only fixed to one value is named once instead of making a one-column grid")
    func constantKeys() {
        let records = [("cmd", "ti"), ("cmd", "d"), ("exec", "ti"), ("exec", "d")].enumerated().map { index, values in
            ResultsFixtures.record(
                index, cell: "c\(index)",
                values: ["daemon.start": values.0, "inner.mode": values.1, "outer.image": "bookworm"])
        }
        let layout = HeatMapLayout(cells: Tally(records: records).scenarios[0].cells)
        #expect(layout.constant == [CellValues.Entry(key: "outer.image", value: "bookworm")])
        #expect(layout.columnKey == "inner.mode" && layout.columns == ["ti", "d"])
        #expect(layout.rows == ["daemon.start=cmd", "daemon.start=exec"])
        let oneKeyLeft = HeatMapLayout(cells: Array(Tally(records: records).scenarios[0].cells.prefix(2)))
        #expect(!oneKeyLeft.isGrid && oneKeyLeft.rows == ["inner.mode=ti", "inner.mode=d"])
        #expect(oneKeyLeft.constant.map(\.key) == ["daemon.start", "outer.image"])
    }

    @Test("bars carry the interval and the expectation's threshold")
    func bars() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let html = HTMLReport.render(try await report(in: root.url))
        // 80% [37.6%, 96.4%] on a 320-pixel bar; threshold 0.9.
        #expect(html.contains("<rect x=\"0\" y=\"3\" width=\"256.0\" height=\"12\""))
        #expect(html.contains("<line x1=\"120.2\" y1=\"9\" x2=\"308.4\" y2=\"9\""))
        #expect(html.contains("<line x1=\"288.0\" y1=\"0\" x2=\"288.0\" y2=\"18\" stroke=\"#1a56c4\""))
    }

    @Test("no script, no fetch: only inline style and relative links to artifacts; all text escaped")
    func selfContained() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await report(in: root.url)
        let html = HTMLReport.render(report)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<link"))
        #expect(html.contains("default-src 'none'"))
        #expect(html.contains("<a href=\"artifacts/modes-c2-t0/\">modes-c2-t0</a>"))
        #expect(!html.contains("<&>"))
        #expect(html.contains(ReportEscaping.markup(ReportFixtures.nastySignature)))
        #expect(!html.unicodeScalars.contains("\u{1B}"))

        // Written outside the run folder, the links lead back into it.
        let elsewhere = root.url.appendingPathComponent("site/nightly", isDirectory: true)
        let moved = HTMLReport.render(report, location: elsewhere)
        #expect(moved.contains("<a href=\"../../results/20261129T112233Z-ab12/artifacts/modes-c2-t0/\">"))
    }

    @Test("markup escaping covers quotes, ampersands and characters XML forbids")
    func escaping() {
        #expect(ReportEscaping.markup("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;")
        #expect(ReportEscaping.markup("x\u{0}y\u{FFFE}") == "x\\u{0}y\\u{FFFE}")
        #expect(ReportEscaping.markup("tab\tline\n") == "tab\tline\n")
        #expect(ReportEscaping.markup("ünïcödé ✓") == "ünïcödé ✓")
    }

    static let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap { ReportFixtures.tool($0) }
        .first

    /// Writes the report and screenshots it in headless Chromium; returns the image's colours
    /// and their pixel counts. DINDLAB_SCREENSHOT_DIR keeps a copy of the PNG, to look at.
    func screenshot(_ report: RunReport, in root: URL, named name: String) throws -> [UInt32: Int] {
        try report.write()
        let (image, _) = try PNGImage.screenshot(of: ReportFiles(in: report.directory).html, in: root, named: name)
        #expect(image.width == 1200 && image.height == 900)
        let colours = image.colourCounts()
        #expect(colours.count > 20, "a blank page has one colour; this one has \(colours.count)")
        let background = colours.max { $0.value < $1.value }!
        #expect(Double(background.value) < 0.97 * Double(image.width * image.height), "almost everything is background")
        return colours
    }

    /// Whether more than `pixels` pixels have about this colour.
    func shows(_ colours: [UInt32: Int], _ red: Int, _ green: Int, _ blue: Int, pixels: Int = 200) -> Bool {
        PNGImage.shows(colours, red, green, blue, atLeast: pixels + 1)
    }

    @Test(
        "a failing run renders in headless Chromium: red and orange for failed cells, grey for a skipped one, green only where a cell passed",
        .enabled(if: chromium != nil, "Chromium is not installed (Debian package chromium; scripts/setup installs it)"))
    func failingRunInChromium() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        // The mixed run, and a cell of a 1.7-era scenario that was skipped.
        let mixed = try await self.report(in: root.url)
        var manifest = mixed.manifest
        manifest.skippedCells = [
            RunManifest.SkippedCell(
                scenario: "historic", cellID: "outer.image=dindlab/outer:1.7.1", engine: "default", trials: 3,
                reason: ReportSkippedCellsTests.reason,
                cellValues: ["outer.image": "dindlab/outer:1.7.1"], cellIndex: 0)
        ]
        try await ResultStore(opening: mixed.directory).writeManifest(manifest)
        let failing = try await RunReport.load(runDirectory: mixed.directory, strict: false)
        #expect(failing.skippedCells.count == 1)
        let colours = try screenshot(failing, in: root.url, named: "failing")
        #expect(shows(colours, 235, 133, 133), "no red heat-map cell (0%, failed)")
        #expect(shows(colours, 234, 187, 134), "no orange heat-map cell (80% against >= 0.9, failed)")
        #expect(shows(colours, 226, 226, 226), "no grey skipped cell")
        #expect(shows(colours, 133, 235, 133), "no green heat-map cell (100%, passed)")
        // The 80% cell's rate alone would be light green, hsl(96, 70%, 72%): it must not be.
        #expect(!shows(colours, 164, 235, 133, pixels: 50), "a failed cell is painted green")
        #expect(shows(colours, 0xFD, 0xE2, 0xE1), "no red verdict box for exit status 1")
    }

    @Test(
        "a passing run renders in headless Chromium: green cells and a green verdict, nothing red",
        .enabled(if: chromium != nil, "Chromium is not installed (Debian package chromium; scripts/setup installs it)"))
    func passingRunInChromium() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let passing = try await ReportSkippedCellsTests.run(in: root.url) { _ in false }
        #expect(passing.verdict.exitCode == 0)
        let colours = try screenshot(passing, in: root.url, named: "passing")
        #expect(shows(colours, 133, 235, 133), "no green heat-map cell")
        #expect(shows(colours, 0xE3, 0xF4, 0xE1), "no green verdict box for exit status 0")
        #expect(!shows(colours, 235, 133, 133, pixels: 50), "a red cell in a passing run")
        #expect(!shows(colours, 0xFD, 0xE2, 0xE1, pixels: 50), "a red verdict box in a passing run")
    }
}

/// Just enough of PNG to look at a browser's screenshot: 8-bit RGB or RGBA, not interlaced,
/// inflated with the system's zlib (loaded at run time: the test target links no C library).
struct PNGImage {
    let width: Int
    let height: Int
    /// RGB(A) bytes, row after row, filters undone.
    let pixels: [UInt8]
    let bytesPerPixel: Int

    init(contentsOf url: URL) throws {
        let data = [UInt8](try Data(contentsOf: url))
        guard data.count > 8, data[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw TestFailure("\(url.path) is not a PNG file")
        }
        func be32(_ offset: Int) -> Int { data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        var offset = 8
        var header: ArraySlice<UInt8> = []
        var compressed: [UInt8] = []
        while offset + 8 <= data.count {
            let length = be32(offset)
            let type = String(decoding: data[offset + 4..<offset + 8], as: UTF8.self)
            let body = data[offset + 8..<min(data.count, offset + 8 + length)]
            if type == "IHDR" { header = body }
            if type == "IDAT" { compressed += body }
            if type == "IEND" { break }
            offset += 12 + length
        }
        guard header.count == 13 else { throw TestFailure("the PNG has no IHDR chunk") }
        let h = Array(header)
        width = h[0..<4].reduce(0) { $0 << 8 | Int($1) }
        height = h[4..<8].reduce(0) { $0 << 8 | Int($1) }
        guard h[8] == 8, h[9] == 2 || h[9] == 6, h[12] == 0 else {
            throw TestFailure(
                "PNG bit depth \(h[8]), colour type \(h[9]), interlace \(h[12]) is not 8-bit RGB(A) without interlace")
        }
        bytesPerPixel = h[9] == 6 ? 4 : 3
        let stride = width * bytesPerPixel
        let raw = try Self.inflate(compressed, expected: height * (stride + 1))
        var pixels = [UInt8](repeating: 0, count: height * stride)
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            let source = row * (stride + 1) + 1
            let target = row * stride
            for index in 0..<stride {
                let x = raw[source + index]
                let a = index >= bytesPerPixel ? Int(pixels[target + index - bytesPerPixel]) : 0
                let b = row > 0 ? Int(pixels[target - stride + index]) : 0
                let c = index >= bytesPerPixel && row > 0 ? Int(pixels[target - stride + index - bytesPerPixel]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let pa = abs(p - a)
                    let pb = abs(p - b)
                    let pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw TestFailure("unknown PNG filter \(filter) in row \(row)")
                }
                pixels[target + index] = UInt8(truncatingIfNeeded: Int(x) + predictor)
            }
        }
        self.pixels = pixels
    }

    /// A screenshot of a page in headless Chromium (`ReportHTMLTests.chromium`), 1200 × 900.
    /// DINDLAB_SCREENSHOT_DIR keeps a copy of the PNG as `<name>.png`, to look at.
    /// - Returns: The image, and the PNG file (in `folder`).
    static func screenshot(of page: URL, in folder: URL, named name: String) throws -> (image: PNGImage, file: URL) {
        guard let chromium = ReportHTMLTests.chromium else { throw TestFailure("Chromium is not installed") }
        let file = folder.appendingPathComponent("\(name).png")
        let result = try ReportFixtures.run(
            chromium,
            [
                // The screenshot waits for the page's scripts and layout (the heat map's cells
                // were missing under load without these two).
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=10000",
                "--run-all-compositor-stages-before-draw",
                "--user-data-dir=\(folder.appendingPathComponent("profile-\(name)").path)",
                "--screenshot=\(file.path)", "--window-size=1200,900", page.absoluteString,
            ])
        guard result.status == 0 else { throw TestFailure("Chromium exited with \(result.status): \(result.output)") }
        if let keep = ProcessInfo.processInfo.environment["DINDLAB_SCREENSHOT_DIR"] {
            try? FileManager.default.copyItem(
                at: file, to: URL(fileURLWithPath: keep).appendingPathComponent("\(name).png"))
        }
        return (try PNGImage(contentsOf: file), file)
    }

    /// Whether at least `pixels` pixels of `colours` (from `colourCounts`) are within 6 of
    /// (red, green, blue) in every channel.
    static func shows(_ colours: [UInt32: Int], _ red: Int, _ green: Int, _ blue: Int, atLeast pixels: Int) -> Bool {
        colours.contains { colour, count in
            count >= pixels && abs(Int(colour >> 16) - red) <= 6 && abs(Int((colour >> 8) & 0xFF) - green) <= 6
                && abs(Int(colour & 0xFF) - blue) <= 6
        }
    }

    /// How many pixels have each colour, as 0xRRGGBB.
    func colourCounts() -> [UInt32: Int] {
        var counts: [UInt32: Int] = [:]
        for pixel in stride(from: 0, to: pixels.count, by: bytesPerPixel) {
            counts[
                UInt32(pixels[pixel]) << 16 | UInt32(pixels[pixel + 1]) << 8 | UInt32(pixels[pixel + 2]), default: 0] +=
                1
        }
        return counts
    }

    private typealias Uncompress =
        @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt) -> Int32

    private static func inflate(_ compressed: [UInt8], expected: Int) throws -> [UInt8] {
        guard let library = dlopen("libz.so.1", RTLD_NOW), let symbol = dlsym(library, "uncompress") else {
            throw TestFailure("zlib (libz.so.1) could not be loaded")
        }
        let uncompress = unsafeBitCast(symbol, to: Uncompress.self)
        var output = [UInt8](repeating: 0, count: expected)
        var length = UInt(expected)
        let status = output.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &length, input.baseAddress, UInt(input.count))
            }
        }
        guard status == 0, Int(length) == expected else {
            throw TestFailure("zlib could not inflate the PNG data (status \(status), \(length) of \(expected) bytes)")
        }
        return output
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
