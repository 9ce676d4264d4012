#!/usr/bin/python3
# make_demo.py - craft samples/demo.pcap, the capture the README demo reads.
#
# Why: a demo needs mail traffic anyone may ship and read: no real
# addresses, no real passwords, no real mail. This script builds six SMTP
# sessions as a sensor at the mail servers' switch port would see them,
# with scapy, from fixed inputs (so running it again gives the same
# bytes):
#
#   1. an ESMTP delivery on port 25 carrying a small MIME message with a
#      CSV attachment; the capture also holds a retransmission of one body
#      segment (same bytes);
#   2. a submission on port 587 that logs in with AUTH PLAIN in clear text
#      although the server offers STARTTLS (the password is a fake one);
#   3. a STARTTLS session: the clear-text part, then a TLS 1.3 handshake
#      (real ClientHello/ServerHello structure, SNI mx.example.org) and a
#      few records of opaque bytes standing for the encrypted part;
#   4. a PIPELINING client that sends MAIL, three RCPTs and DATA in one
#      segment; one recipient is refused; two body segments arrive swapped;
#   5. an SMTP smuggling attempt: "\n.\n" inside DATA followed by a second
#      MAIL FROM / RCPT TO / DATA spoofing the CEO;
#   6. over IPv6, a relay attempt the server rejects (554 5.7.1).
#
# Timing is plausible (round trips of 1-90 ms, server think time, a
# 200 ms retransmission timeout); sessions 3 and 4 overlap in time.
#
# Run with Debian's python, which has python3-scapy:
#     /usr/bin/python3 samples/make_demo.py            # writes samples/demo.pcap
#     /usr/bin/python3 samples/make_demo.py --summary  # what each session holds
import argparse
import base64
import calendar
import hashlib
import json
import os
import struct
import sys

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Raw

HERE = os.path.dirname(os.path.abspath(__file__))

# 2024-03-12 09:14:03.120 UTC
EPOCH = calendar.timegm((2024, 3, 12, 9, 14, 3)) * 10**6 + 120000  # microseconds

MAC_ROUTER = "02:00:5e:10:00:01"
MAC_MX = "02:00:5e:10:00:25"
MAC_SUBMIT = "02:00:5e:10:02:4b"
MSS = 1448


