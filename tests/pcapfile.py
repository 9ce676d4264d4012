"""The packets of a capture file, for the scripts around smtpscope.

pcap (micro- and nanosecond, either byte order) and pcapng, either one
gzip-compressed, read as a stream (a benchmark capture is a gigabyte).
Plain Python, standard library only, so bench/ and fuzz/ import it too.
No resynchronisation: a damaged record ends the reading with Damaged,
after every packet before it was yielded; a header cut short at the very
end is taken as the end of the file.
"""
import gzip
import struct

MAX_CAPLEN = 262144            # libpcap's own limit; larger means a damaged file
PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
              b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


class Damaged(Exception):
    """The capture ends in a damaged record; what came before was yielded."""


def packets(path):
    """Yield (linktype, seconds, frame bytes, origlen) for each packet of
    the capture at path. Raises ValueError when it is no capture, Damaged
    after the last good packet when a record is damaged, and EOFError when
    a gzip stream is cut short."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        f = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        magic = f.read(4)
        if magic in PCAP_MAGIC:
            yield from _pcap(f, magic, *PCAP_MAGIC[magic])
        elif magic == PCAPNG_MAGIC:
            yield from _pcapng(f, magic)
        else:
            raise ValueError("not a pcap or pcapng file")


def _pcap(f, magic, e, unit):
    hdr = magic + f.read(20)
    if len(hdr) < 24:
        raise ValueError("pcap file header cut short")
    linktype = struct.unpack_from(e + "I", hdr, 20)[0] & 0xFFFF
    rec = struct.Struct(e + "IIII")
    off = 24
    while True:
        h = f.read(16)
        if len(h) < 16:
            return
        sec, frac, caplen, origlen = rec.unpack(h)
        frame = f.read(caplen) if caplen <= MAX_CAPLEN else b""
        if len(frame) != caplen:
            raise Damaged(f"damaged record at offset {off}")
        yield linktype, sec + frac * unit, frame, origlen
        off += 16 + caplen


def _tsresol(block, e, opt, end):
    """Seconds per timestamp unit from an interface's options (default 1e-6)."""
    while opt + 4 <= end:
        code, olen = struct.unpack_from(e + "HH", block, opt)
        if code == 0:
            break
        if code == 9 and olen >= 1:
            v = block[opt + 4]
            return 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0 ** -v
        opt += 4 + (olen + 3) // 4 * 4
    return 1e-6


def _pcapng(f, first):
    e = "<"
    links = []                           # (linktype, seconds per unit)
    off = 0
    head = first + f.read(8)
    while len(head) == 12:
        btype = struct.unpack_from(e + "I", head)[0]
        if btype == 0x0A0D0D0A:          # section header: byte order, new IDs
            e = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack_from(e + "I", head, 4)[0]
        block = head + (f.read(blen - 12) if blen >= 12 else b"")
        if blen < 12 or len(block) != blen:
            raise Damaged(f"damaged block at offset {off}")
        body = 8
        if btype == 1:                   # interface description
            links.append((struct.unpack_from(e + "H", block, body)[0],
                          _tsresol(block, e, body + 8, blen - 4)))
        elif btype == 6:                 # enhanced packet
            ifid, hi, lo, caplen, origlen = struct.unpack_from(e + "IIIII", block, body)
            if ifid < len(links) and 32 + caplen <= blen:
                linktype, unit = links[ifid]
                yield (linktype, ((hi << 32) | lo) * unit,
                       block[body + 20:body + 20 + caplen], origlen)
        elif btype == 3 and links:       # simple packet: no timestamp
            origlen = struct.unpack_from(e + "I", block, body)[0]
            caplen = min(origlen, blen - 16)
            yield links[0][0], 0.0, block[body + 4:body + 4 + caplen], origlen
        off += blen
        head = f.read(12)
