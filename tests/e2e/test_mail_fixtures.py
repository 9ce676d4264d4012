"""The message engine on crafted captures (tests/fixtures/mail_*.pcap, made
by make_fixtures.py, which also computed what each transaction record must
say from the bytes it put in the messages):

- mail_zip: multipart/mixed by DATA, a QP text body, a base64 zip with a
  member flagged encrypted, a script whose file name is "../../evil.sh";
- mail_bdat: the same message in three BDAT chunks: the same facts;
- mail_gap, mail_gap_bdat: the same message with one TCP segment inside
  the zip's base64 missing from the capture;
- mail_pipelined: two transactions in one session, the second pipelined
  after the first's end of data.

And, on captures made at test time: --extract never uses the sender's
file name as a path; a 20 MB attachment streams through in the memory a
2 MB one needs.
"""
import hashlib
import json
import pathlib
import subprocess
import sys

import pytest

from conftest import FIXTURES, run_read, smtpscope_bin

sys.path.insert(0, str(FIXTURES))
import fixture_checks as fc  # noqa: E402

EXPECTED = fc.load()

# Fixtures smtpscope gets wrong today (strict xfail: the fix makes the test
# fail until the entry goes).
KNOWN_BUGS = {}

MISSING = fc.MISSING


def dig(obj, path):
    """Like fc.dig, with list indices: "email.attachments.0.file.name"."""
    for part in path.split("."):
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return MISSING
    return obj