def prng(label, n):
    """Deterministic bytes that look random (for TLS randoms, keys and
    ciphertext)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}".encode()).digest()
        i += 1
    return out[:n]


class Session:
    """One TCP connection seen at the server's port. Times are microseconds
    after EPOCH; each packet is stamped when it passes the sensor."""

    def __init__(self, name, client, server, start_ms, rtt_ms, isn_c, isn_s,
                 ipver=4, server_mac=MAC_MX, ts_base=0):
        self.name = name
        self.ip = {"C": client[0], "S": server[0]}
        self.port = {"C": client[1], "S": server[1]}
        self.mac = {"C": MAC_ROUTER, "S": server_mac}
        self.ipver = ipver
        self.nxt = {"C": isn_c, "S": isn_s}
        self.rtt = int(rtt_ms * 1000)
        self.t = int(start_ms * 1000)
        self.tsval = {"C": 3_000_000 + ts_base, "S": 77_000_000 + ts_base}
        self.ipid = {"C": 0x2A00 + (isn_c & 0xFF), "S": 0x7100 + (isn_s & 0xFF)}
        self.packets = []  # (time us, frame bytes)
        self.sent = {"C": 0, "S": 0}
        self.retransmitted = {"C": 0, "S": 0}

    # -- packets --

    def frame(self, who, flags, data=b"", seq=None, syn_opts=False, at=None):
        other = "S" if who == "C" else "C"
        if seq is None:
            seq = self.nxt[who]
        ack = self.nxt[other] if "A" in flags else 0
        self.tsval[who] += 1
        if syn_opts:
            opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (self.tsval[who], 0)),
                    ("NOP", None), ("WScale", 7)]
            if "A" in flags:
                opts[2] = ("Timestamp", (self.tsval[who], self.tsval[other]))
        else:
            opts = [("NOP", None), ("NOP", None),
                    ("Timestamp", (self.tsval[who], self.tsval[other]))]
        tcp = TCP(sport=self.port[who], dport=self.port[other], seq=seq, ack=ack,
                  flags=flags, window=64240 if "S" in flags else 502, options=opts)
        if data:
            tcp = tcp / Raw(data)
        if self.ipver == 4:
            ipl = IP(src=self.ip[who], dst=self.ip[other], id=self.ipid[who], flags="DF",
                     ttl=64 if who == "S" else 52)
            self.ipid[who] = (self.ipid[who] + 1) & 0xFFFF
        else:
            ipl = IPv6(src=self.ip[who], dst=self.ip[other], hlim=64 if who == "S" else 57)
        eth = Ether(src=self.mac[who], dst=self.mac[other])
        when = self.t if at is None else at
        self.packets.append((when, bytes(eth / ipl / tcp)))
        if seq == self.nxt[who]:
            self.nxt[who] = (seq + len(data) + ("S" in flags) + ("F" in flags)) & 0xFFFFFFFF
            self.sent[who] += len(data)
        return seq

    def wait(self, ms):
        self.t += int(ms * 1000)

    # -- conversation --

    def handshake(self):
        self.frame("C", "S", syn_opts=True)
        self.wait(0.05)
        self.frame("S", "SA", syn_opts=True)
        self.wait(self.rtt / 1000)
        self.frame("C", "A")

    def server(self, data, think_ms=0.4):
        self.wait(think_ms)
        self.send("S", data)

    def client(self, data, think_ms=0.2):
        """The client answers what the server just said: one round trip."""
        self.wait(self.rtt / 1000 + think_ms)
        self.send("C", data)

    def send(self, who, data):
        for i in range(0, len(data), MSS):
            if i:
                self.wait(0.01)
            self.frame(who, "PA", data[i:i + MSS])

    def ack(self, who, delay_ms=None):
        self.wait(self.rtt / 1000 if delay_ms is None else delay_ms)
        self.frame(who, "A")

    def close(self):
        """After 221: the server closes, the client answers."""
        self.wait(0.1)
        self.frame("S", "FA")
        self.wait(self.rtt / 1000)
        self.frame("C", "FA")
        self.wait(0.05)
        self.frame("S", "A")

    def summary(self):
        first, last = self.packets[0][0], self.packets[-1][0]
        return {"session": self.name, "client": f"{self.ip['C']}:{self.port['C']}",
                "server": f"{self.ip['S']}:{self.port['S']}",
                "client_bytes": self.sent["C"], "server_bytes": self.sent["S"],
                "client_retransmitted_bytes": self.retransmitted["C"],
                "packets": len(self.packets),
                "duration_us": last - first}


def ehlo_reply(host, extra):
    lines = [host] + extra
    return "".join(f"250{'-' if i < len(lines) - 1 else ' '}{x}\r\n"
                   for i, x in enumerate(lines)).encode()


def crlf(text):
    return text.replace("\n", "\r\n").encode()


# ---- 1: a delivery with a MIME message ---------------------------------------------

CSV = b"date,region,orders,revenue_eur\n" + b"".join(
    b"2024-03-%02d,%s,%d,%d.%02d\n" % (4 + day, region, 80 + (day * 7 + k * 13) % 45,
                                        6000 + (day * 811 + k * 1297) % 3100, (day * 37 + k) % 100)
    for day in range(7) for k, region in enumerate((b"north", b"south", b"east")))

MIME_MESSAGE = crlf(f"""Received: from [10.20.0.14] (unknown [10.20.0.14])
\tby mail.sender-example.net (Postfix) with ESMTPSA id 4TvB2K0xQpz9sTf
\tfor <bob@example.org>; Tue, 12 Mar 2024 09:14:02 +0000 (UTC)
Date: Tue, 12 Mar 2024 10:14:01 +0100
From: Alice Example <alice@sender-example.net>
To: Bob Example <bob@example.org>
Subject: Weekly sales figures
Message-ID: <20240312091401.GA4711@sender-example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_demo_boundary_7f3a"

