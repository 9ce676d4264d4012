#!/usr/bin/python3
"""Build a large benchmark capture from the conformance corpus.

Every TCP session of the corpus whose server port is an SMTP port is cut
out of its capture and replayed again and again, each replica with its own
client and server addresses and client port, round-robin over the corpus
sessions. No session starts once the sessions started fill --size-mb, and
every started one is written whole, so the file ends a little past the size.
--flows replicas are in flight at any time and their packets are
interleaved (a seeded random pick per packet), so the file looks like a
busy link rather than sessions played one after another.

Output: one classic pcap (Ethernet, microsecond timestamps) plus a sidecar
NAME.json with what was written. Same arguments, same corpus -> same bytes.

Rewriting rules (both directions of a session get the same mapping):
  * IPv4 client 10.0.0.0/8, server 172.16.0.0/12; IPv6 client
    fd00:0:5c:1::/64, server fd00:0:5c:2::/64; client port in 32768-60999.
  * A server port outside smtpscope's default SMTP ports (25, 465, 587,
    2525) becomes 465 when the client opens with a TLS record, else 25, so
    the default `smtpscope read` inspects every replica.
  * IPv4 header and TCP checksums are updated incrementally (RFC 1624), so
    a checksum that was right stays right and one that was wrong (offload)
    stays exactly as wrong.
  * BSD NULL/loopback, raw IP and Linux SLL packets get an Ethernet header
    with fixed locally administered MAC addresses; Ethernet frames (VLAN
    tags included) keep their link header.
  * Timestamps come from a saturated link of --link-mbps: each packet
    advances the clock by its wire time, at least 1 microsecond, so they
    strictly increase.
A TCP session is one address/port pair, split where a capture reuses the
pair (a SYN after FIN or RST, or a pause over 300 s). Packets that are not
TCP over IPv4/IPv6, IP fragments, and TCP sessions on other ports are left
out (counted in the summary); a damaged capture is used up to the damage.

Usage: bench/make_capture.py [--size-mb 1024] [--corpus DIR] [-o FILE]
"""
import argparse
import hashlib
import json
import os
import pathlib
import random
import struct
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
import corpus  # noqa: E402  (tests/corpus.py: capture list, SMTP ports)
import pcapfile  # noqa: E402  (tests/pcapfile.py: packets of a capture file)
from pcapfile import MAX_CAPLEN  # noqa: E402
START_EPOCH = 1767225600       # 2026-01-01T00:00:00Z, fixed for determinism
MAC_CLIENT_SIDE = bytes.fromhex("020000000c01")
MAC_SERVER_SIDE = bytes.fromhex("020000000501")
ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
VLAN_TYPES = (0x8100, 0x88A8, 0x9100)
IDLE_SPLIT = 300.0             # seconds; smtpscope's default --idle-timeout


# ---------------------------------------------------------------- reading

def to_ethernet(linktype, frame):
    """(frame, extra length, synthetic) with an Ethernet link header, or None.
    synthetic frames get direction-dependent MACs later."""
    if linktype == 1:
        return frame, 0, False
    if linktype in (0, 108):             # BSD NULL (host order) / OpenBSD LOOP
        if len(frame) < 4:
            return None
        fam = struct.unpack_from("<I" if linktype == 0 else ">I", frame)[0]
        if fam > 0xFFFF:
            fam = struct.unpack_from(">I", frame)[0]
        etype = ETH_IPV4 if fam == 2 else ETH_IPV6 if fam in (10, 24, 28, 30) else None
        hdr = 4
    elif linktype in (101, 12, 14):      # raw IP
        etype = {4: ETH_IPV4, 6: ETH_IPV6}.get(frame[0] >> 4) if frame else None
        hdr = 0
    elif linktype == 113:                # Linux cooked v1
        etype, hdr = (struct.unpack_from(">H", frame, 14)[0] if len(frame) >= 16 else None), 16
    elif linktype == 276:                # Linux cooked v2
        etype, hdr = (struct.unpack_from(">H", frame, 0)[0] if len(frame) >= 20 else None), 20
    else:
        return None
    if etype is None:
        return None
    eth = bytes(12) + struct.pack(">H", etype)
    return eth + frame[hdr:], 14 - hdr, True


