package import DindLabCore
package import DockerEngine

/// How an outer container is asked for, before it is turned into an Engine API request.
package struct OuterContainerRequest: Sendable {
    package var image: String
    package var command: [String]
    package var privileged: Bool
    /// What the container sees at /sys/fs/cgroup: `bind` bind-mounts the engine host's
    /// writable (Docker >= 1.8), `none` puts an empty tmpfs over it (Docker 1.7's behaviour),
    /// `engine` and `private` add nothing and leave the engine's own mounts (`private` is
    /// made writable later, inside the container: `OuterScripts.cgroupRemount`).
    package var cgroups: Scenario.Outer.Cgroups
    /// The container's cgroup parent (`HostConfig.CgroupParent`); nil for the engine's default.
    package var cgroupParent: String?
    package var network: String
    package var env: [String: String]
    package var labels: [String: String]

    package init(
        image: String, command: [String], privileged: Bool, cgroups: Scenario.Outer.Cgroups,
        cgroupParent: String? = nil, network: String, env: [String: String], labels: [String: String]
    ) {
        self.image = image
        self.command = command
        self.privileged = privileged
        self.cgroups = cgroups
        self.cgroupParent = cgroupParent
        self.network = network
        self.env = env
        self.labels = labels
    }

    /// The create request for an engine of the given API version and privilege support.
    ///
    /// Privileged mode is emulated where the engine cannot grant it (see `PrivilegeSupport`):
    /// every grantable capability, seccomp and AppArmor unconfined, all devices allowed
    /// (where the API has device cgroup rules), and a writable cgroup mount. The inner
    /// daemon's data root is a tmpfs mounted exec (overlay inside overlay fails), or an
    /// anonymous volume on engines older than API 1.22, which have no tmpfs mounts.
    ///
    /// On a cgroup v2 engine the cgroup namespace goes with the cgroup mount (API 1.41+):
    /// `private` asks for a private one, as `--privileged` gets, so the remounted cgroup2 mount
    /// is the container's own subtree; `bind` asks for the host's, so the paths in
    /// /proc/self/cgroup match the bound hierarchy (with a private namespace they would not,
    /// and an inner containerd fails with "cgroups: invalid group path").
    ///
    /// - Parameters:
    ///   - apiVersion: The API version spoken with the engine.
    ///   - privilege: What the engine grants.
    ///   - engineCgroupVersion: The engine's cgroup version ("1", "2"), nil when unknown.
    package func containerConfig(
        apiVersion: APIVersion, privilege: PrivilegeSupport, engineCgroupVersion: String? = nil
    ) -> ContainerConfig {
        var config = ContainerConfig(image: image, cmd: command)
        config.labels = labels
        config.env = env.keys.sorted().map { "\($0)=\(env[$0] ?? "")" }
        var host = HostConfig()
        host.networkMode = network
        // Network "none" as the API can say it and the docker CLI cannot: the engine then
        // skips the network sandbox and its prestart hook, a re-execution of dockerd that
        // costs about 90 ms of CPU per outer container here.
        if network == "none" { config.networkDisabled = true }
        var binds: [String] = []
        var tmpfs: [String: String] = [:]
        let hasTmpfs = apiVersion >= APIVersion(1, 22)
        if hasTmpfs {
            tmpfs["/var/lib/docker"] = "rw,exec,dev,suid,size=4g"
        } else {
            config.volumes = ["/var/lib/docker": [:]]
        }
        if privileged {
            if privilege.privileged {
                host.privileged = true
            } else {
                host.capAdd = privilege.grantableCapabilities
                // Daemons before 1.13 (API 1.25) spell security options with a colon, and
                // seccomp exists only from 1.10 (API 1.22).
                let separator = apiVersion >= APIVersion(1, 25) ? "=" : ":"
                host.securityOpt = ["apparmor\(separator)unconfined"]
                if apiVersion >= APIVersion(1, 22) { host.securityOpt?.append("seccomp\(separator)unconfined") }
                if apiVersion >= APIVersion(1, 25) { host.deviceCgroupRules = ["a *:* rwm"] }
            }
        }
        switch cgroups {
        case .bind:
            binds.append("/sys/fs/cgroup:/sys/fs/cgroup:rw")
        case .none:
            if hasTmpfs { tmpfs["/sys/fs/cgroup"] = "rw" }
        case .engine, .private:
            break
        }
        if engineCgroupVersion == "2", apiVersion >= Self.cgroupNamespaceAPI {
            switch cgroups {
            case .private: host.cgroupnsMode = "private"
            case .bind: host.cgroupnsMode = "host"
            case .engine, .none: break
            }
        }
        host.cgroupParent = cgroupParent
        host.binds = binds.isEmpty ? nil : binds
        host.tmpfs = tmpfs.isEmpty ? nil : tmpfs
        config.hostConfig = host
        return config
    }

    /// The API version from which a create request can choose the cgroup namespace.
    package static let cgroupNamespaceAPI = APIVersion(1, 41)

    /// Why this request cannot be made as the scenario means it on an engine, or nil: on a
    /// cgroup v2 engine, `private` and `bind` need the cgroup namespace chosen, which the API
    /// allows from 1.41 (Docker 20.10, the first release that runs on cgroup v2, speaks it, so
    /// only a client pinned to an older API version meets this).
    package static func cgroupProblem(
        cgroups: Scenario.Outer.Cgroups, apiVersion: APIVersion, engineCgroupVersion: String?
    ) -> String? {
        guard engineCgroupVersion == "2", cgroups == .private || cgroups == .bind, apiVersion < cgroupNamespaceAPI
        else { return nil }
        let namespace = cgroups == .private ? "a private cgroup namespace" : "the host's cgroup namespace"
        return
            "outer.cgroups: \(cgroups.rawValue) on a cgroup v2 engine needs \(namespace) (HostConfig.CgroupnsMode, API 1.41), and the engine is spoken to with API \(apiVersion); unset DOCKER_API_VERSION or use cgroups: engine or none there"
    }
}
