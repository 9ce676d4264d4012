"""Every field smtpscope emits is documented in docs/schema.md, with the
documented type, and every field documented as 'always' is there; every
anomaly name it emits is in the document's list."""
import re

import pytest

from conftest import (DEFAULT_PORTS, FIXTURES, ROOT, corpus_dir, corpus_params, ports_arg,
                      run_read)
import schema

DOC = schema.documented()
ANOMALIES = schema.anomaly_names()
MAIL_ANOMALIES = schema.anomaly_names("Message anomalies")


def check_records(records, where):
    problems = []
    for r in records:
        ds = r.get("event", {}).get("dataset")
        fields = DOC.get(ds)
        if fields is None:
            problems.append(f"{where}: record of undocumented dataset {ds!r}")
            continue
        flat = schema.flatten(r)
        for path, value in flat.items():
            if path not in fields:
                problems.append(f"{where}: {ds} field {path} is not in docs/schema.md")
            elif not schema.type_ok(fields[path][0], value):
                problems.append(f"{where}: {ds} field {path}={value!r} is not a {fields[path][0]}")
        for path, (_, presence) in fields.items():
            if presence != "always" or path in flat:
                continue
            # A field inside array elements is required only when the
            # array has elements.
            parent = path.rsplit("[].", 1)[0] if "[]." in path else None
            if parent is not None and not flat.get(parent):
                continue
            problems.append(f"{where}: {ds} record lacks {path}")
        for name in r.get("smtp", {}).get("anomalies", []):
            if name not in ANOMALIES:
                problems.append(f"{where}: anomaly {name!r} is not in docs/schema.md")
        mime = r.get("smtp", {}).get("mime", {})
        names = list(mime.get("anomalies", []))
        for part in mime.get("parts", []):
            names += part.get("anomalies", [])
        for name in names:
            if name not in MAIL_ANOMALIES:
                problems.append(f"{where}: message anomaly {name!r} is not in docs/schema.md")
    return problems


def test_schema_document_parses():
    assert "smtp.session" in DOC
    assert len(DOC["smtp.session"]) > 40
    assert DOC["smtp.session"]["source.bytes"][0] == "integer"


@pytest.mark.parametrize("capture", corpus_params())
def test_corpus_records_are_documented(capture, tmp_path):
    run = run_read(corpus_dir() / capture, "--smtp-ports", ports_arg(capture),
                   "--transcript", tmp_path=tmp_path)
    problems = check_records(run.records, capture)
    assert not problems, "\n".join(problems[:20])


def fixture_files():
    files = sorted(p for p in FIXTURES.glob("*") if p.name.endswith((".pcap", ".pcapng", ".gz")))
    return files or [pytest.param(None, marks=pytest.mark.skip(reason="no fixtures yet"))]


@pytest.mark.parametrize("capture", fixture_files(), ids=lambda p: getattr(p, "name", "none"))
def test_fixture_records_are_documented(capture, tmp_path):
    # 2526: tcp_port_2526.pcap, the one fixture session on another port.
    ports = ",".join(map(str, sorted(DEFAULT_PORTS | {2526})))
    run = run_read(capture, "--smtp-ports", ports, "--transcript", tmp_path=tmp_path)
    problems = check_records(run.records, capture.name)
    assert not problems, "\n".join(problems[:20])


def test_anomaly_list_matches_the_source():
    """The documented anomaly names are exactly those of src/smtp/anomaly.c."""
    src = (ROOT / "src" / "smtp" / "anomaly.c").read_text()
    in_source = set(re.findall(r'\[SA_[A-Z0-9_]+\]\s*=\s*"([a-z0-9_]+)"', src))
    assert len(in_source) > 50
    assert ANOMALIES == in_source, (
        f"undocumented: {sorted(in_source - ANOMALIES)}; "
        f"documented but unknown: {sorted(ANOMALIES - in_source)}")


def test_message_anomaly_list_matches_the_source():
    """The documented message anomaly names are exactly src/mail/anomaly.c's."""
    src = (ROOT / "src" / "mail" / "anomaly.c").read_text()
    in_source = set(re.findall(r'\[MA_[A-Z0-9_]+\]\s*=\s*"([a-z0-9_]+)"', src))
    assert len(in_source) > 40
    assert MAIL_ANOMALIES == in_source, (
        f"undocumented: {sorted(in_source - MAIL_ANOMALIES)}; "
        f"documented but unknown: {sorted(MAIL_ANOMALIES - in_source)}")


def test_an_undocumented_message_anomaly_is_caught():
    rec = {"event": {"dataset": "smtp.transaction"},
           "smtp": {"mime": {"anomalies": [], "parts": [{"anomalies": ["made_up"]}]}}}
    assert any("'made_up'" in p for p in check_records([rec], "x"))


def test_an_undocumented_anomaly_is_caught():
    rec = {"event": {"dataset": "smtp.session"}, "smtp": {"anomalies": ["made_up"]}}
    assert any("'made_up'" in p for p in check_records([rec], "x"))


def test_an_undocumented_field_is_caught():
    """The checker itself fails on a field the document lacks."""
    rec = {"event": {"dataset": "smtp.session"}, "smtp": {"made_up": 1}}
    assert any("smtp.made_up" in p for p in check_records([rec], "x"))
