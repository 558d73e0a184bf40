import Foundation

/// Rewrites an error message so the same failure on two trials reads the same.
///
/// What varies from trial to trial becomes a placeholder, what tells failures apart stays:
///
/// | text                                                   | becomes        |
/// |--------------------------------------------------------|----------------|
/// | `2024-01-02T03:04:05.123Z`, `2015/08/09 12:34:56`, `17:31:12` | `<time>` |
/// | a path with a `tmp` component (`/tmp/x`, `/var/lib/docker/tmp/docker-aufs-union0304`) | `<path>` |
/// | `sha256:` and 64 hex digits                            | `sha256:<digest>` |
/// | a UUID                                                 | `<uuid>`       |
/// | 64 hex digits (container, image, layer ids) and 12 hex digits with a digit among them (short ids) | `<id>` |
/// | `0x1f`, and 8 or more hex digits with both digits and letters | `<hex>` |
/// | `1.5s`, `300ms`, `1m30s`                               | `<duration>`   |
/// | a number standing alone: pids, ports, device numbers, counts, `172.18.0.0`, `20.10.24` | `<n>` |
/// | six or more digits glued to a word (`process123456789`), Go's temp-name suffixes | `<n>` |
///
/// Kept on purpose: digits that are part of a word (`cgroup v1`, `cgroup2`, `overlay2`,
/// `ipv4`, `x86_64`, the API version in `/v1.41/containers`), because they tell one
/// configuration from another and do not vary between trials of a cell; exit statuses
/// (`exit status 1` vs `exit status 127` are different failures); and `/proc/1/`,
/// because whether a path is PID 1's or another process's is exactly what separated
/// good runs from bad in the field report this tool was born from.
/// Ids inside `/var/lib/docker/...` paths become `<id>` while the rest of the path stays,
/// so `/var/lib/docker/containers/<id>/shm` still says which mount was busy.
///
/// First of all, what the harness writes around a step's own error is taken off
/// (`harnessFraming`), so one failure reads the same whichever way it was run: in mode `ti`
/// the inner command's output comes after "inner run 2 exited with status 1: ", in mode `d`
/// its stderr stands alone; a setup line that fails says "exited with status 1" through exec
/// and "failed" in the container's command. The exit status itself stays in the trial record
/// (`innerResults`, steps.txt), not in the signature.
package struct ErrorNormaliser: Sendable {
    /// The longest normalised text returned; from longer text the middle is cut out
    /// and replaced by " … ", keeping the start (what failed) and the end (the root cause).
    package let maximumLength: Int

    /// - Parameter maximumLength: The longest text `normalise` returns (at least 10).
    package init(maximumLength: Int = 200) {
        precondition(
            maximumLength >= 10,
            "A normalised message needs room for its start, its end and the elision mark; \(maximumLength) characters is too few."
        )
        self.maximumLength = maximumLength
    }

    /// The normalised form of `message`: placeholders for what varies, whitespace
    /// collapsed to single spaces, cut to `maximumLength`.
    package func normalise(_ message: String) -> String {
        var text = Self.whitespace.replacingMatches(in: message, with: " ").trimmingCharacters(in: .whitespaces)
        for rule in Self.harnessFraming + Self.rules {
            text = rule.pattern.replacingMatches(in: text, with: rule.replacement)
        }
        text = text.trimmingCharacters(in: .whitespaces)
        guard text.count > maximumLength else { return text }
        // Go errors wrap outside-in ("starting container: mounting: ...: invalid argument"),
        // so the root cause is at the end: keep both ends and drop the middle.
        let head = maximumLength * 2 / 5
        let tail = maximumLength - head - Self.elision.count
        return String(text.prefix(head)) + Self.elision + String(text.suffix(tail))
    }

    private static let elision = " … "

    // MARK: - Rules, applied in this order

    private struct Rule: Sendable {
        let pattern: TextPattern
        let replacement: @Sendable (Range<String.Index>, String) -> String?
    }

    private static let whitespace = TextPattern(#"\s+"#)

    private static func fixed(_ pattern: String, _ replacement: String, caseInsensitive: Bool = false) -> Rule {
        Rule(pattern: TextPattern(pattern, caseInsensitive: caseInsensitive)) { _, _ in replacement }
    }

    /// What the trial executor writes around a step's own output, as one failure is worded in
    /// every mode and way of starting the daemon (see the type's documentation):
    ///
    /// | text                                                        | becomes                    |
    /// |-------------------------------------------------------------|----------------------------|
    /// | `inner run 2 exited with status 1: flaky: drew 7`           | `flaky: drew 7`            |
    /// | `inner run 2 exited with status 1:` (nothing after it)      | `inner run <n> exited with status <n>` |
    /// | `setup line 1 (mount x) exited with status 32: mount: ...`  | `setup line <n> (mount x) failed: mount: ...` |
    /// | `setup line 1 (mount x) failed: mount: ...`                 | `setup line <n> (mount x) failed: mount: ...` |
    private static let harnessFraming: [Rule] = [
        fixed(#"^inner run \d+ exited with status \d+: (?=\S)"#, ""),
        fixed(#"^inner run \d+ exited with status \d+:?$"#, "inner run <n> exited with status <n>"),
        Rule(pattern: TextPattern(#"^setup line \d+ (\(.*?\)) (?:exited with status \d+|failed):"#)) { range, text in
            let matched = String(text[range])
            guard let open = matched.firstIndex(of: "("),
                let close = matched.range(of: ") ", options: .backwards)?.lowerBound
            else { return nil }
            return "setup line <n> \(matched[open...close]) failed:"
        },
    ]

    private static let rules: [Rule] = [
        fixed(#"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"#, "<time>"),
        fixed(#"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?"#, "<time>"),
        fixed(#"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2}\b"#, "<time>"),
        fixed(#"(?<![\w:])\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?![\w:])"#, "<time>"),
        // Any absolute path with a tmp component: temp names differ on every trial.
        Rule(pattern: TextPattern(#"(?<![\w.~/])/[^\s:'",;()\[\]<>{}|]+"#)) { range, text in
            text[range].split(separator: "/").contains("tmp") ? "<path>" : nil
        },
        fixed(#"sha256:[0-9a-fA-F]{64}"#, "sha256:<digest>"),
        fixed(
            #"(?<![0-9A-Za-z])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9A-Za-z])"#, "<uuid>",
            caseInsensitive: true),
        fixed(#"(?<![0-9A-Za-z])[0-9a-fA-F]{64}(?![0-9A-Za-z])"#, "<id>"),
        Rule(pattern: TextPattern(#"(?<![0-9A-Za-z])[0-9a-f]{12}(?![0-9A-Za-z])"#)) { range, text in
            text[range].contains(where: \.isNumber) ? "<id>" : nil
        },
        fixed(#"(?<![0-9A-Za-z])0x[0-9a-fA-F]+(?![0-9A-Za-z])"#, "<hex>"),
        Rule(pattern: TextPattern(#"(?<![0-9A-Za-z])[0-9a-fA-F]{8,}(?![0-9A-Za-z])"#)) { range, text in
            let token = text[range]
            return token.contains(where: \.isNumber) && token.contains(where: \.isLetter) ? "<hex>" : nil
        },
        fixed(#"(?<![\w.])(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+(?!\w)"#, "<duration>"),
        fixed(#"(?<=[A-Za-z_])\d{6,}(?!\w)"#, "<n>"),
        Rule(pattern: TextPattern(#"(?<![\w.])\d+(?:\.\d+)*(?!\w)"#)) { range, text in
            let before = text[..<range.lowerBound]
            if before.hasSuffix("exit status ") || before.hasSuffix("exit code ") { return nil }
            if text[range] == "1", before.hasSuffix("/proc/"), text[range.upperBound...].hasPrefix("/") { return nil }
            return "<n>"
        },
    ]
}
