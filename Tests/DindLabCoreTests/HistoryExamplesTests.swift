import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// The CI examples would run: the GitHub workflow is valid against GitHub's published schema
/// (check-jsonschema carries it; no network), its shell steps parse, it carries the nights from
/// one run to the next and runs `dindlab history`; the Kubernetes Jobs agree on completions,
/// parallelism, shards, seed and volume, and their scripts parse.
@Suite("History: CI examples")
struct HistoryExamplesTests {
    static let folder = ShardExamplesTests.folder

    /// check-jsonschema from PyPI (scripts/setup installs it), on PATH or where pip puts scripts.
    static let checkJSONSchema: URL? = {
        if let found = ReportFixtures.tool("check-jsonschema") { return found }
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        return ["\(home)/.local/bin/check-jsonschema", "/usr/local/bin/check-jsonschema"]
            .map { URL(fileURLWithPath: $0) }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    @Test(
        "the GitHub workflow validates against the published github-workflows schema (check-jsonschema --builtin-schema)",
        .enabled(
            if: checkJSONSchema != nil,
            "check-jsonschema is not installed (scripts/setup installs it: pip install check-jsonschema)"))
    func workflowSchema() throws {
        let workflow = Self.folder.appendingPathComponent("github-nightly.yml")
        let result = try ReportFixtures.run(
            Self.checkJSONSchema!, ["--builtin-schema", "vendor.github-workflows", workflow.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ok -- validation done"))
    }

    @Test(
        "the schema check catches a workflow that would not run",
        .enabled(
            if: checkJSONSchema != nil,
            "check-jsonschema is not installed (scripts/setup installs it: pip install check-jsonschema)"))
    func schemaCatchesBrokenWorkflow() throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let text = try String(contentsOf: Self.folder.appendingPathComponent("github-nightly.yml"), encoding: .utf8)
        let broken = root.url.appendingPathComponent("broken.yml")
        try text.replacingOccurrences(of: "runs-on:", with: "runs_on:").write(
            to: broken, atomically: true, encoding: .utf8)
        let result = try ReportFixtures.run(
            Self.checkJSONSchema!, ["--builtin-schema", "vendor.github-workflows", broken.path])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("'runs-on' is a required property"))
    }

    @Test("every run step of the workflow is valid bash")
    func workflowScriptsParse() throws {
        let workflow = try ShardExamplesTests.load("github-nightly.yml")
        let jobs = try #require(workflow["jobs"]?.entries)
        var scripts = 0
        for job in jobs {
            for step in job.value["steps"]?.items ?? [] {
                guard let script = step["run"]?.text else { continue }
                // `${{ expr }}` is replaced by Actions before bash sees the script.
                let plain = script.replacingOccurrences(of: #"\$\{\{[^}]*\}\}"#, with: "X", options: .regularExpression)
                let result = try ReportFixtures.run(URL(fileURLWithPath: "/bin/bash"), ["-n", "-c", plain])
                #expect(result.status == 0, "\(job.key): \(script)\n\(result.output)")
                scripts += 1
            }
        }
        #expect(scripts >= 8)
    }

    @Test(
        "the workflow restores the previous nights, merges tonight into them, runs dindlab history and publishes history.html beside report.html"
    )
    func workflowHistory() throws {
        let workflow = try ShardExamplesTests.load("github-nightly.yml")
        let jobs = try #require(workflow["jobs"]?.entries)
        let merge = try #require(
            jobs.first {
                $0.value["steps"]?.items?.contains { $0["run"]?.text?.contains("dindlab merge") == true } == true
            })
        let steps = try #require(merge.value["steps"]?.items)
        func index(_ matches: (YAMLNode) -> Bool) -> Int? { steps.firstIndex(where: matches) }

        let restore = try #require(index { $0["uses"]?.text?.hasPrefix("actions/cache/restore@") == true })
        let save = try #require(index { $0["uses"]?.text?.hasPrefix("actions/cache/save@") == true })
        let mergeStep = try #require(index { $0["run"]?.text?.contains("dindlab merge") == true })
        let historyStep = try #require(index { $0["run"]?.text?.contains("dindlab history") == true })
        let upload = try #require(index { $0["uses"]?.text?.hasPrefix("actions/upload-artifact@") == true })
        #expect(restore < mergeStep && mergeStep < historyStep && historyStep < save && historyStep < upload)

        // One folder of nights: restored, merged into, read, saved.
        let folder = try #require(steps[restore]["with"]?["path"]?.text)
        #expect(steps[save]["with"]?["path"]?.text == folder)
        #expect(steps[save]["if"]?.text == "always()", "a failing night (a regression) must still be kept for tomorrow")
        let restoreKeys = try #require(steps[restore]["with"]?["restore-keys"]?.text)
        let saveKey = try #require(steps[save]["with"]?["key"]?.text)
        #expect(
            saveKey.hasPrefix(restoreKeys.trimmingCharacters(in: .whitespacesAndNewlines)),
            "tomorrow's restore must find tonight's key")
        #expect(saveKey.contains("${{ github.run_id }}"), "each night saves a new cache entry")
        let mergeScript = try #require(steps[mergeStep]["run"]?.text)
        #expect(mergeScript.contains("--out \"\(folder)/nightly-$SEED\""))
        let historyScript = try #require(steps[historyStep]["run"]?.text)
        #expect(historyScript.contains("dindlab history \(folder)/"))
        #expect(historyScript.contains("--html \(folder)/history.html"))
        #expect(historyScript.contains("--fail-on-regression"))
        #expect(
            steps[historyStep]["if"]?.text == "always()",
            "history is read even when the merged run failed its expectations")