def locate_tcp(frame):
    """(ip version, l3 offset, tcp offset) of a TCP packet, else a reason."""
    off = 12
    if len(frame) < 14:
        return "short"
    etype = struct.unpack_from(">H", frame, off)[0]
    while etype in VLAN_TYPES and len(frame) >= off + 6:
        off += 4
        etype = struct.unpack_from(">H", frame, off)[0]
    l3 = off + 2
    if etype == ETH_IPV4:
        if len(frame) < l3 + 20:
            return "short"
        ihl = (frame[l3] & 0x0F) * 4
        if ihl < 20:
            return "bad ip header"
        if struct.unpack_from(">H", frame, l3 + 6)[0] & 0x3FFF:
            return "ip fragment"
        if frame[l3 + 9] != 6:
            return "not tcp"
        tcp = l3 + ihl
        ver = 4
    elif etype == ETH_IPV6:
        if len(frame) < l3 + 40:
            return "short"
        nxt, tcp = frame[l3 + 6], l3 + 40
        while nxt in (0, 43, 60, 51) and len(frame) >= tcp + 2:
            size = (frame[tcp + 1] + 2) * 4 if nxt == 51 else (frame[tcp + 1] + 1) * 8
            nxt, tcp = frame[tcp], tcp + size
        if nxt == 44:
            return "ip fragment"
        if nxt != 6:
            return "not tcp"
        ver = 6
    else:
        return "not ip"
    if len(frame) < tcp + 20:
        return "short"
    return ver, l3, tcp


# ---------------------------------------------------------------- sessions

class Session:
    """One TCP connection of a corpus capture, ready to be stamped with new
    addresses: each packet is kept as the pieces around the fields that a
    replica changes (addresses, ports, IPv4 and TCP checksums)."""

    def __init__(self, source, ver, packets, client, server, server_port):
        self.source = source
        self.ver = ver
        self.server_port = server_port
        self.orig_addrs = client[0] + server[0]
        self.orig_ports = struct.pack(">HH", client[1], server[1])
        self.packets = []   # (dir, caplen, origlen, pre, ipck, mid, rest, tcpck, tail)
        self.bytes = 0
        alen = len(client[0])
        for frame, extra, synthetic, l3, tcp, origlen, src in packets:
            d = 0 if src == client else 1
            if synthetic:
                macs = (MAC_SERVER_SIDE + MAC_CLIENT_SIDE if d == 0
                        else MAC_CLIENT_SIDE + MAC_SERVER_SIDE)
                frame = macs + frame[12:]
            if ver == 4:
                a_off = l3 + 12
                pre, ipck = frame[:l3 + 10], struct.unpack_from(">H", frame, l3 + 10)[0]
            else:
                a_off = l3 + 8
                pre, ipck = frame[:a_off], None
            self.packets.append((
                d, len(frame), max(origlen + extra, len(frame)), pre, ipck,
                frame[a_off + 2 * alen:tcp],             # IP options / ext headers
                frame[tcp + 4:tcp + 16],                 # seq, ack, flags, window
                struct.unpack_from(">H", frame, tcp + 16)[0],
                frame[tcp + 18:]))
            self.bytes += len(frame)
        self.record_bytes = self.bytes + 16 * len(self.packets)


def _client_opens_with_tls(pkts, client):
    for frame, _, _, _, tcp, _, src in pkts:
        payload = frame[tcp + (frame[tcp + 12] >> 4) * 4:]
        if payload:
            return src == client and payload[0] == 0x16
    return False


