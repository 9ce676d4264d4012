"""What an AUTH attempt disclosed besides the user (smtp.auth.authzid,
realm, workstation, ntlm.*, notes), against an independent reading of the
SASL exchange: the client's own log of each capture in tests/captures,
decoded here from the specifications (MS-NLMP, RFC 2831, RFC 4616); and a
crafted session whose authzid differs from the user, to show it is kept,
hidden with the user by --no-auth-user, and that the password is not."""
import base64
import json
import re
import struct
import subprocess

import pytest

from conftest import ROOT, run_read, smtpscope_bin

CAPTURES = ROOT / "tests" / "captures"
PORTS = "25,465,587,2525"


# ---- the exchange as the client logged it ---------------------------------

CLIENT_LINE = re.compile(r"^ ?(?:-->|->|>) (.*)$")
SERVER_LINE = re.compile(r"^(?:<--|<-|<) +(\d{3})(?:[ -](.*))?$")


def sasl_exchange(log_text):
    """[(mechanism, initial_response or None, [(side, base64 text)])] of
    every AUTH in a client's log: swaks (' -> ', '<-  '), msmtp ('--> ',
    '<-- ') or curl ('> ', '< ')."""
    out, cur = [], None
    for line in log_text.splitlines():
        c, s = CLIENT_LINE.match(line), SERVER_LINE.match(line)
        if c:
            text = c.group(1)
            if text.upper().startswith("AUTH "):
                words = text.split()
                cur = (words[1].upper(), words[2] if len(words) > 2 else None, [])
                out.append(cur)
            elif cur is not None:
                cur[2].append(("client", text))
        elif s and cur is not None:
            if s.group(1) == "334":
                cur[2].append(("server", (s.group(2) or "").strip()))
            else:
                cur = None
    return out


def secbuf(msg, at):
    length, _, off = struct.unpack_from("<HHI", msg, at)
    return msg[off:off + length] if length else b"", off if length else None


def ntlm_text(raw, unicode):
    return raw.decode("utf-16-le" if unicode else "latin-1")


def ntlm_expect(messages):
    """realm, workstation, ntlm.*, ntlm notes from NTLM messages (MS-NLMP
    2.2.1): CHALLENGE from the server, AUTHENTICATE from the client."""
    want, notes, flags = {}, set(), 0
    for side, text in messages:
        msg = base64.b64decode(text) if text else b""
        if len(msg) < 12 or msg[:8] != b"NTLMSSP\0":
            continue
        kind = struct.unpack_from("<I", msg, 8)[0]
        if kind == 2 and side == "server":
            flags = struct.unpack_from("<I", msg, 20)[0]
            server = {}
            target, _ = secbuf(msg, 12)
            if target:
                server["server_target"] = ntlm_text(target, flags & 1)
            info, _ = secbuf(msg, 40) if len(msg) >= 48 else (b"", None)
            names = {1: "nb_computer", 2: "nb_domain", 3: "dns_computer", 4: "dns_domain"}
            while len(info) >= 4:
                av, n = struct.unpack_from("<HH", info)
                if av == 0:
                    break
                if av in names and n:
                    server[names[av]] = info[4:4 + n].decode("utf-16-le")
                info = info[4 + n:]
            if server:
                want["ntlm"] = server
                notes.add("server_info_disclosed")
        elif kind == 3 and side == "client":
            bufs = [secbuf(msg, at) for at in (12, 20, 28, 36, 44)]
            if min((o for _, o in bufs if o is not None), default=len(msg)) >= 64:
                flags = struct.unpack_from("<I", msg, 60)[0]
            (_, _), (nt, _), (dom, _), (_, _), (ws, _) = bufs
            if dom:
                want["realm"] = ntlm_text(dom, flags & 1)
            if ws:
                want["workstation"] = ntlm_text(ws, flags & 1)
            if len(nt) == 24:
                notes.add("ntlm_v1")
    return want, notes


def digest_expect(messages):
    """realm and authzid (when not the user) of a DIGEST-MD5 response
    (RFC 2831 2.1.2); quoted values without escapes, as clients send."""
    want = {}
    for side, text in messages:
        if side != "client" or not text:
            continue
        fields = {}
        for part in base64.b64decode(text).decode().split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                fields[k.strip().lower()] = v.strip().strip('"')
        if "response" not in fields:
            continue
        if fields.get("realm"):
            want["realm"] = fields["realm"]
        if fields.get("authzid") and fields["authzid"] != fields.get("username"):
            want["authzid"] = fields["authzid"]
    return want


def plain_expect(initial, messages):
    """The authzid of a PLAIN message (RFC 4616), when not the user."""
    texts = ([initial] if initial and initial != "=" else []) + \
        [t for s, t in messages if s == "client"]
    for text in texts[:1]:
        parts = base64.b64decode(text).split(b"\0")
        if len(parts) == 3 and parts[0] and parts[0] != parts[1]:
            return {"authzid": parts[0].decode()}
    return {}


DETAIL = ("authzid", "realm", "workstation", "ntlm")


