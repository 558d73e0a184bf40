package import DindLabCore

extension RunRequest {
    /// This request continuing the interrupted run `point`: its recorded request with the seed
    /// the run drew, and with the engines and jobs given now when there are any (`strict`
    /// holds if either asked for it).
    ///
    /// - Returns: Nil when the run's manifest records no request (a run folder written
    ///   before requests were recorded).
    package func resuming(_ point: ResumePoint) -> RunRequest? {
        point.manifest.request.map { overriding($0, seed: point.manifest.seed) }
    }
}
