/// Values of different fields that cannot go together (`outer.cgroups: private` needs a
/// privileged outer container, say), checked for every combination the file and its matrix can
/// make, so a bad cell is an error at load time that names the file, line and key, not a
/// failed trial.
package enum ScenarioCombinations {
    /// One rule: the fields it reads, and what is wrong with a resolved scenario, if anything.
    struct Rule: Sendable {
        /// The fields the rule reads; the error is reported at the first one set in the file.
        let keys: [String]
        /// A sentence saying what is wrong (without the key path, which the error adds), or nil.
        let problem: @Sendable (Scenario) -> String?
    }

    static let rules: [Rule] = [
        Rule(keys: ["outer.cgroups", "outer.privileged"]) { scenario in
            guard scenario.outer.cgroups == .private, !scenario.outer.privileged else { return nil }
            return
                "the remount that makes the engine's cgroup mounts writable runs inside the outer container and needs "
                + "a privileged one; use cgroups: engine for the engine's read-only mounts, or privileged: true"
        },
        Rule(keys: ["outer.cgroup-tmpfs", "outer.cgroups"]) { scenario in
            guard scenario.outer.cgroupTmpfs != nil, !scenario.outer.cgroups.usesEngineMounts else { return nil }
            let what =
                scenario.outer.cgroups == .bind
                ? "binds the host's /sys/fs/cgroup" : "puts dindlab's own writable tmpfs there"
            return
                "the tmpfs it sets is the one the engine mounts with cgroups: engine or private, and \(scenario.outer.cgroups.rawValue) \(what); "
                + "remove cgroup-tmpfs or use cgroups: engine or private"
        },
        Rule(keys: ["outer.cgroup-tmpfs", "outer.privileged"]) { scenario in
            guard scenario.outer.cgroupTmpfs != nil, !scenario.outer.privileged else { return nil }
            return
                "dindlab sets the tmpfs with a remount inside the outer container, which needs a privileged one; use privileged: true"
        },
        Rule(keys: ["daemon.command", "outer.env.DOCKER_HOST"]) { scenario in
            guard scenario.outer.env["DOCKER_HOST"] == nil, let command = scenario.daemon.command else { return nil }
            let hosts = daemonHosts(in: command)
            guard !hosts.isEmpty, !hosts.contains(where: isDefaultSocket) else { return nil }
            return
                "the inner daemon listens only on \(hosts.joined(separator: " and ")) (its -H), and outer.env sets no DOCKER_HOST, "
                + "so the inner docker CLI (the wait, the image load, the inner runs) looks for /var/run/docker.sock and never reaches it; "
                + "add outer.env: {DOCKER_HOST: '\(hosts[0])'}, or -H unix:///var/run/docker.sock to the command"
        },
    ]

    /// The addresses a daemon command's `-H` / `--host` options name, in order.
    static func daemonHosts(in command: [String]) -> [String] {
        var hosts: [String] = []
        var index = command.startIndex
        while index < command.endIndex {
            let argument = command[index]
            if argument == "-H" || argument == "--host", index + 1 < command.endIndex {
                hosts.append(command[index + 1])
                index += 1
            } else if let equals = argument.firstIndex(of: "="),
                ["-H", "--host"].contains(argument[..<equals])
            {
                hosts.append(String(argument[argument.index(after: equals)...]))
            }
            index += 1
        }
        return hosts
    }

    /// Whether a `-H` address is the socket the docker CLI reaches by default (`unix://` alone
    /// means it, and /var/run is /run in every image that has /run).
    static func isDefaultSocket(_ host: String) -> Bool {
        ["unix://", "unix:///var/run/docker.sock", "unix:///run/docker.sock"].contains(host)
    }

    /// The problems of one resolved scenario (a cell), as sentences; used where values come from
    /// elsewhere than a file (the command line).
    package static func problems(in scenario: Scenario) -> [String] {
        rules.compactMap { rule in
            rule.problem(scenario).map {
                "\(rule.keys[0]) \(text(of: rule.keys[0], in: scenario)): \($0)."
            }
        }
    }

    /// Checks every combination of the values the rules' fields take in a file.
    ///
    /// - Parameters:
    ///   - scenario: The base scenario, its matrix read.
    ///   - fieldNodes: The node of each field the file sets outside the matrix.
    ///   - matrixNodes: Each matrix key's values with the node of each.
    ///   - root: Where to report a problem no field of the file is at.
    /// - Returns: One error per rule and combination that breaks it, at the node that set the
    ///   value (a matrix value's own node where the matrix gives it).
    static func check(
        _ scenario: Scenario, fieldNodes: [String: YAMLNode],
        matrixNodes: [String: [(FieldValue, YAMLNode)]], root: YAMLNode
    ) -> [YAMLError] {
        var errors: [YAMLError] = []
        for rule in rules {
            // Each key's possible values: the matrix's, else the file's (or the default's).
            let choices: [[(key: String, value: FieldValue?, node: YAMLNode?)]] = rule.keys.map { key in
                if let values = matrixNodes[key] { return values.map { (key, $0.0, $0.1) } }
                return [(key, nil, fieldNodes[key])]
            }
            for combination in product(choices) {
                var cell = scenario
                for choice in combination {
                    if let value = choice.value { ScenarioField.named(choice.key)?.apply(value, &cell) }
                }
                guard let problem = rule.problem(cell) else { continue }
                let at = combination.first { $0.node != nil }
                let key = at?.key ?? rule.keys[0]
                let others = combination.filter { $0.key != key }.map {
                    "\($0.key): \(text(of: $0.key, in: cell))"
                }
                let value = text(of: key, in: cell)
                let message =
                    others.isEmpty
                    ? "\(value) cannot be used: \(problem)"
                    : "\(value) cannot go with \(others.joined(separator: ", ")): \(problem)"
                errors.append(.badValue(at?.node ?? root, message))
            }
        }
        return errors
    }

    private static func text(of key: String, in scenario: Scenario) -> String {
        ScenarioField.named(key)?.read(scenario)?.description ?? "(unset)"
    }

    private static func product<T>(_ lists: [[T]]) -> [[T]] {
        lists.reduce([[]]) { partial, list in partial.flatMap { prefix in list.map { prefix + [$0] } } }
    }
}