def txn_problems(run, want, extract_dir=None):
    """Every way the transaction records differ from the expectation:
    path -> value (None: absent); "path[]": values the list must hold;
    "eml.sha256": the SHA-256 of the .eml written."""
    got = sorted(run.transactions(), key=lambda x: x["smtp"]["trans_depth"])
    out = []
    if len(got) != len(want):
        out.append(f"{len(got)} transactions, expected {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        for path, value in sorted(w.items()):
            if path == "eml.sha256":
                if extract_dir is None:
                    continue
                eml = dig(g, "smtp.mime.eml")
                have = MISSING if eml is MISSING else \
                    hashlib.sha256(pathlib.Path(eml).read_bytes()).hexdigest()
            elif path.endswith("[]"):
                have = dig(g, path[:-2])
                lacking = [v for v in value if have is MISSING or v not in have]
                if lacking:
                    out.append(f"txn {i}: {path[:-2]} lacks {lacking} (is {have!r})")
                continue
            else:
                have = dig(g, path)
            if value is None:
                if have is not MISSING:
                    out.append(f"txn {i}: {path} is {have!r}, expected absent")
            elif have is MISSING:
                out.append(f"txn {i}: {path} absent, expected {value!r}")
            elif have != value:
                out.append(f"txn {i}: {path} = {have!r}, expected {value!r}")
    return out


@pytest.mark.parametrize("case", fc.params("mail", KNOWN_BUGS))
def test_fixture(case, read, tmp_path):
    exp = EXPECTED[case]
    out = tmp_path / "extract"
    out.mkdir()
    run = read(fc.paths(exp), *exp["args"], "--extract", str(out), "--extract-eml")
    found = fc.problems(run, exp) + txn_problems(run, exp["transactions"], out)
    assert not found, f"{case} ({exp['what']}):\n  " + "\n  ".join(found)


def test_the_suite_covers_the_cases():
    assert set(fc.cases("mail")) >= {"mail_zip.pcap", "mail_bdat.pcap", "mail_gap.pcap",
                                     "mail_gap_bdat.pcap", "mail_pipelined.pcap"}


def record(path, *args):
    run = run_read(path, *args)
    assert run.rc == 0, run.stderr
    [x] = run.transactions()
    return x


def test_bdat_gives_the_same_message_facts():
    """The same message by DATA and in three BDAT chunks (cut inside a
    delimiter line and inside a base64 line): email.*, the headers, the
    MIME parts with their hashes and archive listing, the URLs: all equal."""
    a = record(FIXTURES / "mail_zip.pcap")
    b = record(FIXTURES / "mail_bdat.pcap")
    assert a["email"] == b["email"]
    for k in ("headers", "header_addresses", "mime", "urls", "message_bytes"):
        assert a["smtp"].get(k) == b["smtp"].get(k), k
    assert (a["smtp"]["data_mode"], b["smtp"]["data_mode"]) == ("data", "bdat")


def test_gap_leaves_the_other_parts_whole():
    """mail_gap_bdat: the part the hole cut is partial and unhashed; the
    parts before and after it keep their hashes; the message says
    capture_gap and no .eml is written."""
    x = record(FIXTURES / "mail_gap_bdat.pcap")
    parts = {p["path"]: p for p in x["smtp"]["mime"]["parts"]}
    assert parts["2"].get("partial") is True and "hash" not in parts["2"]["file"]
    assert "hash" in parts["1"]["file"] and "hash" in parts["3"]["file"]
    assert not parts["1"].get("partial") and not parts["3"].get("partial")
    assert "capture_gap" in x["smtp"]["mime"]["anomalies"]
    assert x["smtp"]["partial"] is True


@pytest.mark.parametrize("name", ["mail_gap.pcap", "mail_gap_bdat.pcap"])
def test_gap_is_not_an_encoding_anomaly(name):
    x = record(FIXTURES / name)
    zp = next(p for p in x["smtp"]["mime"]["parts"] if p["path"] == "2")
    assert not {"base64_bad_char", "encoded_line_too_long"} & set(zp.get("anomalies", []))


def test_pipelined_transactions_keep_their_messages():
    run = run_read(FIXTURES / "mail_pipelined.pcap")
    xs = sorted(run.transactions(), key=lambda x: x["smtp"]["trans_depth"])
    assert [x["email"]["subject"] for x in xs] == ["first of two", "second of two"]
    assert [x["smtp"]["rcpt_to"][0]["address"] for x in xs] == \
        ["bob@example.org", "carol@example.org"]


# ---- --extract: file names never become paths ----------------------------------------

def test_extract_never_uses_the_senders_name(tmp_path):
    """mail_zip carries a part named "../../evil.sh". Read from an
    unrelated working directory with --extract into a directory two levels
    down: every file written is DIR/<sha256> (the .eml aside), holding the
    part's bytes, and nothing is written anywhere else."""
    exp = EXPECTED["mail_zip.pcap"]["transactions"][0]
    out = tmp_path / "a" / "b" / "extract"
    out.mkdir(parents=True)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    proc = subprocess.run([str(smtpscope_bin().resolve()), "read", "-q", "--extract", str(out),
                           str(FIXTURES / "mail_zip.pcap")],
                          cwd=cwd, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    [x] = [r for r in map(json.loads, proc.stdout.decode().splitlines())
           if r["event"]["dataset"] == "smtp.transaction"]
    atts = x["email"]["attachments"]
    assert [a["file"]["name"] for a in atts] == ["report.zip", "../../evil.sh"]
    want = {exp[f"email.attachments.{i}.file.hash.sha256"]: exp[f"email.attachments.{i}.file.size"]
            for i in range(2)}
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(out / sha for sha in want), written
    for sha, size in want.items():
        data = (out / sha).read_bytes()
        assert len(data) == size and hashlib.sha256(data).hexdigest() == sha
    extracted = [p["extracted"] for p in x["smtp"]["mime"]["parts"] if "extracted" in p]
    assert sorted(extracted) == sorted(str(out / sha) for sha in want)


# ---- a large attachment streams through ----------------------------------------------

def scapy_python():
    py = "/usr/bin/python3"
    ok = subprocess.run([py, "-c", "import scapy.layers.inet"], capture_output=True)
    return py if ok.returncode == 0 else None


def large_capture(size, path):
    """make_fixtures.py --large: a session with a size-byte attachment;
    returns the attachment's SHA-256."""
    proc = subprocess.run([scapy_python(), str(FIXTURES / "make_fixtures.py"),
                           "--large", str(size), str(path)],
                          capture_output=True, check=True, timeout=300)
    return proc.stdout.decode().strip()


def peak_rss_kib(path, tmp_path):
    """Peak resident memory of `smtpscope read` on path (GNU time), its
    attachment record and --stats-json."""
    stats = tmp_path / (path.name + ".stats.json")
    proc = subprocess.run(["/usr/bin/time", "-f", "RSS %M", str(smtpscope_bin()), "read", "-q",
                           "--stats-json", str(stats), str(path)],
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rss = int(proc.stderr.decode().rsplit("RSS ", 1)[1].split()[0])
    [x] = [r for r in map(json.loads, proc.stdout.decode().splitlines())
           if r["event"]["dataset"] == "smtp.transaction"]
    return rss, x["email"]["attachments"][0]["file"], json.loads(stats.read_text())


@pytest.mark.skipif(scapy_python() is None or not pathlib.Path("/usr/bin/time").exists(),
                    reason="needs /usr/bin/python3 with scapy and GNU time")
def test_large_attachment_in_constant_memory(tmp_path):
    """A 20 MB attachment costs no more memory than a 2 MB one: the peak
    RSS grows by far less than the 18 MB between them (the message is
    never held whole), and the hash of the 20 MB is right."""
    small, large = 2 * 10**6, 20 * 10**6
    runs = {}
    for size in (small, large):
        path = tmp_path / f"large_{size}.pcap"
        sha = large_capture(size, path)
        rss, f, stats = peak_rss_kib(path, tmp_path)
        assert f["size"] == size and f["hash"]["sha256"] == sha
        runs[size] = (rss, stats["memory_peak"])
        path.unlink()
    grew_kib = runs[large][0] - runs[small][0]
    assert grew_kib < (large - small) / 1024 / 8, \
        f"peak RSS {runs[small][0]} KiB with 2 MB, {runs[large][0]} KiB with 20 MB"
    # Flow and reassembly buffers do not hold the message either.
    assert runs[large][1] - runs[small][1] < (large - small) / 8, runs
