import Foundation
import Testing

@testable import DindLabCore

/// The shipped CI examples (examples/ci/) parse, shard the way `run --shard K/N` expects, and
/// merge and publish the report.
@Suite("Shards: CI examples")
struct ShardExamplesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../examples/ci"
    ).standardized

    static func load(_ name: String) throws -> YAMLNode {
        try YAMLDocument.load(contentsOfFile: folder.appendingPathComponent(name).path).root
    }

    @Test("the GitHub Actions workflow runs a matrix of shards with one seed, then merges and uploads the report")
    func githubWorkflow() throws {
        let workflow = try Self.load("github-nightly.yml")
        let shardsText = try #require(workflow["env"]?["SHARDS"]?.text)
        let shards = try #require(Int(shardsText))
        #expect(workflow["env"]?["SEED"]?.text == "${{ github.run_id }}", "one seed for every shard of a workflow run")
        #expect(workflow["on"]?["schedule"]?[0]?["cron"] != nil)

        let jobs = try #require(workflow["jobs"]?.entries)
        let shardJob = try #require(
            jobs.first { $0.value["strategy"]?["matrix"]?["shard"] != nil }, "no job with a shard matrix")
        let matrix = try #require(shardJob.value["strategy"]?["matrix"]?["shard"]?.items)
        #expect(matrix.compactMap { $0.text.flatMap(Int.init) } == Array(1...shards))
        #expect(shardJob.value["strategy"]?["fail-fast"]?.text == "false")
        let shardSteps = try #require(shardJob.value["steps"]?.items)
        let run = try #require(shardSteps.compactMap { $0["run"]?.text }.first { $0.contains("dindlab run") })
        #expect(run.contains("--shard ${{ matrix.shard }}/$SHARDS"))
        #expect(run.contains("--seed \"$SEED\""))
        #expect(
            shardSteps.contains {
                $0["uses"]?.text?.hasPrefix("actions/upload-artifact@") == true && $0["if"]?.text == "always()"
            })

        let mergeJob = try #require(
            jobs.first {
                $0.key != shardJob.key
                    && $0.value["steps"]?.items?.contains { $0["run"]?.text?.contains("dindlab merge") == true } == true
            },
            "no job runs dindlab merge")
        #expect(
            mergeJob.value["needs"]?.text == shardJob.key
                || mergeJob.value["needs"]?.items?.contains { $0.text == shardJob.key } == true)
        #expect(mergeJob.value["if"]?.text == "always()", "the report is made even when a shard failed")
        let mergeSteps = try #require(mergeJob.value["steps"]?.items)
        #expect(mergeSteps.contains { $0["uses"]?.text?.hasPrefix("actions/download-artifact@") == true })
        let upload = try #require(mergeSteps.first { $0["uses"]?.text?.hasPrefix("actions/upload-artifact@") == true })
        let paths = try #require(upload["with"]?["path"]?.text)
        #expect(paths.contains("report.html") && paths.contains("junit.xml"))
        #expect(mergeSteps.contains { $0["run"]?.text?.contains("GITHUB_STEP_SUMMARY") == true })
    }

    @Test("the Kubernetes manifest is an Indexed Job of privileged pods, completion index + 1 = shard")
    func kubernetesJob() throws {
        let job = try Self.load("k8s-indexed-job.yaml")
        #expect(job["apiVersion"]?.text == "batch/v1")
        #expect(job["kind"]?.text == "Job")
        let spec = try #require(job["spec"])
        #expect(spec["completionMode"]?.text == "Indexed")
        let completions = try #require(spec["completions"]?.text)
        let container = try #require(spec["template"]?["spec"]?["containers"]?[0])
        #expect(container["securityContext"]?["privileged"]?.text == "true")
        #expect(spec["template"]?["spec"]?["restartPolicy"]?.text == "Never")
        let env = Dictionary(
            uniqueKeysWithValues: (container["env"]?.items ?? []).compactMap { item in
                item["name"]?.text.flatMap { name in item["value"]?.text.map { (name, $0) } }
            })
        #expect(env["SHARDS"] == completions, "N in --shard K/N must be the number of completions")
        #expect(env["SEED"] != nil)
        let command = ((container["command"]?.items ?? []) + (container["args"]?.items ?? [])).compactMap(\.text)
            .joined(separator: " ")
        #expect(command.contains("--shard $((JOB_COMPLETION_INDEX+1))/$SHARDS"))
        #expect(command.contains("--seed \"$SEED\""))
    }
}

/// Reading a loaded YAML document in tests.
extension YAMLNode {
    subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries) = content else { return nil }
        return entries.first { $0.key == key }?.value
    }

    subscript(index: Int) -> YAMLNode? {
        guard case .list(let items) = content, items.indices.contains(index) else { return nil }
        return items[index]
    }

    var text: String? {
        guard case .scalar(let scalar) = content else { return nil }
        return scalar.text
    }

    var items: [YAMLNode]? {
        guard case .list(let items) = content else { return nil }
        return items
    }

    var entries: [(key: String, value: YAMLNode)]? {
        guard case .mapping(let entries) = content else { return nil }
        return entries.map { ($0.key, $0.value) }
    }
}
