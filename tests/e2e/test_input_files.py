"""Input files: formats (pcap both byte orders, nanosecond pcap, pcapng
with one or two interfaces, gzip with one or two members), damage
(truncated, corrupted in the middle, gzip cut short), files
smtpscope must refuse (unsupported link type, empty, text, missing,
directory, unreadable), standard input (also fed one byte at a time),
several files as one capture, -o, exit statuses and messages.

Expected values come from tests/fixtures/expected.json, written by
make_fixtures.py from the packets it crafted; the last test checks that
the script gives the committed fixtures byte for byte.
"""
import filecmp
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, run_read, smtpscope_bin

sys.path.insert(0, str(FIXTURES))
import fixture_checks as fc  # noqa: E402

EXPECTED = fc.load()


@pytest.mark.parametrize("case", fc.params("input_files"))
def test_fixture(case, read):
    exp = EXPECTED[case]
    run = read(fc.paths(exp), *exp["args"])
    found = fc.problems(run, exp)
    assert not found, f"{case} ({exp['what']}):\n  " + "\n  ".join(found)


def without_seconds(stats):
    return {k: v for k, v in stats.items() if k != "seconds"}


# ---- standard input ---------------------------------------------------------------

def run_stdin_slowly(path, tmp_path, chunk=1, pause=0.0003):
    """smtpscope read - with the capture written into a pipe `chunk` bytes
    at a time, pausing between writes so each read() gets that little."""
    out = tmp_path / "stdin.out"
    err = tmp_path / "stdin.err"
    stats = tmp_path / "stdin-stats.json"
    data = pathlib.Path(path).read_bytes()
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([str(smtpscope_bin()), "read", "-q", "--stats-json",
                                 str(stats), "-"], stdin=subprocess.PIPE, stdout=o, stderr=e)
        fd = proc.stdin.fileno()
        try:
            for i in range(0, len(data), chunk):
                os.write(fd, data[i:i + chunk])
                time.sleep(pause)
        finally:
            proc.stdin.close()
        rc = proc.wait(timeout=120)
    return rc, out.read_bytes(), err.read_text(), json.loads(stats.read_text())


@pytest.mark.parametrize("case", ["eth.pcap", "session.pcap.gz", "session.pcapng",
                                  "tcp_out_of_order.pcap"])
def test_stdin_one_byte_at_a_time_equals_the_file(case, tmp_path):
    path = FIXTURES / case
    ref = run_read(path, tmp_path=tmp_path)
    assert ref.rc == 0, ref.stderr
    rc, out, err, stats = run_stdin_slowly(path, tmp_path)
    assert rc == 0, err
    assert out == ref.proc.stdout
    assert len(ref.sessions()) == len(EXPECTED[case]["sessions"]) == 1
    assert without_seconds(stats) == without_seconds(ref.stats)


@pytest.mark.parametrize("case", ["eth.pcap", "session.pcapng", "session.pcap.gz",
                                  "nanosecond.pcap", "bigendian.pcap"])
def test_stdin_meets_the_expectation(case, read):
    exp = EXPECTED[case]
    run = read("-", stdin=(FIXTURES / case).read_bytes())
    found = fc.problems(run, exp)
    assert not found, "\n".join(found)


# Standard input cannot be searched. A truncated capture reads as the file
# does (every whole record); at a damaged record smtpscope stops, as it
# cannot skip to the next good one, and says so. Either way the warning
# names the byte offset and the session read so far is reported.
@pytest.mark.parametrize("case, reads_it_all", [("truncated.pcap", True),
                                                ("damaged.pcap", False)])
def test_stdin_damage_names_the_record_offset(case, reads_it_all, read):
    exp = EXPECTED[case]
    run = read("-", stdin=(FIXTURES / case).read_bytes())
    assert run.rc == 0, run.stderr
    assert exp["stderr"][0].replace("{path0}", "(standard input)") in run.stderr
    [s] = run.sessions()
    assert s["smtp"]["stream"]["end"] == "end_of_input"
    if reads_it_all:
        found = fc.problems(run, exp, files=["(standard input)"])
        assert not found, "\n".join(found)
    else:
        assert "cannot be searched" in run.stderr
        assert 0 < run.stats["packets"] < exp["stats"]["packets"]


