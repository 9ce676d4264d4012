"""Shared fixtures for the end-to-end tests.

The binary under test is $SMTPSCOPE_BIN (default build/smtpscope); the
conformance corpus is $SMTPSCOPE_CORPUS (default ../shared/corpus next to
the project). Tests that need the corpus skip, visibly, when it is absent.
"""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def smtpscope_bin():
    return pathlib.Path(os.environ.get("SMTPSCOPE_BIN", ROOT / "build" / "smtpscope"))


def corpus_dir():
    return pathlib.Path(os.environ.get("SMTPSCOPE_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_captures():
    """Every capture file in the corpus, as paths relative to it."""
    base = corpus_dir()
    if not base.is_dir():
        return []
    found = []
    for p in sorted(base.rglob("*")):
        if "expect" in p.parts or "survey" in p.parts or not p.is_file():
            continue
        if p.name.endswith((".pcap", ".pcapng", ".pcap.gz")):
            found.append(p.relative_to(base).as_posix())
    return found


def corpus_params():
    caps = corpus_captures()
    if not caps:
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"corpus not found at {corpus_dir()} (set SMTPSCOPE_CORPUS)"))]
    return caps


DEFAULT_PORTS = {25, 465, 587, 2525}


def corpus_server_ports(capture):
    """Server ports of the SMTP sessions the corpus documents for a capture
    (truth files of generated/, tshark survey of public/)."""
    path = corpus_dir() / capture
    ports = set()
    name = path.name
    for suffix in (".pcap.gz", ".pcapng", ".pcap"):
        if name.endswith(suffix):
            truth = path.with_name(name[: -len(suffix)] + ".truth.json")
            break
    if truth.exists():
        ports.update(json.loads(truth.read_text()).get("server_ports", []))
    survey = path.parent / "survey" / "raw.json"
    if survey.exists():
        for s in json.loads(survey.read_text()).get("streams", []):
            if s.get("server_port"):
                ports.add(int(s["server_port"]))
    return ports


def ports_arg(capture):
    return ",".join(str(p) for p in sorted(DEFAULT_PORTS | corpus_server_ports(capture)))


class Run:
    def __init__(self, proc, records, stats):
        self.proc = proc
        self.rc = proc.returncode
        self.stderr = proc.stderr.decode("utf-8", "replace")
        self.records = records
        self.stats = stats

    def sessions(self):
        return [r for r in self.records
                if r.get("event", {}).get("dataset") == "smtp.session"]


def run_read(files, *args, stdin=None, tmp_path=None, timeout=120):
    """Run `smtpscope read` and parse its records and statistics."""
    if isinstance(files, (str, pathlib.Path)):
        files = [files]
    cmd = [str(smtpscope_bin()), "read", "-q"]
    stats_file = None
    if tmp_path is not None:
        stats_file = pathlib.Path(tmp_path) / "stats.json"
        cmd += ["--stats-json", str(stats_file)]
    cmd += list(args) + [str(f) for f in files]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)
    records = []
    for i, line in enumerate(proc.stdout.decode("utf-8").splitlines()):
        try:
            records.append(json.loads(line))
        except ValueError as e:
            raise AssertionError(f"output line {i + 1} is not JSON: {line[:200]!r}") from e
    stats = None
    if stats_file is not None and stats_file.exists():
        stats = json.loads(stats_file.read_text())
    return Run(proc, records, stats)


@pytest.fixture
def read(tmp_path):
    def _read(files, *args, **kw):
        return run_read(files, *args, tmp_path=tmp_path, **kw)
    return _read