def load_sessions(corpus_dir):
    """All SMTP TCP sessions of the corpus, in a fixed order, and counters."""
    stats = {"files": 0, "duplicate_files": 0, "packets_read": 0,
             "skipped": {}, "sessions": 0, "sessions_not_smtp": 0,
             "server_ports_rewritten": 0, "damaged_files": []}
    seen = set()
    sessions = []
    files = [corpus_dir / p for p in corpus.captures(corpus_dir)]
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).digest()
        if digest in seen:
            stats["duplicate_files"] += 1
            continue
        seen.add(digest)
        stats["files"] += 1
        ports = set(corpus.DEFAULT_PORTS) | corpus.server_ports(path)
        conns = []                       # every TCP connection, in order
        current = {}                     # address/port pair -> its open connection
        try:
            # No resynchronisation after damage: the corpus holds one damaged
            # file, and a copy of the whole session in another one.
            for linktype, ts, frame, origlen in pcapfile.packets(path):
                stats["packets_read"] += 1
                conv = to_ethernet(linktype, frame)
                loc = locate_tcp(conv[0]) if conv else "link type %d" % linktype
                if isinstance(loc, str):
                    stats["skipped"][loc] = stats["skipped"].get(loc, 0) + 1
                    continue
                frame, extra, synthetic = conv
                ver, l3, tcp = loc
                alen = 4 if ver == 4 else 16
                a_off = l3 + (12 if ver == 4 else 8)
                sport, dport = struct.unpack_from(">HH", frame, tcp)
                a = (frame[a_off:a_off + alen], sport)
                b = (frame[a_off + alen:a_off + 2 * alen], dport)
                key = (ver,) + ((a, b) if a <= b else (b, a))
                flags = frame[tcp + 13]
                pure_syn = flags & 0x12 == 0x02
                f = current.get(key)
                # A reused address/port pair is a new connection: a SYN after
                # FIN or RST, or a pause longer than smtpscope's idle timeout.
                if f is None or (pure_syn and f["ended"]) or ts - f["last"] > IDLE_SPLIT:
                    f = {"key": key, "first_src": a, "syn_from": None,
                         "ended": False, "pkts": []}
                    current[key] = f
                    conns.append(f)
                f["last"] = ts
                f["ended"] |= bool(flags & 0x05)
                if f["syn_from"] is None and pure_syn:
                    f["syn_from"] = a
                f["pkts"].append((frame, extra, synthetic, l3, tcp, origlen, a))
        except pcapfile.Damaged as e:
            stats["damaged_files"].append(f"{path.relative_to(corpus_dir)}: {e}")
        except (OSError, ValueError, EOFError, struct.error) as e:
            print(f"make_capture: {path}: {e}; skipped", file=sys.stderr)
            continue
        for f in conns:
            # The client: who sent the SYN, else the side not on an SMTP
            # port, else who sent the first packet.
            ver, e1, e2 = f["key"]
            if f["syn_from"] is not None:
                client = f["syn_from"]
            elif (e1[1] in ports) != (e2[1] in ports):
                client = e2 if e1[1] in ports else e1
            else:
                client = f["first_src"]
            server = e2 if client == e1 else e1
            if server[1] not in ports:
                stats["sessions_not_smtp"] += 1
                stats["skipped"]["tcp, not smtp"] = (
                    stats["skipped"].get("tcp, not smtp", 0) + len(f["pkts"]))
                continue
            server_port = server[1]
            if server_port not in corpus.DEFAULT_PORTS:
                server_port = 465 if _client_opens_with_tls(f["pkts"], client) else 25
                stats["server_ports_rewritten"] += 1
            sessions.append(Session(str(path.relative_to(corpus_dir)), ver,
                                    f["pkts"], client, server, server_port))
    stats["sessions"] = len(sessions)
    return sessions, stats



# ---------------------------------------------------------------- replicas