def auth_cases():
    out = []
    for exp in sorted(CAPTURES.glob("*.expect.json")):
        e = json.loads(exp.read_text())
        log = e.get("logs", {}).get("client")
        clear = [a for s in e["sessions"] for a in s["auth_attempts"] if not a["encrypted"]]
        if clear and log and len(e["sessions"]) == 1 and (CAPTURES / log).is_file():
            out.append(pytest.param(exp, id=exp.name[:-12]))
    return out or [pytest.param(None, marks=pytest.mark.skip(reason="no AUTH captures"))]


@pytest.mark.parametrize("expect", auth_cases())
def test_auth_detail_matches_the_client_log(expect, tmp_path):
    e = json.loads(expect.read_text())
    exchanges = sasl_exchange((CAPTURES / e["logs"]["client"]).read_text())
    assert exchanges, "no AUTH in the client log"
    mech, initial, messages = exchanges[-1]
    want, notes = {}, set()
    if mech == "NTLM":
        want, notes = ntlm_expect(messages)
    elif mech == "DIGEST-MD5":
        want = digest_expect(messages)
    elif mech == "PLAIN":
        want = plain_expect(initial, messages)
    if initial is not None:
        notes.add("initial_response")
        if initial == "=":
            notes.add("empty_initial_response")
    run = run_read(CAPTURES / e["capture"], "--smtp-ports", PORTS, tmp_path=tmp_path)
    assert run.rc == 0, run.stderr
    [session] = run.sessions()
    got = session["smtp"]["auth"]
    assert {k: got[k] for k in DETAIL if k in got} == want
    # server_error and the like come from messages decoded above only for
    # some mechanisms: the notes checked are the ones derived here.
    derived = {"initial_response", "empty_initial_response",
               "server_info_disclosed", "ntlm_v1"}
    assert set(got["notes"]) & derived == notes


def test_ntlm_capture_names_the_server_and_the_workstation(tmp_path):
    """Guard for the test above: the NTLM capture has these to compare."""
    run = run_read(CAPTURES / "auth_ntlm_swaks.pcap", "--smtp-ports", PORTS,
                   tmp_path=tmp_path)
    [session] = run.sessions()
    auth = session["smtp"]["auth"]
    assert auth["ntlm"]["server_target"] == "MAIL.EXAMPLE.TEST"
    assert auth["realm"] == "MAIL.EXAMPLE.TEST"
    assert auth["workstation"] == "alice"
    assert "ntlm_v1" in auth["notes"]


# ---- a crafted session: authzid is not the user ---------------------------

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    """Ethernet + IPv4 + TCP, checksums right."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0, 64, 6,
                     0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp + payload


def smtp_pcap(path, dialogue):
    """One TCP session on port 587 carrying dialogue [(side, line)]."""
    cli, srv, cport, sport = (10, 0, 0, 1), (10, 0, 0, 2), 40000, 587
    cseq, sseq = 1000, 5000
    frames = [frame(cli, srv, cport, sport, cseq, 0, 0x02),
              frame(srv, cli, sport, cport, sseq, cseq + 1, 0x12)]
    cseq, sseq = cseq + 1, sseq + 1
    frames.append(frame(cli, srv, cport, sport, cseq, sseq, 0x10))
    for side, line in dialogue:
        data = line.encode() + b"\r\n"
        if side == "C":
            frames.append(frame(cli, srv, cport, sport, cseq, sseq, 0x18, data))
            cseq += len(data)
        else:
            frames.append(frame(srv, cli, sport, cport, sseq, cseq, 0x18, data))
            sseq += len(data)
    frames.append(frame(cli, srv, cport, sport, cseq, sseq, 0x11))
    frames.append(frame(srv, cli, sport, cport, sseq, cseq + 1, 0x11))
    frames.append(frame(cli, srv, cport, sport, cseq + 1, sseq + 1, 0x10))
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000, i * 1000, len(f), len(f)) + f
    path.write_bytes(out)


PASSWORD = "Tr0ub4dor&3-horse"


def test_authzid_is_kept_and_hidden_with_the_user(tmp_path):
    plain = base64.b64encode(f"admin\0alice\0{PASSWORD}".encode()).decode()
    pcap = tmp_path / "authzid.pcap"
    smtp_pcap(pcap, [("S", "220 mx ESMTP"), ("C", "EHLO laptop"),
                     ("S", "250-mx"), ("S", "250 AUTH PLAIN"),
                     ("C", "AUTH PLAIN " + plain),
                     ("S", "535 5.7.8 Authentication failed"),
                     ("C", "QUIT"), ("S", "221 bye")])
    run = run_read(pcap, "--transcript", tmp_path=tmp_path)
    assert run.rc == 0, run.stderr
    [session] = run.sessions()
    auth = session["smtp"]["auth"]
    assert (auth["username"], auth["authzid"]) == ("alice", "admin")
    assert auth["notes"] == ["initial_response"]
    hidden = run_read(pcap, "--no-auth-user", tmp_path=tmp_path)
    [session] = hidden.sessions()
    assert "username" not in session["smtp"]["auth"]
    assert "authzid" not in session["smtp"]["auth"]
    shown = subprocess.run([str(smtpscope_bin()), "show", str(pcap)],
                           capture_output=True, timeout=60)
    assert shown.returncode == 0
    for out in (run.proc.stdout, hidden.proc.stdout, shown.stdout):
        assert PASSWORD.encode() not in out
        assert plain.encode() not in out
