"""Decoding on crafted captures: link types, VLAN tags, IPv4 options and
fragments, IPv6 extension headers and fragments, TCP options, Ethernet
padding.

Each fixture in tests/fixtures/ was crafted by make_fixtures.py, which also
wrote the values smtpscope must report (tests/fixtures/expected.json:
payload bytes each way, gaps, VLAN ids, counters). Nothing here was taken
from a smtpscope run.
"""
import sys

import pytest

from conftest import FIXTURES, community_id

sys.path.insert(0, str(FIXTURES))
import fixture_checks as fc  # noqa: E402

EXPECTED = fc.load()


@pytest.mark.parametrize("case", fc.params("decode"))
def test_fixture(case, read):
    exp = EXPECTED[case]
    run = read(fc.paths(exp), *exp["args"])
    found = fc.problems(run, exp)
    assert not found, f"{case} ({exp['what']}):\n  " + "\n  ".join(found)


def test_the_suite_covers_the_link_types():
    # A guard against the fixture list shrinking by accident.
    names = set(fc.cases("decode"))
    for want in ("eth.pcap", "vlan.pcap", "qinq.pcap", "sll.pcap", "sll2.pcap",
                 "raw_ipv4.pcap", "raw_ipv6.pcap", "null_ipv4.pcap", "null_ipv6.pcap",
                 "loop_ipv4.pcap", "ipv4_options.pcap", "ipv4_frag_inorder.pcap",
                 "ipv4_frag_reversed.pcap", "ipv4_frag_overlap_same.pcap",
                 "ipv4_frag_overlap_differ.pcap", "ipv4_frag_timeout.pcap",
                 "ipv6_ext.pcap", "ipv6_frag.pcap", "tcp_options.pcap", "eth_padding.pcap"):
        assert want in names


@pytest.mark.parametrize("case", ["eth.pcap", "eth_ipv6.pcap"])
def test_community_id(case, read):
    run = read(FIXTURES / case)
    assert run.rc == 0, run.stderr
    [s] = run.sessions()
    want = community_id(s["source"]["ip"], s["source"]["port"],
                        s["destination"]["ip"], s["destination"]["port"])
    assert s["network"]["community_id"] == want


def test_vlan_tags_keep_flows_apart(read):
    exp = EXPECTED["vlan_two_flows.pcap"]
    run = read(fc.paths(exp))
    ids = sorted(s["network"]["vlan"]["id"] for s in run.sessions())
    assert ids == ["10", "20"]


def test_padding_is_not_payload(read):
    """The padded frames say 'PADDING!' after the IP datagram; were the pad
    taken as payload, the client would have sent more bytes than its
    dialogue holds, and the pad would show in the transcript."""
    exp = EXPECTED["eth_padding.pcap"]
    run = read(fc.paths(exp), "--transcript")
    assert run.rc == 0, run.stderr
    assert b"PADD" not in run.proc.stdout
    [s] = run.sessions()
    assert s["source"]["bytes"] == exp["sessions"][0]["source.bytes"]
    assert s["smtp"]["stream"]["client"]["payload_bytes"] == exp["sessions"][0]["source.bytes"]