# ---- several files, -o ------------------------------------------------------------

def test_files_of_different_formats_and_link_types_in_one_run(read):
    names = ["eth.pcap", "session.pcapng", "raw_ipv6.pcap", "sll2.pcap", "session.pcap.gz"]
    run = read([FIXTURES / n for n in names])
    assert run.rc == 0, run.stderr
    assert run.stats["files"] == len(names)
    assert run.stats["packets"] == sum(EXPECTED[n]["stats"]["packets"] for n in names)
    # Each file holds one whole session. eth, pcapng, sll2 and gz repeat
    # the same IPv4 connection (5-tuple, ISNs, times); each copy's SYN comes
    # after the previous copy's FINs, so each is a session of its own.
    got = [(s["network"]["type"], s["source"]["bytes"], s["destination"]["bytes"],
            s["smtp"]["stream"]["end"]) for s in run.sessions()]
    want = []
    for n in names:
        [e] = EXPECTED[n]["sessions"]
        want.append((e["network.type"], e["source.bytes"], e["destination.bytes"],
                     e["smtp.stream.end"]))
    assert sorted(got) == sorted(want)


def test_output_file_holds_the_same_records(read, tmp_path):
    path = FIXTURES / "tcp_port_reuse.pcap"
    ref = read(path)
    assert ref.rc == 0, ref.stderr
    out = tmp_path / "records.json"
    out.write_text("stale content that must be replaced\n")
    run = read(path, "-o", str(out))
    assert run.rc == 0, run.stderr
    assert run.proc.stdout == b""
    assert out.read_bytes() == ref.proc.stdout
    sessions = [line for line in out.read_text().splitlines() if '"smtp.session"' in line]
    assert len(sessions) == 2


def test_output_file_that_cannot_be_created(read, tmp_path):
    bad = tmp_path / "no" / "such" / "dir" / "out.json"
    run = read(FIXTURES / "eth.pcap", "-o", str(bad))
    assert run.rc == 2
    assert f"{bad}: cannot write" in run.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_output_write_failure_is_exit_1(read):
    run = read(FIXTURES / "eth.pcap", "-o", "/dev/full")
    assert run.rc == 1
    assert "/dev/full: write failed" in run.stderr


# ---- files that cannot be read ----------------------------------------------------

def test_nonexistent_file(read, tmp_path):
    missing = tmp_path / "no-such-capture.pcap"
    run = read(missing)
    assert run.rc == 2
    assert f"{missing}: cannot open" in run.stderr
    assert run.records == []


def test_directory(read, tmp_path):
    run = read(tmp_path)
    assert run.rc == 2
    assert f"{tmp_path}: is a directory" in run.stderr


def test_path_through_a_file(read):
    bad = FIXTURES / "eth.pcap" / "inner.pcap"
    run = read(bad)
    assert run.rc == 2
    assert f"{bad}: cannot open: Not a directory" in run.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 file anyway")
def test_unreadable_file(read, tmp_path):
    p = tmp_path / "secret.pcap"
    shutil.copy(FIXTURES / "eth.pcap", p)
    p.chmod(0)
    run = read(p)
    assert run.rc == 2
    assert f"{p}: cannot open: Permission denied" in run.stderr


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="no /proc")
def test_read_error_names_the_file(read):
    """/proc/self/mem opens (even for root) but reading offset 0 fails
    with EIO: an input that cannot be read."""
    run = read("/proc/self/mem")
    assert run.rc == 2
    assert "/proc/self/mem: not a readable pcap or pcapng capture" in run.stderr
    assert "Input/output error" in run.stderr


def test_a_bad_file_among_good_ones(read, tmp_path):
    """The good files are still read and reported; the exit status says
    that one was not, and the message names it."""
    missing = tmp_path / "gone.pcap"
    run = read([FIXTURES / "eth.pcap", missing, FIXTURES / "raw_ipv6.pcap"])
    assert run.rc == 2
    assert f"{missing}: cannot open" in run.stderr
    assert len(run.sessions()) == 2
    assert run.stats["files"] == 2