This is a multi-part message in MIME format.

--=_demo_boundary_7f3a
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hi Bob,

attached are the figures for last week. North is up 4 % on the week
before; south is flat.

Regards,
Alice

--=_demo_boundary_7f3a
Content-Type: text/csv; name="sales-week10.csv"
Content-Disposition: attachment; filename="sales-week10.csv"
Content-Transfer-Encoding: base64

{base64.encodebytes(CSV).decode().strip()}
--=_demo_boundary_7f3a--
.
""")


def session_delivery():
    s = Session("delivery", ("203.0.113.45", 51234), ("192.0.2.25", 25),
                start_ms=0, rtt_ms=38.5, isn_c=0x3C1F0A21, isn_s=0x91D0774E)
    s.handshake()
    s.server(b"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", think_ms=4.1)
    s.client(b"EHLO mail.sender-example.net\r\n")
    s.server(ehlo_reply("mx.example.org", ["PIPELINING", "SIZE 52428800", "STARTTLS",
                                           "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8",
                                           "CHUNKING"]))
    s.client(b"MAIL FROM:<alice@sender-example.net> SIZE=%d\r\n" % len(MIME_MESSAGE))
    s.server(b"250 2.1.0 Ok\r\n", think_ms=0.6)
    s.client(b"RCPT TO:<bob@example.org>\r\n")
    s.server(b"250 2.1.5 Ok\r\n", think_ms=2.3)
    s.client(b"DATA\r\n")
    s.server(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    # The body in two segments; the server's ACK of the second is lost, so
    # the client resends it after its 200 ms retransmission timeout.
    s.wait(s.rtt / 1000 + 0.3)
    first = MIME_MESSAGE[:MSS]
    second = MIME_MESSAGE[MSS:]
    assert second
    s.frame("C", "PA", first)
    s.wait(0.012)
    seq2 = s.frame("C", "PA", second)
    s.ack("S", delay_ms=0.05)
    s.wait(200)
    s.frame("C", "PA", second, seq=seq2)
    s.retransmitted["C"] += len(second)
    s.ack("S", delay_ms=0.04)
    s.server(b"250 2.0.0 Ok: queued as 4TvB2M3bWkz1xqD\r\n", think_ms=118)
    s.client(b"QUIT\r\n")
    s.server(b"221 2.0.0 Bye\r\n")
    s.close()
    return s


# ---- 2: submission with AUTH PLAIN in clear text ----------------------------------

def session_submission():
    s = Session("submission-auth-plain", ("198.51.100.77", 50522), ("192.0.2.26", 587),
                start_ms=12_400, rtt_ms=21.0, isn_c=0x0BADF00D, isn_s=0x5EEDCAFE,
                server_mac=MAC_SUBMIT, ts_base=1000)
    s.handshake()
    s.server(b"220 smtp.example.org ESMTP ready\r\n", think_ms=2.2)
    s.client(b"EHLO [192.168.1.23]\r\n")
    s.server(ehlo_reply("smtp.example.org", ["PIPELINING", "SIZE 52428800", "STARTTLS",
                                             "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES",
                                             "8BITMIME"]))
    # The server offers STARTTLS; the client logs in without it.
    cred = base64.b64encode(b"\0alice@example.org\0FAKE-demo-password-123").decode()
    s.client(f"AUTH PLAIN {cred}\r\n".encode())
    s.server(b"235 2.7.0 Authentication successful\r\n", think_ms=35)
    msg = crlf("""Date: Tue, 12 Mar 2024 10:14:15 +0100