def _fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def _sum16(b):
    """Ones' complement sum of the 16-bit words of b (even length)."""
    return _fold(sum(struct.unpack(">%dH" % (len(b) // 2), b)))


class Replica:
    """Session number r of the output: a corpus session with its own client
    and server addresses and client port, and the checksum deltas these
    cause. A delta depends only on the sum of the changed words, so one
    serves every packet of both directions (RFC 1624: HC' = ~(~HC + ~m + m'))."""

    def __init__(self, sess, r):
        self.packets = sess.packets
        self.next = 0
        if sess.ver == 4:
            cli = struct.pack(">I", 0x0A000000 + r % (1 << 24))
            srv = struct.pack(">I", 0xAC100001 + r % 4093)
        else:
            cli = bytes.fromhex("fd000000005c0001") + struct.pack(">Q", r + 1)
            srv = bytes.fromhex("fd000000005c0002") + struct.pack(">Q", r % 4093 + 1)
        cport, sport = 32768 + r % 28232, sess.server_port
        self.addrs = (cli + srv, srv + cli)
        self.ports = (struct.pack(">HH", cport, sport), struct.pack(">HH", sport, cport))
        self.ip_delta = _fold((~_sum16(sess.orig_addrs) & 0xFFFF) + _sum16(cli + srv))
        self.tcp_delta = _fold(self.ip_delta + (~_sum16(sess.orig_ports) & 0xFFFF)
                               + _sum16(self.ports[0]))


def write_capture(sessions, out, target, flows, link_mbps, seed):
    """Write replicas round-robin over the sessions; start none once the
    sessions started add up to target bytes of file."""
    rng = random.Random(seed)
    ns_per_byte = 8000.0 / link_mbps
    clock_ns = START_EPOCH * 10**9
    last_us = 0
    active = []
    started = packets = frame_bytes = peak = 0
    written = committed = 24
    buf = []
    pack_rec, pack_h = struct.Struct("<IIII").pack, struct.Struct(">H").pack
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, MAX_CAPLEN, 1))
        while True:
            while len(active) < flows and committed < target:
                sess = sessions[started % len(sessions)]
                active.append(Replica(sess, started))
                committed += sess.record_bytes
                started += 1
            if not active:
                break
            peak = max(peak, len(active))
            i = int(rng.random() * len(active))
            rep = active[i]
            d, caplen, origlen, pre, ipck, mid, rest, tcpck, tail = rep.packets[rep.next]
            rep.next += 1
            if rep.next == len(rep.packets):
                active[i] = active[-1]
                active.pop()
            clock_ns += int(origlen * ns_per_byte)
            us = max(last_us + 1, clock_ns // 1000)
            last_us = us
            tcpck = ~_fold((~tcpck & 0xFFFF) + rep.tcp_delta) & 0xFFFF
            buf.append(pack_rec(us // 1000000, us % 1000000, caplen, origlen))
            buf.append(pre)
            if ipck is not None:
                buf.append(pack_h(~_fold((~ipck & 0xFFFF) + rep.ip_delta) & 0xFFFF))
            buf += (rep.addrs[d], mid, rep.ports[d], rest, pack_h(tcpck), tail)
            packets += 1
            frame_bytes += caplen
            written += 16 + caplen
            if len(buf) > 50000:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))
    return {"sessions_written": started, "packets": packets, "frame_bytes": frame_bytes,
            "file_bytes": written, "flows_in_flight_peak": peak,
            "first_ts": START_EPOCH, "last_ts_us": last_us}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=int, default=1024,
                    help="MiB after which no session is started (default 1024)")
    ap.add_argument("--corpus", type=pathlib.Path,
                    default=pathlib.Path(os.environ.get("SMTPSCOPE_CORPUS",
                                                        ROOT.parent / "shared" / "corpus")),
                    help="conformance corpus (default $SMTPSCOPE_CORPUS, else ../shared/corpus)")
    ap.add_argument("-o", "--output", type=pathlib.Path,
                    help="output pcap (default bench/data/smtp-SIZEmb.pcap)")
    ap.add_argument("--flows", type=int, default=128,
                    help="sessions in flight at once (default 128)")
    ap.add_argument("--link-mbps", type=float, default=1000.0,
                    help="link speed that paces the timestamps (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="interleaving seed (default 1)")
    args = ap.parse_args()
    if args.size_mb < 1 or args.flows < 1 or args.link_mbps <= 0:
        ap.error("--size-mb, --flows and --link-mbps must be positive")
    if not args.corpus.is_dir():
        sys.exit(f"make_capture: corpus not found at {args.corpus} "
                 "(use --corpus or SMTPSCOPE_CORPUS)")
    out = args.output or HERE / "data" / f"smtp-{args.size_mb}mb.pcap"
    out.parent.mkdir(parents=True, exist_ok=True)

    t0 = time.monotonic()
    sessions, stats = load_sessions(args.corpus.resolve())
    if not sessions:
        sys.exit(f"make_capture: no SMTP session found in {args.corpus}")
    cycle = sum(s.bytes for s in sessions)
    print(f"make_capture: {len(sessions)} SMTP sessions ({cycle / 2**20:.1f} MiB of frames) "
          f"from {stats['files']} captures in {args.corpus}", file=sys.stderr)
    print(f"make_capture: packets left out: {stats['skipped']}", file=sys.stderr)
    for d in stats["damaged_files"]:
        print(f"make_capture: used up to the damage: {d}", file=sys.stderr)

    tmp = out.with_name(out.name + ".tmp")
    res = write_capture(sessions, tmp, args.size_mb * 2**20, args.flows, args.link_mbps, args.seed)
    meta = {"generator": "bench/make_capture.py", "pcap": out.name,
            "args": {"size_mb": args.size_mb, "flows": args.flows,
                     "link_mbps": args.link_mbps, "seed": args.seed},
            "corpus": str(args.corpus), "corpus_summary": stats, **res}
    os.replace(tmp, out)
    out.with_name(out.name + ".json").write_text(json.dumps(meta, indent=1) + "\n")
    secs = time.monotonic() - t0
    print(f"make_capture: wrote {out}: {res['file_bytes'] / 2**20:.1f} MiB, "
          f"{res['packets']} packets, {res['sessions_written']} sessions in {secs:.1f}s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
