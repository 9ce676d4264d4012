"""TCP reassembly on crafted captures: out-of-order segments, resends with
the same and with other bytes, gaps, sequence wraparound, mid-stream
pick-up, 1-byte segments, RST and FIN endings, snaplen cuts, port reuse,
idle splits, injected segments and resets.

The expected values (payload bytes each way, gaps and their size,
differing overlaps, end reason, ...) come from tests/fixtures/expected.json,
which make_fixtures.py computed from the segments it crafted.
"""
import sys

import pytest

from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES))
import fixture_checks as fc  # noqa: E402

EXPECTED = fc.load()


@pytest.mark.parametrize("case", fc.params("reassembly"))
def test_fixture(case, read):
    exp = EXPECTED[case]
    run = read(fc.paths(exp), *exp["args"])
    found = fc.problems(run, exp)
    assert not found, f"{case} ({exp['what']}):\n  " + "\n  ".join(found)


def test_the_suite_covers_the_cases():
    names = set(fc.cases("reassembly"))
    for want in ("tcp_out_of_order.pcap", "tcp_retrans_same.pcap", "tcp_retrans_differ.pcap",
                 "tcp_gap.pcap", "tcp_seq_wrap.pcap", "tcp_midstream.pcap",
                 "tcp_one_byte.pcap", "tcp_rst.pcap", "tcp_fin_data.pcap", "tcp_snaplen.pcap",
                 "tcp_port_reuse.pcap", "tcp_port_2526.pcap"):
        assert want in names


def test_non_default_port_found_by_content(read):
    """On port 2526 the session is found from what the two sides say (a
    220 greeting answered by EHLO); with --no-content-detection it is just
    a TCP flow."""
    exp = EXPECTED["tcp_port_2526.pcap"]
    run = read(fc.paths(exp))
    assert run.rc == 0, run.stderr
    [s] = run.sessions()
    assert s["destination"]["port"] == 2526
    assert run.stats["smtp_sessions_by_content"] == 1
    run = read(fc.paths(exp), "--no-content-detection")
    assert run.rc == 0, run.stderr
    assert run.sessions() == []
    assert run.stats["flows"] == 1
    assert run.stats["smtp_sessions"] == 0


def test_smtp_ports_list_with_several_ports(read):
    exp = EXPECTED["tcp_port_2526.pcap"]
    run = read(fc.paths(exp), "--smtp-ports", "25,2526,10025")
    assert [s["destination"]["port"] for s in run.sessions()] == [2526]


def test_ooo_cap_without_the_option(read):
    """tcp_ooo_cap.pcap read with the default (1 MiB) out-of-order buffer:
    the hole is still one gap of 600 bytes, declared when the server's ACK
    passes it instead of when the buffer fills."""
    exp = EXPECTED["tcp_ooo_cap.pcap"]
    run = read(fc.paths(exp))
    [s] = run.sessions()
    want = exp["sessions"][0]
    assert s["source"]["bytes"] == want["source.bytes"]
    assert s["smtp"]["stream"]["client"]["gaps"] == 1
    assert s["smtp"]["stream"]["client"]["gap_bytes"] == 600


def test_idle_split_without_the_option(read):
    """With the default 300 s idle timeout the 10 s pause does not split."""
    exp = EXPECTED["tcp_idle_split.pcap"]
    run = read(fc.paths(exp))
    [s] = run.sessions()
    a, b = exp["sessions"]
    assert s["source"]["bytes"] == a["source.bytes"] + b["source.bytes"]
    assert s["destination"]["bytes"] == a["destination.bytes"] + b["destination.bytes"]
    assert s["smtp"]["stream"]["end"] == "fin"


def test_resent_bytes_differing_are_counted_per_segment(read):
    """Both differing resends of tcp_retrans_differ.pcap are client side;
    the server side stays clean, and the run totals agree."""
    exp = EXPECTED["tcp_retrans_differ.pcap"]
    run = read(fc.paths(exp))
    [s] = run.sessions()
    assert s["smtp"]["stream"]["server"]["overlaps_differing"] == 0
    assert run.stats["stream_overlaps_differing"] == 2
