import DindLabCore
import DockerEngine
package import Foundation

/// Masks the values of secret environment variables in text dindlab writes: artifacts
/// (steps.txt, outer-inspect.json, the daemon log), trial records and manifests.
///
/// A variable is secret when its name contains TOKEN, PASSWORD, SECRET or KEY (in any case).
/// Two things are masked: `NAME=value` for every secret name (the form the engine reports a
/// container's environment in), and every other occurrence of a secret value of at least
/// `minimumValueLength` characters (a command that printed it). Shorter values are masked
/// only in the `NAME=value` form: masking every "1" in a log would destroy the log.
package struct SecretMasker: Sendable {
    /// What a secret value becomes.
    package static let mask = "********"
    /// Words that make a variable name secret.
    package static let secretWords = ["TOKEN", "PASSWORD", "SECRET", "KEY"]
    /// Values shorter than this are masked only as `NAME=value`.
    package static let minimumValueLength = 4

    /// Secret name and value pairs, longest value first (so a value that contains another is
    /// masked whole).
    private let secrets: [(name: String, value: String)]

    /// - Parameter environment: Variables, e.g. a scenario's `outer.env`.
    package init(environment: [String: String]) {
        secrets =
            environment
            .filter { Self.isSecretName($0.key) && !$0.value.isEmpty }
            .map { (name: $0.key, value: $0.value) }
            .sorted { ($0.value.count, $0.name) > ($1.value.count, $1.name) }
    }

    /// Whether a variable of this name holds a secret.
    package static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        return secretWords.contains { upper.contains($0) }
    }

    /// True when there is nothing to mask.
    package var isEmpty: Bool { secrets.isEmpty }

    /// The text with every secret masked.
    package func mask(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var text = text
        for (name, value) in secrets {
            text = text.replacingOccurrences(of: "\(name)=\(value)", with: "\(name)=\(Self.mask)")
        }
        for (_, value) in secrets where value.count >= Self.minimumValueLength {
            text = text.replacingOccurrences(of: value, with: Self.mask)
        }
        return text
    }

    /// Bytes with every secret masked; bytes that are not UTF-8 text pass through unchanged
    /// unless they contain a secret's bytes.
    package func mask(_ data: Data) -> Data {
        guard !secrets.isEmpty else { return data }
        if let text = String(data: data, encoding: .utf8) {
            return Data(mask(text).utf8)
        }
        var data = data
        for (name, value) in secrets {
            data = Self.replace(Data("\(name)=\(value)".utf8), with: Data("\(name)=\(Self.mask)".utf8), in: data)
        }
        for (_, value) in secrets where value.count >= Self.minimumValueLength {
            data = Self.replace(Data(value.utf8), with: Data(Self.mask.utf8), in: data)
        }
        return data
    }

    private static func replace(_ target: Data, with replacement: Data, in data: Data) -> Data {
        var result = Data()
        var rest = data[...]
        while let range = rest.range(of: target) {
            result.append(rest[..<range.lowerBound])
            result.append(replacement)
            rest = rest[range.upperBound...]
        }
        result.append(rest)
        return result
    }

    /// Command-line arguments with secret `NAME=value` words masked (e.g. `--only outer.env.TOKEN=x`).
    package static func maskArguments(_ arguments: [String]) -> [String] {
        arguments.map { argument in
            guard let equals = argument.firstIndex(of: "="), isSecretName(String(argument[..<equals])) else {
                return argument
            }
            return String(argument[...equals]) + mask
        }
    }
}

extension TrialRecord {
    /// Masks secrets in the texts a record carries from the trial (errors, signature, notes).
    mutating func mask(with masker: SecretMasker) {
        guard !masker.isEmpty else { return }
        signature = signature.map(masker.mask)
        firstError = firstError.map(masker.mask)
        lastError = lastError.map(masker.mask)
        notes = notes.map(masker.mask)
    }
}

extension Forensics {
    /// Masks secrets in everything the artifacts are written from, so every file (and the
    /// forensics index) gets the masked text.
    mutating func mask(with masker: SecretMasker) {
        guard !masker.isEmpty else { return }
        sections = sections.mapValues(masker.mask)
        daemonLog = masker.mask(daemonLog)
        daemonLogLines = daemonLogLines.map(masker.mask)
        firstError = firstError.map(masker.mask)
        problems = problems.map(masker.mask)
        inspectJSON = inspectJSON.map(masker.mask)
        var masked = StepLog()
        for var step in steps.steps {
            step.command = step.command.map(masker.mask)
            step.error = step.error.map(masker.mask)
            if var output = step.output {
                output.stdout = masker.mask(output.stdout)
                output.stderr = masker.mask(output.stderr)
                step.output = output
            }
            masked.append(step)
        }
        steps = masked
    }
}