From: Alice <alice@example.org>
To: Carol <carol@example.net>
Subject: Lunch on Thursday?
Message-ID: <f1e2d3c4-demo@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Carol, are you free for lunch on Thursday at noon?
Alice
.
""")
    s.client(b"MAIL FROM:<alice@example.org> SIZE=%d\r\n" % len(msg))
    s.server(b"250 2.1.0 Ok\r\n")
    s.client(b"RCPT TO:<carol@example.net>\r\n")
    s.server(b"250 2.1.5 Ok\r\n", think_ms=1.5)
    s.client(b"DATA\r\n")
    s.server(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    s.client(msg)
    s.server(b"250 2.0.0 Ok: queued as 4TvB2Y1Jq7z5wQm\r\n", think_ms=64)
    s.client(b"QUIT\r\n")
    s.server(b"221 2.0.0 Bye\r\n")
    s.close()
    return s


# ---- 3: STARTTLS, then TLS 1.3 --------------------------------------------------------

def tls_record(ctype, body, version=0x0303):
    return struct.pack(">BHH", ctype, version, len(body)) + body


def tls_ext(etype, body):
    return struct.pack(">HH", etype, len(body)) + body


def client_hello(sni):
    name = sni.encode()
    exts = b"".join([
        tls_ext(0, struct.pack(">HBH", len(name) + 3, 0, len(name)) + name),  # server_name
        tls_ext(11, b"\x01\x00"),                                              # ec_point_formats
        tls_ext(10, struct.pack(">H", 6) + struct.pack(">HHH", 0x001D, 0x0017, 0x0018)),
        tls_ext(13, struct.pack(">H", 8) + struct.pack(">HHHH", 0x0403, 0x0804, 0x0401, 0x0503)),
        tls_ext(43, b"\x04\x03\x04\x03\x03"),                                   # TLS 1.3, 1.2
        tls_ext(45, b"\x01\x01"),                                               # psk_dhe_ke
        tls_ext(51, struct.pack(">HHH", 36, 0x001D, 32) + prng("client-key", 32)),
    ])
    suites = struct.pack(">7H", 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030)
    body = (b"\x03\x03" + prng("client-random", 32) + b"\x20" + prng("session-id", 32)
            + struct.pack(">H", len(suites)) + suites + b"\x01\x00"
            + struct.pack(">H", len(exts)) + exts)
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return tls_record(22, hs, version=0x0301)


def server_hello():
    exts = (tls_ext(43, b"\x03\x04")
            + tls_ext(51, struct.pack(">HH", 0x001D, 32) + prng("server-key", 32)))
    body = (b"\x03\x03" + prng("server-random", 32) + b"\x20" + prng("session-id", 32)
            + b"\x13\x01\x00" + struct.pack(">H", len(exts)) + exts)
    hs = b"\x02" + struct.pack(">I", len(body))[1:] + body
    return tls_record(22, hs)


def opaque(label, n):
    """An encrypted TLS 1.3 record (application_data) of n bytes."""
    return tls_record(23, prng(label, n))


def session_starttls():
    s = Session("starttls", ("203.0.113.80", 44321), ("192.0.2.25", 25),
                start_ms=31_050, rtt_ms=88.0, isn_c=0x7FFFF000, isn_s=0x00C0FFEE,
                ts_base=2000)
    s.handshake()
    s.server(b"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", think_ms=3.7)
    s.client(b"EHLO relay.partner-example.com\r\n")
    s.server(ehlo_reply("mx.example.org", ["PIPELINING", "SIZE 52428800", "STARTTLS",
                                           "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8",
                                           "CHUNKING"]))
    s.client(b"STARTTLS\r\n")
    s.server(b"220 2.0.0 Ready to start TLS\r\n")
    s.client(client_hello("mx.example.org"))
    # ServerHello, ChangeCipherSpec, then the encrypted rest of the flight
    # (EncryptedExtensions, Certificate, CertificateVerify, Finished).
    s.server(server_hello() + tls_record(20, b"\x01") + opaque("server-flight", 1990),
             think_ms=2.8)
    s.client(tls_record(20, b"\x01") + opaque("client-finished", 53))
    s.server(opaque("ticket", 233), think_ms=0.9)
    # EHLO again, MAIL, RCPT, DATA, body, QUIT: all encrypted now.
    s.client(opaque("ehlo2", 48), think_ms=0.4)
    s.server(opaque("ehlo2-reply", 148))
    s.client(opaque("mail-rcpt-data", 121))
    s.server(opaque("replies", 86), think_ms=1.9)
    s.client(opaque("body", 913))
    s.server(opaque("queued", 61), think_ms=96)
    s.client(opaque("quit", 23))
    s.server(opaque("bye", 33))
    s.wait(0.2)
    s.frame("S", "PA", tls_record(21, prng("close-notify", 18)))
    s.close()
    return s


# ---- 4: PIPELINING, one recipient refused, body segments swapped -------------------

def session_pipelining():
    s = Session("pipelining", ("203.0.113.12", 60101), ("192.0.2.25", 25),
                start_ms=31_400, rtt_ms=12.2, isn_c=0x1234ABCD, isn_s=0xCAFEBABE,
                ts_base=3000)
    s.handshake()
    s.server(b"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", think_ms=3.0)
    s.client(b"EHLO lists.example.com\r\n")
    s.server(ehlo_reply("mx.example.org", ["PIPELINING", "SIZE 52428800", "STARTTLS",
                                           "ENHANCEDSTATUSCODES", "8BITMIME"]))
    s.client(b"MAIL FROM:<announce-bounces@lists.example.com> BODY=8BITMIME\r\n"
             b"RCPT TO:<dave@example.org>\r\n"
             b"RCPT TO:<erin@example.org>\r\n"
             b"RCPT TO:<frank@example.org>\r\n"
             b"DATA\r\n")
    s.server(b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
             b"550 5.1.1 <frank@example.org>: Recipient address rejected: "
             b"User unknown in local recipient table\r\n"
             b"354 End data with <CR><LF>.<CR><LF>\r\n", think_ms=4.4)
    body = crlf("""Date: Tue, 12 Mar 2024 09:14:50 +0000
