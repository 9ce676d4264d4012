#!/usr/bin/python3
"""Seed inputs for fuzz/fuzz_pipeline.c, in its record format.

Each seed is a small scenario the reassembler must get right (a whole
SMTP session, reordering, resends with other bytes, holes, fragments,
port reuse) plus the raw frames of the crafted fixture captures, so the
fuzzer starts from inputs that already reach deep code. Deterministic.
Run from the project root: /usr/bin/python3 fuzz/make_seeds.py
"""
import glob
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import pcapfile  # noqa: E402  (tests/pcapfile.py: packets of a capture file)
OUT = os.path.join(HERE, "corpus", "pipeline")
OUT_SMTP = os.path.join(HERE, "corpus", "smtp")

# Values of the DLT_ names fuzz_pipeline.c uses (<pcap/dlt.h>, Linux), and
# the pcap file link types libpcap hands out as another DLT.
DLT_VALUES = {"DLT_EN10MB": 1, "DLT_RAW": 12, "DLT_NULL": 0, "DLT_LOOP": 108,
              "DLT_LINUX_SLL": 113}
LINKTYPE_TO_DLT = {101: 12}          # LINKTYPE_RAW is DLT_RAW


def dlt_indexes():
    """DLT -> its index in dlts[] of fuzz_pipeline.c, read from the source
    so that the seeds cannot drift from the target's table."""
    src = open(os.path.join(HERE, "fuzz_pipeline.c")).read()
    m = re.search(r"static const int dlts\[\]\s*=\s*\{([^}]*)\}", src)
    if not m:
        raise SystemExit("make_seeds: no dlts[] table in fuzz_pipeline.c")
    names = [t.strip() for t in m.group(1).split(",") if t.strip()]
    return {int(n) if n.isdigit() else DLT_VALUES[n]: i for i, n in enumerate(names)}

SYN, SYNACK, FIN, RST, DATA = 0, 1, 2, 3, 4


def seg(conn, c2s, kind, seq, ack, payload=b"", dt=1, frag=False, far=False):
    sel = (conn & 3) | (0 if c2s else 4) | (kind << 3)
    if frag:
        sel |= 0x40
    if far:
        sel |= 0x80
    return bytes([1, sel]) + struct.pack(">IHBH", seq, ack, dt, len(payload)) + payload


def raw(dlt_index, frame):
    return bytes([0, dlt_index]) + struct.pack(">H", len(frame)) + frame


def session(conn=0, reorder=False, resend_other=False, hole=False, frag=False):
    cmds = [b"EHLO client.example\r\n", b"MAIL FROM:<a@example.org>\r\n",
            b"RCPT TO:<b@example.net>\r\n", b"DATA\r\n",
            b"Subject: hi\r\n\r\nhello\r\n.\r\n", b"QUIT\r\n"]
    replies = [b"220 mx ESMTP\r\n", b"250-mx\r\n250 PIPELINING\r\n", b"250 ok\r\n",
               b"250 ok\r\n", b"354 go\r\n", b"250 queued\r\n", b"221 bye\r\n"]
    out = [seg(conn, True, SYN, 0, 0), seg(conn, False, SYNACK, 0, 1),
           seg(conn, True, DATA, 1, 1)]
    cs, ss = 1, 1
    ss_next = ss + len(replies[0])
    out.append(seg(conn, False, DATA, ss, cs, replies[0]))
    ss = ss_next
    segs = []
    for i, c in enumerate(cmds):
        segs.append(seg(conn, True, DATA, cs, ss, c, frag=frag and i == 4))
        cs += len(c)
        r = replies[i + 1]
        out_r = seg(conn, False, DATA, ss, cs, r)
        ss += len(r)
        segs.append(out_r)
    if reorder:
        segs[2], segs[4] = segs[4], segs[2]
    if resend_other:
        segs.insert(3, seg(conn, True, DATA, 1 + len(cmds[0]) + 5, ss, b"EVIL:<x@evil>"))
    if hole:
        del segs[4]
    out += segs
    out.append(seg(conn, True, FIN, cs, ss))
    out.append(seg(conn, False, FIN, ss, cs + 1))
    return b"".join(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "session": session(),
        "reordered": session(reorder=True),
        "resend_other_bytes": session(resend_other=True),
        "hole": session(hole=True),
        "fragments": session(frag=True),
        "two_connections": session(0) + session(1, reorder=True),
        "port_reuse": session(2) + session(2),
        "rst_midway": session(3)[:200] + seg(3, False, RST, 40, 0),
        "timeouts": session(0)[:150] + seg(1, True, DATA, 5, 0, b"late", dt=255) * 3,
    }
    # Raw frames from the crafted fixtures of every link type the target feeds.
    dlt_index = dlt_indexes()
    for path in sorted(glob.glob(os.path.join(os.path.dirname(OUT), "..", "..",
                                              "tests", "fixtures", "*.pcap"))):
        recs = []
        try:
            for link, _, frame, _ in pcapfile.packets(path):
                index = dlt_index.get(LINKTYPE_TO_DLT.get(link, link))
                if index is None:
                    break
                recs.append(raw(index, frame))
        except ValueError:              # not a capture
            continue
        except pcapfile.Damaged:        # the frames before the damage
            pass
        if not recs:
            continue
        name = "fixture_" + os.path.basename(path)[:-5]
        # Small seeds keep the fuzzer fast; the start of a session is
        # what matters most.
        seeds[name] = b"".join(recs)[:8000]
    for name, blob in sorted(seeds.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(blob)
    print(f"wrote {len(seeds)} seeds to {OUT}")
    smtp_seeds()


def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\" or i + 1 == len(text):
            out += c.encode("latin-1")
            i += 1
            continue
        n = text[i + 1]
        if n == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
            continue
        out += {"r": b"\r", "n": b"\n", "0": b"\0", "t": b"\t", "\\": b"\\"}.get(n, b"\\" + n.encode())
        i += 2
    return bytes(out)


def smtp_seeds():
    """fuzz_smtp seeds from the golden dialogues (tests/smtp/*.in)."""
    os.makedirs(OUT_SMTP, exist_ok=True)
    n = 0
    for path in sorted(glob.glob(os.path.join(HERE, "..", "tests", "smtp", "*.in"))):
        flags = 0
        recs = bytearray()
        for line in open(path, encoding="latin-1").read().splitlines():
            if line.startswith("#"):
                if "implicit-tls" in line:
                    flags |= 1
                if line.startswith("# limit"):
                    flags |= 2
                continue
            if len(line) < 2:
                continue
            side = 0 if line[0] == "C" else 1
            kind = line[1]
            if kind == ":":
                data = line[3:].encode("latin-1") + b"\r\n"
                recs += bytes([side]) + struct.pack(">H", len(data)) + data
            elif kind == "~":
                data = unescape(line[3:])
                recs += bytes([side]) + struct.pack(">H", len(data)) + data
            elif kind == "!":
                recs += bytes([side | 2]) + struct.pack(">H", int(line[2:].strip()))
            elif kind == ".":
                recs += bytes([side | 4]) + b"\0\0"
        name = os.path.basename(path)[:-3]
        with open(os.path.join(OUT_SMTP, name), "wb") as f:
            f.write(bytes([flags]) + bytes(recs))
        n += 1
    print(f"wrote {n} seeds to {OUT_SMTP}")


if __name__ == "__main__":
    main()
