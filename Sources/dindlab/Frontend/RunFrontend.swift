import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

/// `dindlab run` once its arguments are parsed: settles what to run (a new request, or an
/// interrupted run's recorded one), runs it under the signal handling with progress on
/// standard error, then writes the reports and turns the outcome into the exit status.
struct RunFrontend {
    /// A new run, or the continuation of an interrupted one.
    enum Target {
        /// Run this request.
        case new(RunRequest)
        /// Continue the run in this folder; `overrides` holds the engines, jobs and `strict`
        /// given now (its other fields are unused).
        case resume(URL, overrides: RunRequest)
    }

    /// The executable's arguments, recorded in the manifest of a new run.
    var commandLine: [String]
    /// DOCKER_HOST, TLS and the API version, resolved once from the flags and the environment.
    var configuration: EngineConfiguration

    /// Runs `target` and throws the exit status (`ExitCode`), as `dindlab run` exits.
    func run(_ target: Target) async throws {
        let interruption = RunInterruption()
        let request: RunRequest
        let result: RunResult
        do {
            let (settled, resumePoint) = try await settle(target)
            request = settled
            let plan = try request.plan()
            if let shard = plan.shard {
                // With the progress lines, on standard error, so it comes before them.
                StderrDiagnostics.write(
                    "shard \(shard.index)/\(shard.count): \(plan.trials.count) of the plan's \(plan.wholePlanTrialCount) trials\n"
                )
            }
            let selections = try request.engines.map { try EngineSelection.resolve($0, configuration: configuration) }
            for selection in selections {
                if let warning = SafetyNotices.unencryptedEngine(selection.address) {
                    StderrDiagnostics.write(warning + "\n")
                }
            }
            let printer = ProgressPrinter()
            var options = RunOptions(
                jobs: request.jobs ?? 1, resultsRoot: URL(fileURLWithPath: request.resultsRoot),
                commandLine: commandLine,
                forensicsAlways: request.forensics == .always, interruption: interruption, resume: resumePoint,
                keepRecords: false, engineFactsCache: EngineFactsCache(folder: EngineFactsCache.defaultFolder()),
                engineConfiguration: configuration
            )
            options.request = request
            let runner = Runner(engines: selections, options: options, observer: printer)
            let tell: @Sendable (InterruptNotice) -> Void = { StderrDiagnostics.write(RunNoticeText.text($0)) }
            result = try await InterruptSignals.run(interruption: interruption, told: tell) {
                let result = try await runner.run(plan: plan)
                if result.skippedTrials > 0 { await printer.finish() }
                return result
            }
        } catch {
            if let code = interruption.exitCode {
                StderrDiagnostics.say("interrupted before the run could finish: \(error)")
                throw ExitCode(code)
            }
            throw Usage.failure(error, otherwise: 2)
        }
        // The reports are made from the run folder, exactly as `dindlab report` makes them.
        let status: ExitCode
        do {
            let report = try await RunReport.load(runDirectory: result.directory, strict: request.strict)
            status = try publish(report, to: ReportFiles(in: result.directory), interruptedBy: result.interruptedBy)
        } catch {
            throw fail(error, code: 2)
        }
        print("Results: \(result.directory.path)")
        if let signal = result.interruptedBy {
            let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
            print(
                "Interrupted by \(name): \(result.recordCount) of \(result.recordCount + result.skippedTrials) trials are recorded. Run the rest with: dindlab run --resume \(result.directory.path)"
            )
        }
        throw status
    }

    /// The request to run and, for a resumed run, where it stopped.
    func settle(_ target: Target) async throws -> (RunRequest, ResumePoint?) {
        switch target {
        case .new(let request):
            return (request, nil)
        case .resume(let directory, let overrides):
            let point = try await ResumePoint.open(directory)
            try point.checkScenarioFiles()
            if let request = overrides.resuming(point) { return (request, point) }
            // A run folder written before manifests recorded the request: its command line.
            return (try LegacyResume.request(from: point, overrides: overrides), point)
        }
    }
}

/// Resuming a run whose manifest holds only its command line (dindlab before the request was
/// recorded): the command line's `run` arguments are parsed as `dindlab run` parses them.
enum LegacyResume {
    /// The recorded run's request with `overrides` applied.
    static func request(from point: ResumePoint, overrides: RunRequest) throws -> RunRequest {
        let commandLine = point.manifest.commandLine
        guard let index = commandLine.firstIndex(of: "run") else {
            throw LegacyResumeError(path: point.store.directory.path, commandLine: commandLine)
        }
        let recorded = try RunCommand.parse(Array(commandLine[(index + 1)...])).request()
        return overrides.overriding(recorded, seed: point.manifest.seed)
    }
}

/// A run folder whose manifest records neither a request nor a `dindlab run` command line.
struct LegacyResumeError: Error, CustomStringConvertible {
    var path: String
    var commandLine: [String]

    var description: String {
        "\(path) cannot be resumed: its manifest's command line (\(commandLine.joined(separator: " "))) is not a `dindlab run` command."
    }
}
