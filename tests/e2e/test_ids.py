"""Identifiers: Community ID against an independent implementation and
against Arkime's expectations; session ids stable across runs."""
import json

import pytest

from conftest import community_id, corpus_dir, corpus_params, ports_arg, run_read


def test_reference_implementation_matches_the_spec_vector():
    # Test vector from the Community ID specification (TCP, seed 0).
    assert community_id("128.232.110.120", 34855, "66.35.250.204", 80) == \
        "1:LQU9qZlK+B5F3KDmev6m5PMibrg="


@pytest.mark.parametrize("capture", corpus_params())
def test_community_id_and_stable_session_ids(capture, tmp_path):
    args = ["--smtp-ports", ports_arg(capture)]
    first = run_read(corpus_dir() / capture, *args, tmp_path=tmp_path)
    if not first.sessions():
        pytest.skip(f"{capture}: no SMTP session, so no identifier to check")
    again = run_read(corpus_dir() / capture, *args, tmp_path=tmp_path)
    ids = [s["smtp"]["session_id"] for s in first.sessions()]
    assert ids == [s["smtp"]["session_id"] for s in again.sessions()]
    assert len(set(ids)) == len(ids), "session ids collide"
    for s in first.sessions():
        want = community_id(s["source"]["ip"], s["source"]["port"],
                            s["destination"]["ip"], s["destination"]["port"])
        assert s["network"]["community_id"] == want


def arkime_cases():
    base = corpus_dir() / "public" / "arkime"
    cases = sorted(base.glob("*/expect/tests/pcap/*.test")) if base.is_dir() else []
    return cases or [pytest.param(None, marks=pytest.mark.skip(reason="corpus absent"))]


@pytest.mark.parametrize("test_file", arkime_cases(), ids=lambda p: getattr(p, "stem", "none"))
def test_community_id_agrees_with_arkime(test_file, tmp_path):
    expect = json.loads(test_file.read_text())
    want = set()
    for item in expect.get("sessions3", []):
        cid = item.get("body", {}).get("network", {}).get("community_id")
        if cid:
            want.add(cid)
    if not want:
        pytest.skip("no community_id in this expectation")
    case = test_file.parents[3]
    pcap = next(p for p in case.iterdir() if p.name.endswith((".pcap", ".pcapng")))
    run = run_read(pcap, "--smtp-ports", ports_arg(pcap.relative_to(corpus_dir())),
                   tmp_path=tmp_path)
    got = {s["network"]["community_id"] for s in run.sessions()}
    assert got, "no session"
    assert got <= want, f"ours {got} not among Arkime's {want}"