        // history.html and the nights' report.html in one artifact, so its links work.
        let paths = try #require(steps[upload]["with"]?["path"]?.text).split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(paths.contains("\(folder)/history.html"))
        #expect(paths.contains("\(folder)/*/report.html"))
        #expect(steps[upload]["if"]?.text == "always()")
    }

    @Test("the Kubernetes Indexed Job: completions, parallelism and the shard arithmetic agree")
    func kubernetesShards() throws {
        let job = try ShardExamplesTests.load("k8s-indexed-job.yaml")
        let spec = try #require(job["spec"])
        #expect(spec["completionMode"]?.text == "Indexed")
        let completions = try #require(spec["completions"]?.text.flatMap(Int.init))
        let parallelism = try #require(spec["parallelism"]?.text.flatMap(Int.init))
        #expect(completions >= 1 && (1...completions).contains(parallelism))
        let container = try #require(spec["template"]?["spec"]?["containers"]?[0])
        let env = Self.environment(container)
        #expect(env["SHARDS"].flatMap(Int.init) == completions)
        let script = try #require(container["args"]?[0]?.text)
        let result = try ReportFixtures.run(URL(fileURLWithPath: "/bin/sh"), ["-n", "-c", script])
        #expect(result.status == 0, "\(result.output)")

        // Evaluate the --shard argument as each pod's shell would: indexes 0..<completions give
        // every shard 1/N..N/N once.
        let argument = try #require(script.firstMatch(of: /--shard (\S+)/)?.output.1)
        var shards: [Int] = []
        for index in 0..<completions {
            let evaluated = try ReportFixtures.run(
                URL(fileURLWithPath: "/bin/sh"),
                ["-c", "JOB_COMPLETION_INDEX=\(index); SHARDS=\(env["SHARDS"]!); echo \(argument)"])
            let parts = evaluated.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/")
                .compactMap { Int($0) }
            #expect(parts.count == 2 && parts[1] == completions, "\(argument) gave \(evaluated.output)")
            shards.append(parts.first ?? 0)
        }
        #expect(shards == Array(1...completions))
    }

    @Test(
        "the Kubernetes history Job merges the nightly Job's shards into /results/history and runs dindlab history there"
    )
    func kubernetesHistory() throws {
        let nightly = try ShardExamplesTests.load("k8s-indexed-job.yaml")
        let history = try ShardExamplesTests.load("k8s-history-job.yaml")
        #expect(history["kind"]?.text == "Job" && history["apiVersion"]?.text == "batch/v1")
        let nightlyPod = try #require(nightly["spec"]?["template"]?["spec"])
        let historyPod = try #require(history["spec"]?["template"]?["spec"])
        let container = try #require(historyPod["containers"]?[0])
        // Same seed and shard count, same volume, mounted at the same place.
        #expect(Self.environment(container)["SEED"] == Self.environment(nightlyPod["containers"]![0]!)["SEED"])
        #expect(Self.environment(container)["SHARDS"] == Self.environment(nightlyPod["containers"]![0]!)["SHARDS"])
        func claim(_ pod: YAMLNode) -> String? {
            let mount = pod["containers"]?[0]?["volumeMounts"]?.items?.first { $0["mountPath"]?.text == "/results" }
            let volume = pod["volumes"]?.items?.first { $0["name"]?.text == mount?["name"]?.text }
            return volume?["persistentVolumeClaim"]?["claimName"]?.text
        }
        #expect(claim(historyPod) != nil && claim(historyPod) == claim(nightlyPod))
        let script = try #require(container["args"]?[0]?.text)
        let result = try ReportFixtures.run(URL(fileURLWithPath: "/bin/sh"), ["-n", "-c", script])
        #expect(result.status == 0, "\(result.output)")
        #expect(script.contains("dindlab merge /results/$SEED/shard-*/*/ --out \"/results/history/nightly-$SEED\""))
        #expect(script.contains("dindlab history /results/history"))
        #expect(script.contains("--html /results/history/history.html"))
        #expect(script.contains("--fail-on-regression"))
        // The nightly Job writes where the history Job reads.
        let nightlyScript = try #require(nightlyPod["containers"]?[0]?["args"]?[0]?.text)
        #expect(nightlyScript.contains("--out \"/results/$SEED/shard-$((JOB_COMPLETION_INDEX+1))\""))
        let comment = try String(
            contentsOf: Self.folder.appendingPathComponent("k8s-indexed-job.yaml"), encoding: .utf8)
        #expect(comment.contains("Where history lives") && comment.contains("k8s-history-job.yaml"))
    }

    static func environment(_ container: YAMLNode) -> [String: String] {
        Dictionary(
            (container["env"]?.items ?? []).compactMap { item in
                item["name"]?.text.flatMap { name in item["value"]?.text.map { (name, $0) } }
            }, uniquingKeysWith: { first, _ in first })
    }
}
