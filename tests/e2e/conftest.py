"""Shared fixtures for the end-to-end tests.

The binary under test is $SMTPSCOPE_BIN (default build/smtpscope); the
conformance corpus is $SMTPSCOPE_CORPUS (default ../shared/corpus next to
the project). Tests that need the corpus skip, visibly, when it is absent.
"""
import base64
import hashlib
import ipaddress
import json
import os
import pathlib
import struct
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import corpus  # noqa: E402  (tests/corpus.py, shared with bench/)
FIXTURES = ROOT / "tests" / "fixtures"


def smtpscope_bin():
    return pathlib.Path(os.environ.get("SMTPSCOPE_BIN", ROOT / "build" / "smtpscope"))


def corpus_dir():
    return pathlib.Path(os.environ.get("SMTPSCOPE_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_captures():
    """Every capture file in the corpus, as paths relative to it."""
    return [p.as_posix() for p in corpus.captures(corpus_dir())]


def corpus_params():
    caps = corpus_captures()
    if not caps:
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"corpus not found at {corpus_dir()} (set SMTPSCOPE_CORPUS)"))]
    return caps


DEFAULT_PORTS = corpus.DEFAULT_PORTS


def corpus_server_ports(capture):
    """Server ports of the SMTP sessions the corpus documents for a capture."""
    return corpus.server_ports(corpus_dir() / capture)


def ports_arg(capture):
    return ",".join(str(p) for p in sorted(DEFAULT_PORTS | corpus_server_ports(capture)))


def community_id(src, sport, dst, dport, proto=6, seed=0):
    """Community ID v1, written from the public specification
    (corelight/community-id-spec); test_ids.py checks its test vector."""
    a = ipaddress.ip_address(src).packed
    b = ipaddress.ip_address(dst).packed
    if (a, sport) > (b, dport):
        a, b, sport, dport = b, a, dport, sport
    data = struct.pack(">H", seed) + a + b + struct.pack(">BBHH", proto, 0, sport, dport)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


class Run:
    def __init__(self, proc, records, stats):
        self.proc = proc
        self.rc = proc.returncode
        self.stderr = proc.stderr.decode("utf-8", "replace")
        self.records = records
        self.stats = stats

    def dataset(self, name):
        return [r for r in self.records if r.get("event", {}).get("dataset") == name]

    def sessions(self):
        return self.dataset("smtp.session")

    def transactions(self):
        return self.dataset("smtp.transaction")


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