From: Example Announcements <announce@lists.example.com>
To: announce@lists.example.com
Subject: [announce] Maintenance window on Saturday
List-Id: <announce.lists.example.com>
List-Unsubscribe: <mailto:announce-unsubscribe@lists.example.com>
Message-ID: <maint-2024-03-16@lists.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Dear subscriber,

the example.com services will be down for maintenance on Saturday,
16 March 2024, from 06:00 to 08:00 UTC. Mail sent during the window is
queued and delivered afterwards; no action is needed on your side.

-- 
Example Announcements
""" + ("This list is an example and carries no real traffic.\n" * 22) + ".\n")
    assert len(body) > MSS
    # The two body segments reach the sensor in the wrong order.
    s.wait(s.rtt / 1000 + 0.2)
    t_first = s.t
    s.frame("C", "PA", body[:MSS], at=t_first + 180)
    s.frame("C", "PA", body[MSS:], at=t_first)
    s.packets.sort(key=lambda p: p[0])
    s.wait(0.2)
    s.server(b"250 2.0.0 Ok: queued as 4TvB3F6XbNz1yRt\r\n", think_ms=140)
    s.client(b"QUIT\r\n")
    s.server(b"221 2.0.0 Bye\r\n")
    s.close()
    return s


# ---- 5: SMTP smuggling ----------------------------------------------------------------

def session_smuggling():
    s = Session("smuggling", ("198.51.100.200", 39999), ("192.0.2.25", 25),
                start_ms=63_300, rtt_ms=64.0, isn_c=0xDEADBEEF, isn_s=0x0F00BA44,
                ts_base=4000)
    s.handshake()
    s.server(b"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", think_ms=3.3)
    s.client(b"EHLO mail.attacker.example\r\n")
    s.server(ehlo_reply("mx.example.org", ["PIPELINING", "SIZE 52428800", "STARTTLS",
                                           "ENHANCEDSTATUSCODES", "8BITMIME"]))
    s.client(b"MAIL FROM:<newsletter@attacker.example>\r\n")
    s.server(b"250 2.1.0 Ok\r\n")
    s.client(b"RCPT TO:<bob@example.org>\r\n")
    s.server(b"250 2.1.5 Ok\r\n", think_ms=2.0)
    s.client(b"DATA\r\n")
    s.server(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    # A bare "\n.\n" ends the message for a receiver that accepts LF line
    # ends; what follows then reads as a second transaction that spoofs
    # the CEO. A strict receiver keeps it all as one body.
    s.client(b"From: Newsletter <newsletter@attacker.example>\r\n"
             b"To: bob@example.org\r\n"
             b"Subject: March newsletter\r\n"
             b"\r\n"
             b"Hello Bob, here is our newsletter.\r\n"
             b"\n.\n"
             b"MAIL FROM:<ceo@example.org>\n"
             b"RCPT TO:<bob@example.org>\n"
             b"DATA\n"
             b"From: CEO <ceo@example.org>\n"
             b"To: bob@example.org\n"
             b"Subject: Urgent: wire transfer today\n"
             b"\n"
             b"Bob, please pay the attached invoice before noon. Thanks.\n"
             b"\r\n.\r\n")
    s.server(b"250 2.0.0 Ok: queued as 4TvB3S0nKpz3vLc\r\n", think_ms=91)
    s.client(b"QUIT\r\n")
    s.server(b"221 2.0.0 Bye\r\n")
    s.close()
    return s


# ---- 6: relay attempt over IPv6 -------------------------------------------------------

def session_relay():
    s = Session("relay-rejected", ("2001:db8:bad:1::66", 46788), ("2001:db8:25::25", 25),
                start_ms=80_150, rtt_ms=142.0, isn_c=0x44556677, isn_s=0x8899AABB,
                ipver=6, ts_base=5000)
    s.handshake()
    s.server(b"220 mx.example.org ESMTP Postfix (Debian/GNU)\r\n", think_ms=3.9)
    s.client(b"EHLO WIN-7QK3B1\r\n")
    s.server(ehlo_reply("mx.example.org", ["PIPELINING", "SIZE 52428800", "STARTTLS",
                                           "ENHANCEDSTATUSCODES", "8BITMIME"]))
    s.client(b"MAIL FROM:<promo@deals-example.net>\r\n")
    s.server(b"250 2.1.0 Ok\r\n")
    s.client(b"RCPT TO:<someone@elsewhere-example.com>\r\n")
    s.server(b"554 5.7.1 <someone@elsewhere-example.com>: Relay access denied\r\n",
             think_ms=1.2)
    s.client(b"RSET\r\n")
    s.server(b"250 2.0.0 Ok\r\n")
    s.client(b"QUIT\r\n")
    s.server(b"221 2.0.0 Bye\r\n")
    s.close()
    return s


SESSIONS = [session_delivery, session_submission, session_starttls, session_pipelining,
            session_smuggling, session_relay]


def pcap(records):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
    for t, data in records:
        sec, usec = divmod(EPOCH + t, 10**6)
        out.append(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)
    return b"".join(out)


def main():
    ap = argparse.ArgumentParser(description="craft the demo capture")
    ap.add_argument("--out", default=os.path.join(HERE, "demo.pcap"))
    ap.add_argument("--summary", action="store_true",
                    help="print what each session holds (JSON) instead of writing")
    opt = ap.parse_args()
    sessions = [make() for make in SESSIONS]
    if opt.summary:
        json.dump([s.summary() for s in sessions], sys.stdout, indent=1)
        print()
        return 0
    records = []
    for i, s in enumerate(sessions):
        records += [(t, i, k, data) for k, (t, data) in enumerate(s.packets)]
    records.sort(key=lambda r: r[:3])  # by time; ties keep session and packet order
    data = pcap([(t, d) for t, _, _, d in records])
    assert len(data) < 50 * 1024, len(data)
    with open(opt.out, "wb") as fp:
        fp.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
