#!/usr/bin/env python3
"""dindlab's benchmark suite: dindlab side by side with a C floor, the docker CLI and docker-py.

Run it through scripts/bench, which installs what is missing and builds the release binaries
this script uses. It writes benchmarks/results.md (a Markdown table of ratios, each the median
of several alternating repetitions, absolute numbers as context) and prints it, with
"target holds: yes/no" per target.

    benchmarks/bench.py [--reps N] [--max-trials N] [--quick] [--only ping,trials,memory,report,history]

Rows:
  ping    API round trips: `dindlab engine ping --count N` against ping_floor (C, libcurl, one
          reused handle), docker-py's client.ping() loop, and N `docker version` invocations.
          Each is timed as a whole process (wall clock), so start-up counts too.
          Target: dindlab within 1.2x of the C floor.
  trials  The one-cell scenario one-cell.yaml: dindlab --jobs 1 and --jobs 2 against the
          reference peer ../shared/bench/peer-cli-trial.sh (the loop a competent user writes:
          one exec loads, runs and waits), trial-cli.sh (one docker command per step) and
          trial-dockerpy.py, at 10 and at 50 trials per process, each timed as a whole process
          (dindlab's start-up, probe and reports included). Targets: dindlab sequential >= 1.25x
          the peer's trials/minute at 10 trials, >= 1.4x at 50; from launch to the first
          trial's start at most 0.3 s on an engine dindlab has seen; --jobs 2 keeps 95% of
          the CPUs busy.
  memory  Peak RSS of `dindlab run` of the same scenario at 10 and 2,000 trials against
          dindlab-fake-engine (a fake engine process). Targets: at most +10%, under 64 MB.
  report  Rebuilding the summary of a run folder with 100,000 trial records: `dindlab report`
          when main has it, else dindlab-report-bench (ResultStore.tallyTrials + SummaryTable).
          Target: under 3 s, memory that does not grow with the records.
  history `dindlab history` over a synthetic year of nights (dindlab-report-bench generate-history: 365
          run folders of 120 cells x 10 trials, 438,000 records), writing history.html and
          the JSON. Target: under 5 s; memory bounded by cells x nights, not trials (the same
          year with 1 trial per cell needs about as much).

The benchmark starts its own private engine (dindlab engine up --name bench --dir
/tmp/dl-bench), builds dindlab/outer:bookworm on it, and stops it at the end.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks")
RELEASE = os.path.join(ROOT, ".build", "release")
DINDLAB = os.path.join(RELEASE, "dindlab")
FAKE_ENGINE = os.path.join(RELEASE, "dindlab-fake-engine")
REPORT_BENCH = os.path.join(RELEASE, "dindlab-report-bench")
PING_FLOOR = os.path.join(ROOT, ".build", "bench", "ping_floor")
SCENARIO = os.path.join(BENCH, "one-cell.yaml")
ENGINE_DIR = "/tmp/dl-bench"
ENGINE = f"unix://{ENGINE_DIR}/docker.sock"
OUTER_IMAGE = "dindlab/outer:bookworm"

# Every Linux capability in bit order, as Sources/DindLabEngines/Outer/PrivilegeProbe.swift lists them:
# the peers' emulation of --privileged is this list minus what the engine refuses.
ALL_CAPABILITIES = [
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
]


class BenchError(Exception):
    pass


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def loadavg():
    return os.getloadavg()[0]


class LoadWatch:
    """The 1-minute load average seen at each measurement, to say how busy the machine was."""

    def __init__(self):
        self.samples = []

    def sample(self):
        self.samples.append(loadavg())

    def describe(self):
        if not self.samples:
            return "not sampled"
        return (f"1-minute load average {min(self.samples):.2f} to {max(self.samples):.2f} "
                f"(median {statistics.median(self.samples):.2f}) during the measurements, on {os.cpu_count()} CPUs")


def run_process(argv, env=None, timeout=3600, capture=True, check=True):
    """Runs a process; returns (wall seconds, peak RSS in KB, stdout, stderr, exit status)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                               stderr=subprocess.PIPE if capture else subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise BenchError(f"{' '.join(argv[:3])} ... ran longer than {timeout} s")
    wall = time.perf_counter() - started
    # communicate() reaped the child; its rusage is gone, so peak RSS comes from run_measured.
    stdout = (stdout or b"").decode(errors="replace")
    stderr = (stderr or b"").decode(errors="replace")
    if check and process.returncode != 0:
        raise BenchError(f"{' '.join(argv)} exited with {process.returncode}:\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return wall, stdout, stderr, process.returncode


def run_measured(argv, env=None, timeout=3600, check=True):
    """Runs a process with its output discarded to files; returns (wall s, peak RSS KB, stdout, status)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid == process.pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                raise BenchError(f"{' '.join(argv[:3])} ... ran longer than {timeout} s")
            time.sleep(0.005)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if check and process.returncode != 0:
        raise BenchError(f"{' '.join(argv)} exited with {process.returncode}:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return wall, usage.ru_maxrss, stdout, process.returncode


def cpu_busy_seconds():
    """Machine-wide CPU seconds spent busy so far (all CPUs; user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    return sum(fields[i] for i in (0, 1, 2, 5, 6, 7)) / os.sysconf("SC_CLK_TCK")


def alternate(tools, reps, measure, watch):
    """Runs every tool once per repetition, in an order that rotates, so that a slow spell of
    the shared machine hits every tool alike. Returns {tool: [value per repetition]}."""
    values = {tool: [] for tool in tools}
    for rep in range(reps):
        order = tools[rep % len(tools):] + tools[:rep % len(tools)]
        for tool in order:
            watch.sample()
            values[tool].append(measure(tool))
        log(f"  repetition {rep + 1}/{reps}: " + ", ".join(f"{tool} {values[tool][-1]:.4g}" for tool in tools))
    return values


def paired_ratio(numerators, denominators):
    """The median of the per-repetition ratios (repetitions ran side by side)."""
    return statistics.median(n / d for n, d in zip(numerators, denominators))


def fmt_seconds(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def spread(values, unit=fmt_seconds):
    return f"{unit(statistics.median(values))} (min {unit(min(values))}, max {unit(max(values))}, n={len(values)})"


def docker_cli():
    return shutil.which("docker")


def dockerpy_python():
    """A Python that can import docker (docker-py), or None."""
    for python in [sys.executable, "/usr/bin/python3"]:
        if python and os.path.exists(python) and subprocess.run(
                [python, "-c", "import docker"], capture_output=True).returncode == 0:
            return python
    return None


# MARK: - The private engine

def start_engine():
    run_process([DINDLAB, "engine", "down", "--dir", ENGINE_DIR], check=False)
    log(f"starting the private engine bench in {ENGINE_DIR}")
    run_process([DINDLAB, "engine", "up", "--name", "bench", "--dir", ENGINE_DIR])
    log(f"building {OUTER_IMAGE} on it (the debootstrap tree is cached)")
    run_process([DINDLAB, "images", "build", "bookworm", "--engine", ENGINE], timeout=1800)


def stop_engine():
    run_process([DINDLAB, "engine", "down", "--dir", ENGINE_DIR], check=False)


def engine_facts():
    _, out, _, _ = run_process([DINDLAB, "engine", "info", "--json", "--engine", ENGINE])
    return json.loads(out)


def remove_leftovers():
    """Removes outer containers a failed peer run may have left (label dindlab.bench)."""
    cli = docker_cli()
    if not cli:
        return
    env = dict(os.environ, DOCKER_HOST=ENGINE)
    ids = subprocess.run([cli, "ps", "-aq", "--filter", "label=dindlab.bench"], env=env,
                         capture_output=True, text=True).stdout.split()
    if ids:
        subprocess.run([cli, "rm", "-f", "-v", *ids], env=env, capture_output=True)


# MARK: - Rows

def bench_ping(args, watch, notes):
    count = args.ping_count
    cli_count = args.cli_count
    tools = ["c", "dindlab"]
    python = dockerpy_python()
    if python:
        tools.append("docker-py")
    else:
        notes.append("docker-py is not installed (python3-docker): its ping row is left out.")
    cli = docker_cli()
    if cli:
        tools.append("docker-cli")
    else:
        notes.append("The docker CLI is not installed: the `docker version` row is left out.")
    env = dict(os.environ, DOCKER_HOST=ENGINE)
    env.pop("DOCKER_API_VERSION", None)
    socket = ENGINE[len("unix://"):]

    def measure(tool):
        if tool == "c":
            wall, _, _, _ = run_process([PING_FLOOR, socket, str(count)])
            return wall / count
        if tool == "dindlab":
            wall, _, _, _ = run_process([DINDLAB, "engine", "ping", "--engine", ENGINE, "--count", str(count)])
            return wall / count
        if tool == "docker-py":
            wall, _, _, _ = run_process([python, os.path.join(BENCH, "ping-dockerpy.py"), str(count)], env=env)
            return wall / count
        started = time.perf_counter()
        for _ in range(cli_count):
            subprocess.run([cli, "version"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return (time.perf_counter() - started) / cli_count

    log(f"API round trips: {count} per process ({cli_count} docker version invocations), {args.reps} alternating repetitions")
    values = alternate(tools, args.reps, measure, watch)
    ratio = paired_ratio(values["dindlab"], values["c"])
    context = [f"dindlab {fmt_seconds(statistics.median(values['dindlab']))}, C floor {fmt_seconds(statistics.median(values['c']))} per round trip"]
    if "docker-py" in values:
        context.append(f"docker-py {fmt_seconds(statistics.median(values['docker-py']))} ({paired_ratio(values['docker-py'], values['c']):.1f}x the floor)")
    if "docker-cli" in values:
        context.append(f"`docker version` {fmt_seconds(statistics.median(values['docker-cli']))} ({paired_ratio(values['docker-cli'], values['c']):.0f}x)")
    rows = [("API round trip (GET /_ping): dindlab engine ping vs C + libcurl, one reused handle",
             f"{ratio:.2f}x", "; ".join(context), "≤ 1.2x", ratio <= 1.2)]
    details = [(f"ping: {name}", spread(vals)) for name, vals in values.items()]
    return rows, details


PEER = os.path.join(os.path.dirname(ROOT), "shared", "bench", "peer-cli-trial.sh")


def first_trial_delay(results, launched):
    """Seconds from launching `dindlab run` to its first trial's start (trials.jsonl's startedAt)."""
    runs = sorted((os.path.join(results, name) for name in os.listdir(results)), key=os.path.getmtime)
    starts = []
    with open(os.path.join(runs[-1], "trials.jsonl")) as trials:
        for line in trials:
            stamp = json.loads(line)["startedAt"]
            starts.append(datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
                          .replace(tzinfo=datetime.timezone.utc).timestamp())
    return min(starts) - launched


def bench_trials(args, watch, notes):
    facts = engine_facts()
    refused = set(facts.get("refusedCapabilities") or [])
    env = dict(os.environ, DOCKER_HOST=ENGINE, OUTER_IMAGE=OUTER_IMAGE)
    env.pop("DOCKER_API_VERSION", None)
    if facts.get("privilegedSupported"):
        env["CAP_ADD"] = ""
    else:
        env["CAP_ADD"] = ",".join(cap for cap in ALL_CAPABILITIES if cap not in refused)
        notes.append("The engine refuses --privileged (" + (facts.get("privilegedError") or "?")[:200] +
                     "); dindlab emulates it and the peers use the same emulation: --cap-add every capability but "
                     + ", ".join(sorted(refused)) + ", seccomp and AppArmor unconfined, --device-cgroup-rule 'a *:* rwm' "
                     "(peer-cli-trial.sh: --cap-add ALL --cap-drop SYS_RESOURCE).")
    cli = docker_cli()
    python = dockerpy_python()
    tools = ["dindlab"]
    if cli and os.path.exists(PEER):
        tools.append("peer")
    elif not os.path.exists(PEER):
        notes.append(f"{PEER} is missing: the reference peer's rows are left out.")
    if cli:
        tools.append("cli")
    else:
        notes.append("The docker CLI is not installed: the bash peers cannot run, so their ratios are left out.")
    if python:
        tools.append("docker-py")
    else:
        notes.append("docker-py is not installed: its trials row is left out.")
    tools.append("dindlab-j2")
    results = tempfile.mkdtemp(prefix="dl-bench-results-")
    cpu = {}
    startup = []

    def measure(tool, count):
        remove_leftovers()
        if tool.startswith("dindlab"):
            jobs = "2" if tool == "dindlab-j2" else "1"
            argv = [DINDLAB, "run", SCENARIO, "--engine", ENGINE, "--repeat", str(count), "--jobs", jobs, "--out", results]
        elif tool == "peer":
            argv = ["bash", PEER, OUTER_IMAGE, str(count)]
        elif tool == "cli":
            argv = ["bash", os.path.join(BENCH, "trial-cli.sh"), str(count)]
        else:
            argv = [python, os.path.join(BENCH, "trial-dockerpy.py"), str(count)]
        busy_before = cpu_busy_seconds()
        launched = time.time()
        wall, stdout, _, _ = run_process(argv, env=env, timeout=60 * count + 300)
        busy = cpu_busy_seconds() - busy_before
        if tool == "peer" and f"{count} passed, 0 failed" not in stdout:
            raise BenchError(f"the peer script's trials failed: {stdout[-500:]}")
        if tool == "dindlab":
            startup.append(first_trial_delay(results, launched))
        # Whose CPU it is does not matter here: the engine's work for a trial, the docker CLIs
        # and the harness all count; what a trial costs the machine is what --jobs can share.
        cpu.setdefault((tool, count), []).append((busy / count, busy / wall))
        return count / wall * 60

    # One unmeasured trial per tool first: the first container of a fresh image is slow
    # (layers read from disk), and that should not count against whoever comes first. It also
    # shows dindlab the engine, as any earlier run on it would (see EngineFactsCache).
    log("trials: one warm-up trial per tool")
    for tool in tools:
        measure(tool, 1)
    cpu, startup = {}, []  # the warm-up's figures do not count
    per_minute = lambda v: f"{statistics.median(v):.1f}/min"
    rows, details = [], []
    sizes = [(count, target) for count, target in [(10, 1.25), (50, 1.4)] if count <= args.max_trials]
    values = {}
    for count, target in sizes:
        log(f"trials: {count} per run, {args.trial_reps} alternating repetitions of {', '.join(tools)}")
        values[count] = alternate(tools, args.trial_reps, lambda tool: measure(tool, count), watch)
        got = values[count]
        if "peer" in got:
            ratio = paired_ratio(got["dindlab"], got["peer"])
            rows.append((f"trials/minute, sequential, {count} trials per process: dindlab vs ../shared/bench/peer-cli-trial.sh",
                         f"{ratio:.2f}x", f"dindlab {per_minute(got['dindlab'])}, peer script {per_minute(got['peer'])} "
                         "(whole processes: dindlab's start-up, probe and reports included)", f"≥ {target}x", ratio >= target))
        for peer, label in [("cli", "bash + docker CLI, one command per step (trial-cli.sh)"), ("docker-py", "docker-py (trial-dockerpy.py)")]:
            if peer in got:
                ratio = paired_ratio(got["dindlab"], got[peer])
                rows.append((f"trials/minute, sequential, {count} trials: dindlab vs {label}", f"{ratio:.2f}x",
                             f"dindlab {per_minute(got['dindlab'])}, {peer} {per_minute(got[peer])}", "—", True))
        details += [(f"trials/min, {count} per run: {name}", spread(vals, unit=lambda v: f"{v:.1f}")) for name, vals in got.items()]
    shutil.rmtree(results, ignore_errors=True)
    delay = statistics.median(startup)
    rows.append(("start-up: `dindlab run` launched → first trial started (engine seen before)", fmt_seconds(delay),
                 f"median of {len(startup)} runs; {spread(startup)}", "≤ 0.3 s", delay <= 0.3))
    count = sizes[-1][0]
    got = values[count]
    ratio2 = paired_ratio(got["dindlab-j2"], got["dindlab"])
    # --jobs 2 can at best keep every CPU busy; a sequential run already keeps `busy1` CPUs
    # busy (the engine's processes work in parallel within one trial), so the CPUs allow
    # at most cpus / busy1 times the sequential rate, less what contention costs.
    busy1 = statistics.median(b for _, b in cpu[("dindlab", count)])
    busy2 = statistics.median(b for _, b in cpu[("dindlab-j2", count)])
    cost1 = statistics.median(c for c, _ in cpu[("dindlab", count)])
    cost2 = statistics.median(c for c, _ in cpu[("dindlab-j2", count)])
    ceiling = os.cpu_count() / busy1
    # Two trials at once also cost more CPU each (they contend for caches and the engine).
    ceiling_contended = ceiling * cost1 / cost2
    rows.append((f"CPUs busy with dindlab --jobs 2 ({os.cpu_count()} CPUs, {count} trials)", f"{busy2:.2f}",
                 f"--jobs 2 {per_minute(got['dindlab-j2'])} = {ratio2:.2f}x --jobs 1 ({per_minute(got['dindlab'])}); "
                 f"CPUs busy: {busy1:.2f} with --jobs 1; CPU per trial {cost1:.2f} s with --jobs 1, {cost2:.2f} s with --jobs 2; "
                 f"so with every CPU busy the machine allows at most {ceiling:.2f}x, {ceiling_contended:.2f}x at the CPU per "
                 "trial of --jobs 2", f"≥ {0.95 * os.cpu_count():.1f}", busy2 >= 0.95 * os.cpu_count()))
    details += [(f"CPU seconds per trial (whole machine), {n} per run: {name}", spread([c for c, _ in pairs], unit=lambda v: f"{v:.2f}"))
                for (name, n), pairs in cpu.items()]
    details += [(f"CPUs busy during the run, {n} per run: {name}", spread([b for _, b in pairs], unit=lambda v: f"{v:.2f}"))
                for (name, n), pairs in cpu.items()]
    return rows, details


def bench_memory(args, watch, notes):
    fake = subprocess.Popen([FAKE_ENGINE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        address = fake.stdout.readline().decode().strip()
        if not address.startswith("unix://"):
            raise BenchError(f"dindlab-fake-engine did not print its address (got {address!r})")
        results = tempfile.mkdtemp(prefix="dl-bench-fake-")
        sizes = [10, args.scale_trials]

        def measure(size):
            _, rss, _, _ = run_measured([DINDLAB, "run", SCENARIO, "--engine", address, "--repeat", str(size), "--out", results],
                                        timeout=3600)
            return rss / 1024

        log(f"memory: dindlab run at {sizes[0]} and {sizes[1]} trials against the fake engine, {args.memory_reps} alternating repetitions")
        values = alternate(sizes, args.memory_reps, measure, watch)
        shutil.rmtree(results, ignore_errors=True)
    finally:
        fake.stdin.close()
        fake.wait(timeout=30)
    small, large = statistics.median(values[sizes[0]]), statistics.median(values[sizes[1]])
    growth = large / small - 1
    rows = [
        (f"peak RSS of `dindlab run`: {sizes[1]:,} vs {sizes[0]} trials (fake engine)", f"{growth * 100:+.1f}%",
         f"{sizes[0]} trials {small:.1f} MB, {sizes[1]:,} trials {large:.1f} MB", "≤ +10%", growth <= 0.10),
        (f"peak RSS of `dindlab run` at {sizes[1]:,} trials", f"{large:.1f} MB", "fake engine process (dindlab-fake-engine)",
         "< 64 MB", large < 64),
    ]
    details = [(f"peak RSS MB: run {size} trials", spread(vals, unit=lambda v: f"{v:.1f}")) for size, vals in values.items()]
    return rows, details


def has_report_command():
    """Whether this build has `dindlab report` (branch reports, once on main)."""
    listing = subprocess.run([DINDLAB, "--help"], capture_output=True, text=True).stdout
    subcommands = listing.split("SUBCOMMANDS:", 1)[-1]
    return any(line.split()[:1] == ["report"] for line in subcommands.splitlines())


def bench_report(args, watch, notes):
    folder = tempfile.mkdtemp(prefix="dl-bench-report-")
    try:
        big = run_process([REPORT_BENCH, "generate", folder, str(args.report_records)])[1].strip()
        small = run_process([REPORT_BENCH, "generate", folder, str(args.report_records // 10)])[1].strip()
        with_report = has_report_command()
        # The row measures `dindlab report` when this build has it; the summary alone
        # (dindlab-report-bench: tallyTrials + SummaryTable) is context, or the row itself.
        main = "report" if with_report else "tally"
        tools = [f"{main}-big", f"{main}-small"] + (["tally-big"] if with_report else [])
        if not with_report:
            notes.append("`dindlab report` is not on main yet (branch reports): the report row measures what it "
                         "rebuilds summary.json with, ResultStore.tallyTrials + SummaryTable, through dindlab-report-bench.")
        rss = {}

        def measure(tool):
            folder_of_tool = big if tool.endswith("big") else small
            if tool.startswith("report"):
                argv = [DINDLAB, "report", folder_of_tool]
            else:
                argv = [REPORT_BENCH, "read", folder_of_tool]
            wall, peak, _, status = run_measured(argv, check=not tool.startswith("report"))
            if tool.startswith("report") and status not in (0, 1):
                raise BenchError(f"dindlab report exited with {status}")
            rss.setdefault(tool, []).append(peak / 1024)
            return wall

        log(f"report: {args.report_records:,} and {args.report_records // 10:,} records, {args.reps} alternating repetitions")
        values = alternate(tools, args.reps, measure, watch)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = statistics.median(values[f"{main}-big"])
    what = "`dindlab report`" if with_report else "summary (tallyTrials + table)"
    big_rss, small_rss = statistics.median(rss[f"{main}-big"]), statistics.median(rss[f"{main}-small"])
    rows = [
        (f"{what} over {args.report_records:,} trial records", fmt_seconds(seconds),
         f"peak RSS {big_rss:.0f} MB" + (f"; the summary alone {fmt_seconds(statistics.median(values['tally-big']))}" if with_report else ""),
         "< 3 s", seconds < 3),
        (f"memory of {what}: {args.report_records:,} vs {args.report_records // 10:,} records",
         f"{big_rss / small_rss:.2f}x",
         f"{big_rss:.0f} MB vs {small_rss:.0f} MB (records are streamed; per trial only its phase durations, start and outcome are kept)",
         "bounded (< 2x for 10x the records)", big_rss / small_rss < 2),
    ]
    details = [(f"report: {name}", spread(vals)) for name, vals in values.items()]
    details += [(f"report peak RSS MB: {name}", spread(vals, unit=lambda v: f"{v:.0f}")) for name, vals in rss.items()]
    return rows, details


def bench_history(args, watch, notes):
    folder = tempfile.mkdtemp(prefix="dl-bench-history-")
    try:
        year, thin = os.path.join(folder, "year"), os.path.join(folder, "thin")
        nights, cells, trials = args.history_nights, args.history_cells, args.history_trials
        log(f"history: generating {nights} nights x {cells} cells x {trials} trials, and x 1 trial")
        run_process([REPORT_BENCH, "generate-history", year, str(nights), str(cells), str(trials)])
        run_process([REPORT_BENCH, "generate-history", thin, str(nights), str(cells), "1"])
        records = sum(1 for name in os.listdir(year) for _ in open(os.path.join(year, name, "trials.jsonl")))
        size = sum(os.path.getsize(os.path.join(year, name, "trials.jsonl")) for name in os.listdir(year))
        out = os.path.join(folder, "site")
        rss, html_sizes = {}, []

        def measure(tool):
            source = year if tool == "history-year" else thin
            argv = [DINDLAB, "history", source, "--html", os.path.join(out, "history.html"), "--json", os.path.join(out, "history.json")]
            wall, peak, _, status = run_measured(argv, check=False)
            if status not in (0, 1):
                raise BenchError(f"dindlab history exited with {status}")
            rss.setdefault(tool, []).append(peak / 1024)
            if tool == "history-year":
                html_sizes.append(os.path.getsize(os.path.join(out, "history.html")))
            return wall

        log(f"history: {records:,} records ({size / 1e6:.0f} MB of trials.jsonl), {args.reps} alternating repetitions")
        values = alternate(["history-year", "history-thin"], args.reps, measure, watch)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = statistics.median(values["history-year"])
    year_rss, thin_rss = statistics.median(rss["history-year"]), statistics.median(rss["history-thin"])
    rows = [
        (f"`dindlab history` over {nights} nights x {cells} cells x {trials} trials ({records:,} records)", fmt_seconds(seconds),
         f"peak RSS {year_rss:.0f} MB; {size / 1e6:.0f} MB of trials.jsonl; writes history.html ({statistics.median(html_sizes) / 1e6:.1f} MB) and the JSON",
         "< 5 s", seconds < 5),
        (f"memory of `dindlab history`: {trials} vs 1 trial per cell ({nights} nights x {cells} cells)", f"{year_rss / thin_rss:.2f}x",
         f"{year_rss:.0f} MB vs {thin_rss:.0f} MB (trials are streamed; what is kept is per cell and night)",
         "bounded (< 1.5x for 10x the trials)", year_rss / thin_rss < 1.5),
    ]
    details = [(f"history: {name}", spread(vals)) for name, vals in values.items()]
    details += [(f"history peak RSS MB: {name}", spread(vals, unit=lambda v: f"{v:.0f}")) for name, vals in rss.items()]
    return rows, details


# MARK: - Output

def machine():
    memory = "?"
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpu = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    facts = {}
    try:
        info = engine_facts()
        facts["engine"] = f"Docker {info.get('daemonVersion')} (API {info.get('apiVersion')}), storage {info.get('storageDriver')}, cgroup v{info.get('cgroupVersion')}"
    except BenchError:
        facts["engine"] = "not running (the rows measured need none)"
    cli = docker_cli()
    facts["docker CLI"] = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.strip() if cli else "not installed"
    python = dockerpy_python()
    facts["docker-py"] = subprocess.run([python, "-c", "import docker, sys; print(docker.__version__, 'on Python', sys.version.split()[0])"],
                                        capture_output=True, text=True).stdout.strip() if python else "not installed"
    facts["libcurl"] = subprocess.run(["curl-config", "--version"], capture_output=True, text=True).stdout.strip() if shutil.which("curl-config") else "?"
    swift = shutil.which("swift") or "/opt/swift/usr/bin/swift"
    facts["Swift"] = subprocess.run([swift, "--version"], capture_output=True, text=True).stdout.strip().splitlines()[0] if os.path.exists(swift) else "?"
    return (f"{os.cpu_count()} CPUs ({cpu}), {memory} memory, Linux {platform.release()}; "
            + "; ".join(f"{name}: {value}" for name, value in facts.items()))


def markdown(rows, details, notes, command, watch, started, load_before, load_after):
    lines = [
        "# dindlab benchmark results",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC with `{command}` (release build).",
        "",
        f"Machine: {machine()}.",
        "",
        f"Load: {watch.describe()}; {load_before:.2f} before, {load_after:.2f} after. "
        "The load average counts the benchmark's own processes too (the memory rows run hundreds of "
        "threads). Machines are noisy, so every number is the median of "
        "alternating repetitions (each repetition runs every tool once, in a rotating order) and "
        "every ratio is the median of the per-repetition ratios.",
        "",
        "| benchmark | result | context (medians) | target | target holds |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, result, context, target, holds in rows:
        lines.append(f"| {name} | **{result}** | {context} | {target} | {'yes' if holds else 'no'} |")
    lines += ["", "Absolute numbers (median, min, max over the repetitions):", "", "| measurement | value |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in details]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    lines += ["", "How each row is measured: benchmarks/README.md.", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="alternating repetitions of the ping and report rows")
    parser.add_argument("--trial-reps", type=int, default=3, help="alternating repetitions of the trial rows")
    parser.add_argument("--memory-reps", type=int, default=3, help="alternating repetitions of the memory rows")
    parser.add_argument("--max-trials", type=int, default=50, help="the trial rows run 10 and 50 trials per process; a smaller bound leaves out the 50")
    parser.add_argument("--ping-count", type=int, default=10000, help="round trips per process (C, dindlab, docker-py)")
    parser.add_argument("--cli-count", type=int, default=100, help="docker version invocations per repetition")
    parser.add_argument("--scale-trials", type=int, default=2000, help="trials of the large memory run")
    parser.add_argument("--report-records", type=int, default=100000, help="trial records of the report row")
    parser.add_argument("--history-nights", type=int, default=365, help="nights of the history row")
    parser.add_argument("--history-cells", type=int, default=120, help="cells per night of the history row")
    parser.add_argument("--history-trials", type=int, default=10, help="trials per cell of the history row")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and smaller sizes, for trying the suite")
    parser.add_argument("--only", default="ping,trials,memory,report,history", help="comma-separated rows to run")
    parser.add_argument("--out", default=os.path.join(BENCH, "results.md"), help="where to write the table")
    parser.add_argument("--keep-engine", action="store_true", help="leave the private engine running at the end")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.trial_reps, args.memory_reps = 3, 1, 1
        args.max_trials, args.ping_count, args.cli_count, args.scale_trials = 10, 2000, 20, 200
        args.history_nights = 60
    only = set(args.only.split(","))
    # Only what the chosen rows run must be built (scripts/bench builds everything).
    needed = {DINDLAB} | ({PING_FLOOR} if "ping" in only else set()) | ({FAKE_ENGINE} if "memory" in only else set()) \
        | ({REPORT_BENCH} if only & {"report", "history"} else set())
    for binary in sorted(needed):
        if not os.path.exists(binary):
            raise BenchError(f"{binary} is missing: run scripts/bench, which builds it")

    command = "scripts/bench" + "".join(f" {arg}" for arg in sys.argv[1:])
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = loadavg()
    watch = LoadWatch()
    rows, details, notes = [], [], []
    needs_engine = bool(only & {"ping", "trials"})
    if needs_engine:
        start_engine()
    try:
        for name, function in [("ping", bench_ping), ("trials", bench_trials), ("memory", bench_memory), ("report", bench_report),
                               ("history", bench_history)]:
            if name in only:
                more_rows, more_details = function(args, watch, notes)
                rows += more_rows
                details += more_details
        load_after = loadavg()
        text = markdown(rows, details, notes, command, watch, started, load_before, load_after)
    finally:
        if needs_engine:
            remove_leftovers()
            if not args.keep_engine:
                stop_engine()
    with open(args.out, "w") as output:
        output.write(text)
    print(text)
    log(f"wrote {os.path.relpath(args.out, ROOT)}")
    return 0 if all(row[4] for row in rows) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        log(str(error))
        sys.exit(2)
