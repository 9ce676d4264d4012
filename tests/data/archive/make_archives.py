#!/usr/bin/python3
"""Write the small archives that tests/unit/test_mail_archive.c lists.

Usage: tests/data/archive/make_archives.py [OUTDIR]   (default: beside it)

Zip, tar and gzip come from Python's standard library, or are written
byte by byte here where the library cannot make the case (traditional
PKWARE and WinZip AES encryption: only the header bits matter to a
lister, so the "ciphertext" is filler). RAR 4 and RAR 5 are written byte
by byte from RARLAB's format descriptions (stored members only: no RAR
compressor is needed to list names). 7z needs the 7z program (Debian
package p7zip-full); without it the committed .7z files are kept as they
are. Everything is deterministic (fixed times, no randomness) except the
encrypted .7z files, whose salt and IV 7z draws at random.
"""
import gzip
import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
    os.path.abspath(__file__))
DATE = (2024, 1, 2, 3, 4, 6)
MTIME = 1704164646


def put(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


# ---- zip ---------------------------------------------------------------

def zinfo(name, method=zipfile.ZIP_STORED):
    zi = zipfile.ZipInfo(name, DATE)
    zi.compress_type = method
    zi.external_attr = 0o644 << 16
    return zi


def make_zip_names():
    """Names a lister must get right: a directory, traversal both ways,
    absolute paths, a nested archive, control bytes, a long name, UTF-8."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(zinfo("docs/"), b"")
        z.writestr(zinfo("docs/readme.txt", zipfile.ZIP_DEFLATED),
                   b"hello " * 100)
        z.writestr(zinfo("../../evil.sh"), b"#!/bin/sh\n")
        z.writestr(zinfo("..\\win\\evil.bat"), b"@echo off\r\n")
        z.writestr(zinfo("/etc/cron.d/x"), b"x")
        z.writestr(zinfo("inner.ZIP"), b"PK\x05\x06" + b"\0" * 18)
        z.writestr(zinfo("line\r\nbreak\x01.exe"), b"MZ")
        z.writestr(zinfo("a" * 300 + ".txt"), b"long")
        z.writestr(zinfo("r\u00e9sum\u00e9\u202etxt.exe"), b"MZ")
        z.writestr(zinfo("dir..name/ok..txt"), b"fine")
    return b.getvalue()


def make_zip_streamed():
    """Written to a pipe-like stream: sizes in data descriptors (bit 3)."""
    class Sink(io.RawIOBase):
        def __init__(self):
            self.b = bytearray()

        def writable(self):
            return True

        def write(self, d):
            self.b += d
            return len(d)

    s = Sink()
    with zipfile.ZipFile(s, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("one.txt", b"one " * 50), ("two.js", b"x=1")):
            with z.open(zinfo(name, zipfile.ZIP_DEFLATED), "w") as w:
                w.write(data)
    return bytes(s.b)


def lfh(name, flags, method, crc, csize, usize, extra=b""):
    return (struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method,
                        0x1883, 0x5822, crc, csize, usize, len(name),
                        len(extra)) + name + extra)


def cdh(name, flags, method, crc, csize, usize, offset, extra=b""):
    return (struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags,
                        method, 0x1883, 0x5822, crc, csize, usize,
                        len(name), len(extra), 0, 0, 0, 0o644 << 16,
                        offset) + name + extra)


def eocd(count, cd_size, cd_off):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count,
                       cd_size, cd_off, 0)


def make_zip_encrypted():
    """Traditional PKWARE encryption (APPNOTE 6.1): general purpose flag
    bit 0 and a 12-byte encryption header before the data; one member
    in the clear beside it. AES (WinZip AE-2): method 99, extra 0x9901."""
    out = bytearray()
    cd = bytearray()
    members = []
    # ZipCrypto, stored: 12-byte header + 5 "encrypted" bytes
    data = bytes((i * 37 + 11) & 0xFF for i in range(12 + 5))
    members.append((b"secret.exe", 0x0001, 0, 0x3610A686, data, 5, b""))
    # WinZip AES-256: salt 16 + verifier 2 + data 5 + auth code 10
    aes_extra = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, 8)
    data = bytes((i * 53 + 7) & 0xFF for i in range(16 + 2 + 5 + 10))
    members.append((b"aes.docm", 0x0001, 99, 0, data, 5, aes_extra))
    # in the clear
    members.append((b"readme.txt", 0, 0, zlib.crc32(b"read me"),
                    b"read me", 7, b""))
    for name, flags, method, crc, data, usize, extra in members:
        off = len(out)
        out += lfh(name, flags, method, crc, len(data), usize, extra) + data
        cd += cdh(name, flags, method, crc, len(data), usize, off, extra)
    cd_off = len(out)
    out += cd + eocd(len(members), len(cd), cd_off)
    return bytes(out)


def make_zip_many(n):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for i in range(n):
            z.writestr(zinfo("f%03d.txt" % i), b"")
    return b.getvalue()


# ---- tar and gzip ---------------------------------------------------------

def make_tar():
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in (("bin/", None), ("bin/run.elf", b"\x7fELF" * 8),
                           ("../up.txt", b"up"), ("notes.txt", b"n" * 600)):
            ti = tarfile.TarInfo(name.rstrip("/"))
            ti.mtime = MTIME
            if data is None:
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return gz(b.getvalue(), None)


def gz(data, name):
    b = io.BytesIO()
    with gzip.GzipFile(filename=name or "", mode="wb", fileobj=b,
                       mtime=MTIME) as g:
        g.write(data)
    return b.getvalue()


# ---- RAR 4 (RAR 2.9 format) -----------------------------------------------

def rar4_block(htype, flags, body, add=b""):
    size = 7 + len(body)
    hdr = struct.pack("<BHH", htype, flags, size) + body
    crc = zlib.crc32(hdr) & 0xFFFF
    return struct.pack("<H", crc) + hdr + add


def rar4_file(name, data, flags=0, directory=False):
    flags |= 0x8000  # LONG_BLOCK: PACK_SIZE follows
    if directory:
        flags |= 0x00E0
    body = struct.pack("<IIBIIBBHI", len(data), len(data), 3,
                       zlib.crc32(data), 0x5822_1883, 29, 0x30, len(name),
                       0x41ED if directory else 0x81A4) + name
    return rar4_block(0x74, flags, body, data)


def make_rar4(kind):
    out = bytearray(b"Rar!\x1a\x07\x00")
    main_flags = {"plain": 0, "enc": 0, "hdr_enc": 0x0080,
                  "solid": 0x0008}[kind]
    out += rar4_block(0x73, main_flags, b"\0" * 6)
    if kind == "hdr_enc":
        # what follows is ciphertext (and an 8-byte salt) in a real one
        out += bytes((i * 29 + 3) & 0xFF for i in range(48))
        return bytes(out)
    out += rar4_file(b"bin", b"", directory=True)
    out += rar4_file(b"bin\\tool.exe", b"MZ\x90\x00",
                     flags=0x0004 if kind == "enc" else 0)
    out += rar4_file(b"readme.txt", b"hello")
    out += rar4_block(0x7B, 0x4000, b"")
    return bytes(out)


# ---- RAR 5 ----------------------------------------------------------------

def vint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def rar5_block(htype, hflags, fields, extra=b"", data=None):
    """data None: no data area; b"": a data area of 0 bytes (file headers
    always have one, even for a directory)."""
    body = vint(htype)
    if extra:
        hflags |= 0x0001
    if data is not None:
        hflags |= 0x0002
    body += vint(hflags)
    if extra:
        body += vint(len(extra))
    if data is not None:
        body += vint(len(data))
    body += fields + extra
    hdr = vint(len(body)) + body
    return struct.pack("<I", zlib.crc32(hdr)) + hdr + (data or b"")


def rar5_file(name, data, directory=False, encrypted=False):
    fflags = 0x0002 | (0x0001 if directory else 0x0004)
    # Windows attributes: FILE_ATTRIBUTE_DIRECTORY or _ARCHIVE
    fields = vint(fflags) + vint(len(data)) + vint(0x10 if directory else 0x20)
    fields += struct.pack("<I", MTIME)
    if not directory:
        fields += struct.pack("<I", zlib.crc32(data))
    fields += vint(0) + vint(0) + vint(len(name)) + name  # store, Windows
    extra = b""
    if encrypted:
        # file encryption record (type 1): version 0, flags: password
        # check present; KDF count, salt, IV, check value
        rec = (vint(1) + vint(0) + vint(0x0001) + bytes([15]) +
               bytes(range(16)) + bytes(range(16, 32)) +
               bytes(range(32, 44)))
        extra = vint(len(rec)) + rec
    return rar5_block(2, 0, fields, extra, data)


def make_rar5(kind):
    out = bytearray(b"Rar!\x1a\x07\x01\x00")
    if kind == "hdr_enc":
        # archive encryption header (type 4): version, flags, KDF count,
        # salt; everything after it is ciphertext
        out += rar5_block(4, 0, vint(0) + vint(0) + bytes([15]) +
                          bytes(range(16)))
        out += bytes((i * 29 + 3) & 0xFF for i in range(64))
        return bytes(out)
    out += rar5_block(1, 0, vint(0x0004 if kind == "solid" else 0))
    out += rar5_file(b"docs", b"", directory=True)
    out += rar5_file("docs/caf\u00e9.pdf.exe".encode(), b"MZ\x90\x00",
                     encrypted=(kind == "enc"))
    out += rar5_file(b"readme.txt", b"hello")
    out += rar5_block(5, 0, vint(0))
    return bytes(out)


# ---- 7z ---------------------------------------------------------------------

def make_7z():
    exe = shutil.which("7z") or shutil.which("7za")
    if not exe:
        print("make_archives: no 7z program; keeping the .7z files",
              file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "src")
        os.makedirs(os.path.join(src, "sub"))
        for name, data in (("sub/payload.js", b"WScript.Echo(1);\n"),
                           ("a.txt", b"aaaa\n" * 20)):
            p = os.path.join(src, name)
            with open(p, "wb") as f:
                f.write(data)
            os.utime(p, (MTIME, MTIME))
        os.utime(os.path.join(src, "sub"), (MTIME, MTIME))
        for out, opts in (("plain.7z", []),
                          ("encrypted.7z", ["-pinfected", "-mhe=off"]),
                          ("header_encrypted.7z", ["-pinfected", "-mhe=on"])):
            target = os.path.join(d, out)
            subprocess.run([exe, "a", "-bd", "-bso0", "-mtm=off", "-mtc=off",
                            "-mta=off", target, "a.txt", "sub"] + opts,
                           cwd=src, check=True)
            shutil.copyfile(target, os.path.join(OUT, out))


def main():
    put("names.zip", make_zip_names())
    put("streamed.zip", make_zip_streamed())
    put("encrypted.zip", make_zip_encrypted())
    put("many.zip", make_zip_many(70))
    put("plain.tar.gz", make_tar())
    put("named.gz", gz(b"MZ" + b"\0" * 200, "invoice.pdf.exe"))
    put("noname.gz", gz(b"just text\n", None))
    for kind in ("plain", "enc", "hdr_enc", "solid"):
        put("%s.rar" % kind, make_rar4(kind))
        put("%s.rar5" % kind, make_rar5(kind))
    make_7z()


if __name__ == "__main__":
    main()
