import DockerEngine

/// What to do about an engine error, in the command line's words. The client states the
/// facts (`EngineError.Remedy`: which variable a value came from); only the executable knows
/// its options (`--engine`, `--api-version`) and commands (`dindlab engine up`).
enum EngineErrorAdvice {
    /// The error's description, followed by the advice when it has a remedy.
    static func sentence(for error: any Error) -> String {
        guard let engineError = error as? EngineError, let remedy = engineError.remedy else { return "\(error)" }
        return "\(engineError) \(advice(remedy))"
    }

    /// The advice for a remedy, in full sentences.
    static func advice(_ remedy: EngineError.Remedy) -> String {
        switch remedy {
        case .chooseAPIVersion(let variable?):
            return
                "Set \(variable) to a version such as 1.41, or unset \(variable) to let dindlab negotiate one (--api-version overrides it)."
        case .chooseAPIVersion(nil):
            return
                "Pass an API version the daemon supports (--api-version or DOCKER_API_VERSION), or unset DOCKER_API_VERSION and leave out --api-version to let dindlab negotiate one."
        case .startOrSelectEngine(let variable?):
            return
                "Start it, point \(variable) at a running engine (`dindlab engine up` prints the line for a private one), unset \(variable) to use the private engine \"default\" or /var/run/docker.sock, or pass --engine."
        case .startOrSelectEngine(nil):
            return "Start a private engine with `dindlab engine up`, or pass --engine / set DOCKER_HOST."
        case .startNamedEngine(let name):
            return "Start it with `dindlab engine up --name \(name)`."
        }
    }
}