@pytest.mark.parametrize("stdin, message", [
    (b"", "(standard input): empty input, not a capture"),
    (b"hello\n", "(standard input): not a readable pcap or pcapng capture")])
def test_unreadable_stdin(read, stdin, message):
    run = read("-", stdin=stdin)
    assert run.rc == 2
    assert message in run.stderr


def test_no_file_is_a_usage_error():
    p = subprocess.run([str(smtpscope_bin()), "read"], capture_output=True, timeout=30)
    assert p.returncode == 2
    assert b"no capture file given" in p.stderr


# ---- the fixtures themselves ------------------------------------------------------

def scapy_python():
    py = "/usr/bin/python3"
    if not os.path.exists(py):
        return None
    ok = subprocess.run([py, "-c", "import scapy.layers.inet"], capture_output=True)
    return py if ok.returncode == 0 else None


@pytest.mark.skipif(scapy_python() is None, reason="/usr/bin/python3 with scapy not found")
def test_make_fixtures_is_deterministic(tmp_path):
    """Regenerating gives the committed files byte for byte (and every
    committed capture is one the script makes)."""
    out = tmp_path / "regen"
    subprocess.run([scapy_python(), str(FIXTURES / "make_fixtures.py"), "--out", str(out)],
                   check=True, capture_output=True, timeout=300)
    made = sorted(p.name for p in out.iterdir())
    committed = sorted(p.name for p in FIXTURES.iterdir()
                       if p.is_file() and p.suffix not in (".py",) and p.name != "README.md")
    assert made == committed
    match, mismatch, errors = filecmp.cmpfiles(out, FIXTURES, made, shallow=False)
    assert not mismatch and not errors, f"differ from the committed copy: {mismatch + errors}"


# ---- the bundled demo capture -----------------------------------------------------

DEMO = FIXTURES.parents[1] / "samples" / "demo.pcap"


def test_demo_capture_reads_cleanly(read):
    run = read(DEMO)
    assert run.rc == 0, run.stderr
    sessions = run.sessions()
    assert len(sessions) == 6
    assert sorted(s["destination"]["port"] for s in sessions) == [25, 25, 25, 25, 25, 587]
    assert sorted(s["network"]["type"] for s in sessions).count("ipv6") == 1
    assert all(s["smtp"]["stream"]["gaps"] == 0 for s in sessions)
    assert all(s["smtp"]["stream"]["end"] == "fin" for s in sessions)
    assert run.stats["decode_errors"] == 0


@pytest.mark.skipif(scapy_python() is None, reason="/usr/bin/python3 with scapy not found")
def test_demo_capture_matches_what_was_crafted(read, tmp_path):
    script = DEMO.parent / "make_demo.py"
    regen = tmp_path / "demo.pcap"
    subprocess.run([scapy_python(), str(script), "--out", str(regen)], check=True,
                   capture_output=True, timeout=300)
    assert regen.read_bytes() == DEMO.read_bytes(), "make_demo.py no longer gives demo.pcap"
    crafted = json.loads(subprocess.run([scapy_python(), str(script), "--summary"], check=True,
                                        capture_output=True, timeout=300).stdout)
    run = read(DEMO)
    got = {}
    for s in run.sessions():
        ip, port = s["source"]["ip"], s["source"]["port"]
        got[f"{ip}:{port}"] = s
    for c in crafted:
        s = got[c["client"]]
        assert f"{s['destination']['ip']}:{s['destination']['port']}" == c["server"]
        assert s["source"]["bytes"] == c["client_bytes"], c["session"]
        assert s["destination"]["bytes"] == c["server_bytes"], c["session"]
        assert s["smtp"]["stream"]["client"]["retransmitted_bytes"] == \
            c["client_retransmitted_bytes"], c["session"]
        assert s["source"]["packets"] + s["destination"]["packets"] == c["packets"], c["session"]
        assert s["event"]["duration"] == c["duration_us"] * 1000, c["session"]
