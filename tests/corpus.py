"""What the conformance corpus holds, for the tests and the benchmark.

Plain Python (no pytest), so bench/ can import it too.
"""
import json
import pathlib

CAPTURE_SUFFIXES = (".pcap.gz", ".pcapng", ".pcap")

# The SMTP ports smtpscope reads without being told (SMTP_DEFAULT_PORTS, src/smtp/smtp_consumer.h).
DEFAULT_PORTS = frozenset({25, 465, 587, 2525})


def captures(base):
    """Every capture file below base, sorted, as paths relative to it
    (the expect/ and survey/ folders hold no captures of their own)."""
    base = pathlib.Path(base)
    if not base.is_dir():
        return []
    found = []
    for p in sorted(base.rglob("*")):
        rel = p.relative_to(base)
        if "expect" in rel.parts or "survey" in rel.parts or not p.is_file():
            continue
        if p.name.endswith(CAPTURE_SUFFIXES):
            found.append(rel)
    return found


def server_ports(path):
    """Server ports of the SMTP sessions the corpus documents for the
    capture at path: its truth file (generated/) and the tshark survey of
    its folder (public/)."""
    path = pathlib.Path(path)
    ports = set()
    for suffix in CAPTURE_SUFFIXES:
        if path.name.endswith(suffix):
            truth = path.with_name(path.name[:-len(suffix)] + ".truth.json")
            if truth.exists():
                ports.update(json.loads(truth.read_text()).get("server_ports", []))
            break
    survey = path.parent / "survey" / "raw.json"
    if survey.exists():
        for s in json.loads(survey.read_text()).get("streams", []):
            if s.get("server_port"):
                ports.add(int(s["server_port"]))
    return ports
