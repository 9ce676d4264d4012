#!/usr/bin/python3
"""Write NAME.expect.json for every capture the generator made, from what the
CLIENT and SERVER logs say (never from an smtpscope run).

For each case the generator left, in WORK/cap/:
  NAME.pcap, NAME.meta.json, NAME.client.log, NAME.server.log [, NAME.keys]

Both logs are parsed into the same shape: a list of events
  ("C", line)    a line the client sent (command, SASL response, body line)
  ("S", line)    a reply line the server sent
  ("TLS", info)  TLS is up from here on (STARTTLS done, or implicit TLS)
  ("BODY", n)    the client sent a whole message body (n bytes, or None)
and replayed the way a server reads a pipelined stream: every client line
takes the next complete reply; after a 354 the message body runs to the
end-of-data line, which takes the next reply. The two replays must agree
(same lines, same reply codes) or the case fails. The expect file is built
from the server-side replay (Postfix logs every command and reply it handles,
also inside TLS) plus what only the client knows (the body it sent, which
commands it wrote as one pipelined batch).

If tshark is installed, each plaintext session is also checked against the
capture itself: every expected cleartext command line must be in the client's
byte stream, in order, and the DATA body length must match.
"""
import argparse
import base64
import collections
import json
import os
import re
import shutil
import subprocess
import sys

FORMAT_VERSION = 1


# ------------------------------------------------------------ log parsers

class Session:
    """One TCP session as one log saw it."""

    def __init__(self, client=None, server=None):
        self.client = client or {}   # {"ip", "port"} (port may be None)
        self.server = server or {}
        self.events = []
        self.tls_info = None         # {"version", "cipher"} when known
        self.info = []               # free-form facts from the log

    def add(self, kind, value):
        self.events.append((kind, value))


def parse_swaks(text):
    s = Session()
    for raw in text.splitlines():
        m = re.match(r"^=== Trying (\S+?):(\d+)\.\.\.", raw)
        if m:
            s.server = {"ip": m.group(1).strip("[]"), "port": int(m.group(2))}
            continue
        m = re.match(r"^=== TLS started with cipher ([^:]+):([^:]+)", raw)
        if m:
            s.tls_info = {"version": m.group(1), "cipher": m.group(2)}
            s.add("TLS", s.tls_info)
            continue
        prefix, rest = raw[:4], raw[4:]
        if prefix in (" -> ", " ~> "):
            s.add("C", rest)
        elif prefix in ("<-  ", "<~  ", "<** ", "<~* "):
            s.add("S", rest)
    return [s]


def parse_smtplib(text):
    import ast
    s = Session()
    last_cmd = None
    for raw in text.splitlines():
        m = re.match(r"^\S+ connect: to \('([^']+)', (\d+)\) \('([^']+)', (\d+)\)", raw)
        if m:
            s.server = {"ip": m.group(1), "port": int(m.group(2))}
            s.client = {"ip": m.group(3), "port": int(m.group(4))}
            continue
        m = re.match(r"^\S+ (send|reply): (.*)$", raw)
        if not m or m.group(2).startswith("retcode"):
            continue
        value = ast.literal_eval(m.group(2))
        if m.group(1) == "send":
            if isinstance(value, bytes):
                # smtplib.data(): the whole body, dot-stuffed, ending ".\r\n"
                assert value.endswith(b"\r\n.\r\n") or value == b".\r\n", value[-8:]
                s.add("BODY", unstuffed_size(value[:-3]))
            else:
                line = value[:-2] if value.endswith("\r\n") else value
                s.add("C", line)
                last_cmd = line.upper()
        else:
            line = value.decode("utf-8", "replace").rstrip("\r\n")
            s.add("S", line)
            if last_cmd == "STARTTLS" and line.startswith("220 "):
                s.add("TLS", None)
    return [s]


def parse_msmtp(text):
    s = Session()
    for raw in text.splitlines():
        m = re.match(r"^host = (\S+)", raw)
        if m:
            s.server["ip"] = m.group(1)
        m = re.match(r"^port = (\d+)", raw)
        if m:
            s.server["port"] = int(m.group(1))
        m = re.match(r"^source ip = (\S+)", raw)
        if m:
            s.client = {"ip": m.group(1), "port": None}
        if raw.startswith("--> "):
            s.add("C", raw[4:])
        elif raw == "-->":
            s.add("C", "")
        elif raw.startswith("<-- "):
            s.add("S", raw[4:])
    return [s]


def parse_curl(text):
    s = Session()
    for raw in text.splitlines():
        m = re.match(r"^\* Connected to \S+ \((\S+)\) port (\d+)", raw)
        if m:
            s.server = {"ip": m.group(1), "port": int(m.group(2))}
        m = re.match(r"^\* Local port: (\d+)", raw)
        if m:
            s.client["port"] = int(m.group(1))
        if raw.startswith("> "):
            s.add("C", raw[2:])
        elif raw.startswith("< "):
            s.add("S", raw[2:])
        elif re.match(r"^\} \[\d+ bytes data\]", raw):
            s.add("BODY", None)   # curl counts dot-stuffing; the server's count is used
    return [s]


def parse_exim(text):
    s = Session()
    in_reply = False
    for raw in text.splitlines():
        m = re.match(r"^  SMTP([>|+])> (.*)$", raw)
        if m:
            s.add("C", m.group(2))
            in_reply = False
            continue
        m = re.match(r"^  SMTP<< (.*)$", raw)
        if m:
            s.add("S", m.group(1))
            in_reply = True
            continue
        m = re.match(r"^ {9}(\d{3}[ -].*|\d{3})$", raw)
        if in_reply and m:
            s.add("S", m.group(1))
            continue
        in_reply = False
        m = re.match(r"^Connecting to \S+ \[([^\]]+)\]:(\d+) from ([^ .]+(?:\.[^ .]+)*)", raw)
        if m:
            s.server = {"ip": m.group(1), "port": int(m.group(2))}
    return [s]


PF_LINE = re.compile(
    r"^\S+ +\d+ [\d:]+ \S+ postfix/(?:(?P<listener>[^/\s]+)/)?(?P<proc>smtpd|smtp)"
    r"\[(?P<pid>\d+)\]: (?P<rest>.*)$")


def parse_postfix_server(text):
    """Sessions as Postfix smtpd logged them (debug_peer_level=2)."""
    sessions, open_by_pid = [], {}
    for raw in text.splitlines():
        m = PF_LINE.match(raw)
        if not m or m.group("proc") != "smtpd":
            continue
        pid, rest = m.group("pid"), m.group("rest")
        c = re.match(r"^connect from \S+?\[([^\]]+)\]:(\d+)$", rest)
        if c:
            host, _, port = (m.group("listener") or "").rpartition("_")
            s = Session({"ip": c.group(1), "port": int(c.group(2))},
                        {"ip": host, "port": int(port)})
            sessions.append(s)
            open_by_pid[pid] = s
            continue
        s = open_by_pid.get(pid)
        if s is None:
            continue
        d = re.match(r"^([<>]) \S+?\[[^\]]+\](?::\w+)?: ?(.*)$", rest)
        if d:
            s.add("C" if d.group(1) == "<" else "S", d.group(2))
            continue
        t = re.match(r"^\S+ TLS connection established from \S+: (\S+) with cipher (\S+)", rest)
        if t:
            s.tls_info = {"version": t.group(1), "cipher": t.group(2)}
            s.add("TLS", s.tls_info)
            continue
        if rest.startswith("disconnect from "):
            s.info.append(rest)
            del open_by_pid[pid]
    return sessions


def parse_postfix_client(text):
    """Sessions as the Postfix smtp client logged them (debug_peer_list)."""
    sessions, cur = [], {}
    for raw in text.splitlines():
        m = PF_LINE.match(raw)
        if not m or m.group("proc") != "smtp":
            continue
        d = re.match(r"^([<>]) \S+?\[([^\]]+)\]:(\d+): ?(.*)$", m.group("rest"))
        if not d:
            continue
        pid = m.group("pid")
        s = cur.get(pid)
        if s is not None and d.group(1) == "<" and getattr(s, "quit_sent", False) \
                and d.group(4).startswith("220"):
            s = None   # a new connection by the same (caching) smtp process
        if s is None:
            s = Session({"ip": None, "port": None},
                        {"ip": d.group(2), "port": int(d.group(3))})
            s.body_unknown = True   # it logs "." but never the body
            sessions.append(s)
            cur[pid] = s
        s.add("C" if d.group(1) == ">" else "S", d.group(4))
        if d.group(1) == ">" and d.group(4).upper() == "QUIT":
            s.quit_sent = True
    return sessions


def parse_scripted_server(text):
    sessions, by_id = [], {}
    for raw in text.splitlines():
        parts = raw.split(" ", 2)
        if parts[0] == "open":
            f = raw.split()
            s = Session({"ip": f[3], "port": int(f[4])}, {"ip": f[6], "port": int(f[7])})
            by_id[f[1]] = s
            sessions.append(s)
        elif parts[0] in ("C", "S") and parts[1] in by_id:
            by_id[parts[1]].add(parts[0], parts[2] if len(parts) > 2 else "")
        elif parts[0] == "I" and parts[1] in by_id:
            s = by_id[parts[1]]
            s.info.append(parts[2])
            m = re.match(r"data bytes=(\d+)", parts[2])
            if m:
                # the body ran between the 354 and the reply that follows
                s.add("BODY", int(m.group(1)))
    return sessions


def parse_exim_server(text):
    """Sessions as the Exim daemon's debug output (-d+receive) shows them."""
    sessions, by_pid, last_s = [], {}, {}
    for raw in text.splitlines():
        m = re.match(r"^ *(\d+) (.*)$", raw)
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        d = re.match(r"^SMTP(>>|<<) (.*)$", rest)
        if d:
            s = by_pid.get(pid)
            if s is None:
                s = Session({"ip": None, "port": None}, {"ip": None, "port": None})
                by_pid[pid] = s
                sessions.append(s)
            s.add("S" if d.group(1) == ">>" else "C", d.group(2))
            last_s[pid] = d.group(1) == ">>"
            continue
        c = re.match(r"^ {6,}(\d{3}[ -].*|\d{3})$", rest)
        if c and last_s.get(pid):
            by_pid[pid].add("S", c.group(1))
            continue
        last_s[pid] = False
        q = re.search(r"SMTP connection from .*?\[([^\]]+)\]:(\d+) I=\[([^\]]+)\]:(\d+)", rest)
        if q and pid in by_pid:
            by_pid[pid].client = {"ip": q.group(1), "port": int(q.group(2))}
            by_pid[pid].server = {"ip": q.group(3), "port": int(q.group(4))}
    return sessions


CLIENT_PARSERS = {"swaks": parse_swaks, "smtplib": parse_smtplib,
                  "msmtp": parse_msmtp, "curl": parse_curl, "exim": parse_exim}


# ----------------------------------------------------------------- replay

def unstuffed_size(body):
    """Bytes of a dot-stuffed CRLF body once the stuffing dots are removed."""
    n = len(body)
    if body.startswith(b".."):
        n -= 1
    return n - body.count(b"\r\n..")


class Unit:
    """One client line that takes one reply."""

    def __init__(self, kind, line, encrypted, batch):
        self.kind = kind            # command | sasl_response | end_of_data
        self.line = line
        self.encrypted = encrypted
        self.batch = batch
        self.reply = None
        self.body_size = None


def reply_done(line):
    return len(line) == 3 or (len(line) >= 4 and line[3] == " ")


def replay(session, body_lines_logged):
    """Pair client lines with replies. body_lines_logged: the log shows the
    body (as lines ending with ".", or as one BODY event); otherwise the
    end-of-data is implied right after a 354."""
    units, pending, cur = [], collections.deque(), []
    banner, unsolicited = None, []
    encrypted = session.tls_info is not None and _tls_before_banner(session)
    in_body, body, batch, last = False, [], 0, None
    in_sasl = False

    def push(u):
        units.append(u)
        pending.append(u)

    for kind, val in session.events:
        if kind == "TLS":
            encrypted = True
            continue
        if kind == "BODY":
            if last != "C":
                batch += 1
            u = Unit("end_of_data", ".", encrypted, batch)
            u.body_size = val
            push(u)
            in_body = False
            last = "C"   # written like a client line: a QUIT after it shares its batch
            continue
        if kind == "C":
            if in_body:
                if last != "C":
                    batch += 1   # the body is written after the 354 was read
                if val == ".":
                    u = Unit("end_of_data", ".", encrypted, batch)
                    data = "".join(l + "\r\n" for l in body).encode("utf-8")
                    u.body_size = unstuffed_size(data) if body or data else 0
                    if body == [] and session_body_unknown(session):
                        u.body_size = None
                    push(u)
                    in_body = False
                else:
                    body.append(val)
                last = kind
                continue
            if last != "C":
                batch += 1
            push(Unit("sasl_response" if in_sasl else "command", val, encrypted, batch))
            last = kind
            continue
        # a reply line
        cur.append(val)
        last = kind
        if not reply_done(val):
            continue
        reply, cur = cur, []
        if banner is None and not units:
            banner = reply
            continue
        if not pending:
            unsolicited.append(reply)
            continue
        u = pending.popleft()
        u.reply = reply
        code = reply[-1][:3]
        verb = u.line.split(" ", 1)[0].upper() if u.kind == "command" else ""
        if u.kind == "command" and verb == "AUTH" or u.kind == "sasl_response":
            in_sasl = code == "334"
        if u.kind == "command" and verb == "DATA" and code == "354":
            if body_lines_logged:
                in_body, body = True, []
            else:
                push(Unit("end_of_data", ".", encrypted, batch))
    return banner, units, unsolicited


def session_body_unknown(session):
    return getattr(session, "body_unknown", False)


def _tls_before_banner(session):
    for kind, val in session.events:
        if kind == "TLS":
            return True
        if kind in ("S", "C"):
            return False
    return False


# ------------------------------------------------------------- AUTH names

def b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return b""


def sasl_username(mech, initial, responses):
    """The authentication identity from the client's (unredacted) lines."""
    msgs = ([initial] if initial else []) + responses
    first = b64(msgs[0]) if msgs else b""
    try:
        if mech == "PLAIN":
            return first.split(b"\0")[1].decode()
        if mech == "LOGIN":
            return first.decode()
        if mech == "CRAM-MD5":
            return first.decode().rsplit(" ", 1)[0]
        if mech == "DIGEST-MD5":
            m = re.search(rb'username="([^"]*)"', first)
            return m.group(1).decode() if m else None
        if mech.startswith("SCRAM-"):
            m = re.search(rb"(?:^|,)n=([^,]*)", first)
            return m.group(1).decode().replace("=2C", ",").replace("=3D", "=") if m else None
        if mech == "XOAUTH2":
            m = re.search(rb"user=([^\x01]*)", first)
            return m.group(1).decode() if m else None
        if mech == "OAUTHBEARER":
            m = re.search(rb"(?:^|,)a=([^,\x01]*)", first)
            return m.group(1).decode() if m else None
        if mech == "NTLM":
            # the type 3 message: user name at offset 36 (len, maxlen, offset)
            for msg in map(b64, msgs):
                if msg[:8] == b"NTLMSSP\0" and msg[8:12] == b"\x03\0\0\0":
                    ln = int.from_bytes(msg[36:38], "little")
                    off = int.from_bytes(msg[40:44], "little")
                    dl = int.from_bytes(msg[28:30], "little")
                    doff = int.from_bytes(msg[32:36], "little")
                    user = msg[off:off + ln].decode("utf-16-le")
                    dom = msg[doff:doff + dl].decode("utf-16-le")
                    return f"{dom}\\{user}" if dom else user
    except (IndexError, UnicodeDecodeError):
        return None
    return None


# ------------------------------------------------------------- the expect

def code_of(reply):
    return int(reply[-1][:3]) if reply and reply[-1][:3].isdigit() else None


def enhanced_of(reply):
    if not reply:
        return None
    m = re.match(r"^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?: |$)", reply[-1])
    return m.group(1) if m else None


def addr_and_params(line, keyword):
    m = re.match(r"^\S+\s+" + keyword + r":\s*<([^>]*)>\s*(.*)$", line, re.I)
    if not m:
        return None, []
    return m.group(1), m.group(2).split()


def build_session(banner, units, server_sess, client_units, meta, implicit_tls):
    out = {
        "client": server_sess.client, "server": server_sess.server,
        "ip_version": 6 if ":" in (server_sess.server.get("ip") or "") else 4,
        "implicit_tls": implicit_tls,
        "banner": {"code": code_of(banner), "text": banner[-1][4:] if banner else None},
        "helo": [], "commands": [], "starttls": None, "tls": False,
        "tls_version": None, "tls_cipher": None, "auth": None,
        "auth_attempts": [], "transactions": [], "quit": False,
    }
    offered = False
    st = {"offered": False, "attempted": False, "reply_code": None}
    txn = None
    auth = None

    def close_txn(reason):
        nonlocal txn
        if txn is not None:
            txn["ended_by"] = reason
            out["transactions"].append(txn)
            txn = None

    for i, u in enumerate(units):
        cu = client_units[i] if client_units and i < len(client_units) else None
        code = code_of(u.reply)
        entry = {"kind": u.kind, "line": u.line, "reply_code": code,
                 "enhanced_status": enhanced_of(u.reply),
                 "reply": u.reply, "encrypted": u.encrypted}
        if cu is not None and cu.batch is not None:
            entry["batch"] = cu.batch
        verb = u.line.split(" ", 1)[0].upper() if u.kind == "command" else ""
        rest = u.line.split(" ", 1)[1] if " " in u.line else ""

        if u.kind == "command" and verb in ("HELO", "EHLO", "LHLO"):
            ext = [l[4:] for l in (u.reply or [])[1:]] if verb == "EHLO" and code == 250 else []
            out["helo"].append({"verb": verb, "domain": rest, "reply_code": code,
                                "extensions": ext, "encrypted": u.encrypted})
            if any(e.upper() == "STARTTLS" for e in ext) and not u.encrypted:
                offered = True
            close_txn("helo")
        elif u.kind == "command" and verb == "STARTTLS":
            st["attempted"], st["reply_code"] = True, code
        elif u.kind == "command" and verb == "AUTH":
            parts = rest.split(" ")
            auth = {"mechanism": parts[0].upper(), "initial_response": len(parts) > 1,
                    "_initial": parts[1] if len(parts) > 1 else None, "_responses": [],
                    "steps": 0, "encrypted": u.encrypted}
            out["auth_attempts"].append(auth)
            if len(parts) > 1 and parts[1] != "=":
                entry["line"] = f"AUTH {parts[0]} <redacted>"
        elif u.kind == "sasl_response":
            if auth is not None:
                auth["_responses"].append(u.line)
                auth["steps"] += 1
            if u.line not in ("", "*"):
                entry["line"] = "<redacted>"
        elif u.kind == "command" and verb == "MAIL":
            close_txn("mail")
            addr, params = addr_and_params(u.line, "FROM")
            txn = {"mail_from": addr, "mail_params": params, "mail_reply_code": code,
                   "mail_enhanced_status": enhanced_of(u.reply), "rcpt_to": [],
                   "method": None, "data_command_reply_code": None,
                   "data_reply_code": None, "data_enhanced_status": None,
                   "message_size": None, "bdat_chunks": [], "queue_id": None}
        elif u.kind == "command" and verb == "RCPT":
            addr, params = addr_and_params(u.line, "TO")
            if txn is None:
                entry["note"] = "RCPT outside a transaction"
            else:
                txn["rcpt_to"].append({"address": addr, "params": params, "reply_code": code,
                                       "enhanced_status": enhanced_of(u.reply)})
        elif u.kind == "command" and verb == "DATA" and txn is not None:
            txn["method"] = "data"
            txn["data_command_reply_code"] = code
        elif u.kind == "end_of_data" and txn is not None:
            size = u.body_size
            if size is None and cu is not None:
                size = cu.body_size
            txn["data_reply_code"], txn["data_enhanced_status"] = code, enhanced_of(u.reply)
            txn["message_size"] = size
            m = re.search(r"(?:queued as|OK id=) ?(\S+)", " ".join(u.reply or []))
            txn["queue_id"] = m.group(1) if m else None
            close_txn("end_of_data")
        elif u.kind == "command" and verb == "BDAT" and txn is not None:
            f = rest.split()
            txn["method"] = "bdat"
            size = int(f[0]) if f and f[0].isdigit() else None
            last = len(f) > 1 and f[1].upper() == "LAST"
            txn["bdat_chunks"].append({"size": size, "last": last, "reply_code": code})
            if last:
                txn["data_reply_code"], txn["data_enhanced_status"] = code, enhanced_of(u.reply)
                txn["message_size"] = sum(c["size"] or 0 for c in txn["bdat_chunks"])
                m = re.search(r"(?:queued as|OK id=) ?(\S+)", " ".join(u.reply or []))
                txn["queue_id"] = m.group(1) if m else None
                close_txn("bdat_last")
        elif u.kind == "command" and verb == "RSET":
            close_txn("rset")
        elif u.kind == "command" and verb == "QUIT":
            out["quit"] = True
        if auth is not None and u.kind in ("command", "sasl_response") and \
                (verb == "AUTH" or u.kind == "sasl_response") and code is not None and code != 334:
            auth["reply_code"] = code
            auth["success"] = code == 235
        out["commands"].append(entry)
    close_txn("session_end")

    st["offered"] = offered
    out["starttls"] = st
    out["tls"] = implicit_tls or (st["reply_code"] == 220 and server_sess.tls_info is not None) \
        or any(c["encrypted"] for c in out["commands"])
    if server_sess.tls_info:
        out["tls_version"] = server_sess.tls_info.get("version")
        out["tls_cipher"] = server_sess.tls_info.get("cipher")
    for a in out["auth_attempts"]:
        a["username"] = sasl_username(a["mechanism"], a.pop("_initial"), a.pop("_responses"))
        a.setdefault("success", False)
        a.setdefault("reply_code", None)
    if out["auth_attempts"]:
        a = out["auth_attempts"][-1]
        out["auth"] = {"mechanism": a["mechanism"], "username": a["username"],
                       "success": a["success"]}
    return out


def compare(server_units, client_units, allow_short_client):
    """The two replays must show the same lines with the same reply codes."""
    problems = []
    n = len(client_units)
    if n != len(server_units) and not (allow_short_client and n < len(server_units)):
        problems.append(f"server log has {len(server_units)} client lines, client log {n}")
    for i, (s, c) in enumerate(zip(server_units, client_units)):
        if i == len(server_units) - 1 and s.line.upper() == "QUIT" == c.line.upper() \
                and c.reply is None:
            continue   # the Postfix smtp client does not log the reply to QUIT
        if s.kind != c.kind or s.line != c.line or code_of(s.reply) != code_of(c.reply):
            problems.append(f"#{i}: server {s.kind} {s.line!r} -> {code_of(s.reply)}; "
                            f"client {c.kind} {c.line!r} -> {code_of(c.reply)}")
        elif s.body_size is not None and c.body_size is not None and s.body_size != c.body_size:
            problems.append(f"#{i}: body size server {s.body_size} client {c.body_size}")
    return problems


# ------------------------------------------------------- check with tshark

def tshark_streams(pcap):
    """{(client ip, client port, server ip, server port): client bytes} or None."""
    if not shutil.which("tshark"):
        return None
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.stream",
                          "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0",
                          "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                          "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"],
                         capture_output=True, text=True, check=True).stdout
    streams = {}
    for line in out.splitlines():
        f = line.split("\t")
        idx, src, sport, dst, dport = f[0], f[1] or f[2], f[3], f[4] or f[5], f[6]
        follow = subprocess.run(["tshark", "-r", pcap, "-q", "-z", f"follow,tcp,raw,{idx}"],
                                capture_output=True, text=True, check=True).stdout
        data = bytearray()
        started = False
        for fl in follow.splitlines():
            if fl.startswith("Node 1:"):
                started = True
                continue
            if not started or fl.startswith("=") or not fl.strip():
                continue
            if not fl.startswith("\t"):
                data += bytes.fromhex(fl.strip())
        streams[(src, int(sport), dst, int(dport))] = bytes(data)
    return streams


def check_against_pcap(sess, streams):
    key = (sess["client"]["ip"], sess["client"]["port"], sess["server"]["ip"], sess["server"]["port"])
    data = streams.get(key)
    if data is None:
        return [f"no TCP stream {key} in the capture"]
    problems, pos = [], 0
    for c in sess["commands"]:
        if c["encrypted"]:
            break
        if c["kind"] == "end_of_data":
            end = data.find(b"\r\n.\r\n", pos - 2)
            if end < 0:
                problems.append("no end-of-data in the client stream")
                break
            body = data[pos:end + 2]
            txn = next((t for t in sess["transactions"] if t["method"] == "data"
                        and t.get("_checked") is None), None)
            if txn is not None:
                txn["_checked"] = True
                if txn["message_size"] is not None and unstuffed_size(body) != txn["message_size"]:
                    problems.append(f"message size {txn['message_size']} but {unstuffed_size(body)} "
                                    "bytes on the wire")
            pos = end + 5
            continue
        if c["kind"] == "command" and c["line"].upper().startswith("BDAT "):
            want = c["line"].encode() + b"\r\n"
            at = data.find(want, pos)
            if at < 0:
                problems.append(f"{c['line']!r} not in the client stream")
                break
            pos = at + len(want) + int(c["line"].split()[1])
            continue
        want = c["line"].encode("utf-8") + b"\r\n"
        if "<redacted>" in c["line"]:
            want = c["line"].split("<redacted>")[0].encode()
        at = data.find(want, pos)
        if at < 0:
            problems.append(f"{c['line']!r} not found in order in the client stream")
            break
        pos = data.find(b"\r\n", at) + 2
    for t in sess["transactions"]:
        t.pop("_checked", None)
    return problems


# ------------------------------------------------------------------ main

SOFTWARE = {
    "swaks": "swaks {swaks}", "smtplib": "Python {python} smtplib",
    "msmtp": "msmtp {msmtp} (GNU SASL)", "curl": "curl {curl}",
    "exim": "Exim {exim} (unpacked exim4-daemon-light, as sending MTA)",
    "postfix": "Postfix {postfix} smtp client",
}


def versions(args):
    def first(cmd, rx):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True).stdout
        except OSError:
            return "?"
        m = re.search(rx, out)
        return m.group(1) if m else "?"
    return {"swaks": first(["swaks", "--version"], r"version (\S+)"),
            "python": first(["/usr/bin/python3", "--version"], r"Python (\S+)"),
            "msmtp": first(["msmtp", "--version"], r"msmtp version (\S+)"),
            "curl": first(["curl", "--version"], r"curl (\S+)"),
            "exim": args.exim_version, "postfix": args.postfix_version}


def filtered_postfix_log(text):
    keep = re.compile(r": ([<>] |connect from|disconnect from|NOQUEUE|[0-9A-F]{6,}: |warning:|"
                      r"\S+ TLS connection established|lost connection|timeout|improper|"
                      r"SSL_accept|fatal:|error:)")
    return "".join(l + "\n" for l in text.splitlines() if keep.search(l))


def process_case(cap_dir, name, args, vers, streams_ok):
    meta = json.load(open(os.path.join(cap_dir, name + ".meta.json")))
    clog = open(os.path.join(cap_dir, name + ".client.log"), encoding="utf-8", errors="replace").read()
    slog = open(os.path.join(cap_dir, name + ".server.log"), encoding="utf-8", errors="replace").read()
    ckind, skind = meta["client_kind"], meta["server_kind"]

    server_sessions = {"scripted": parse_scripted_server, "exim": parse_exim_server,
                       "postfix": parse_postfix_server}[skind](slog)
    if ckind == "postfix":
        # swaks submitted; Postfix's own smtp client made the second session
        client_sessions = parse_swaks(clog) + parse_postfix_client(slog)
    else:
        client_sessions = CLIENT_PARSERS[ckind](clog)

    problems, sessions = [], []
    for ss in server_sessions:
        implicit = _tls_before_banner(ss)
        banner, units, unsol = replay(ss, body_lines_logged=(skind == "scripted"))
        # match the client's view of this session
        cs = None
        for cand in client_sessions:
            sp = cand.server.get("port")
            cp = cand.client.get("port")
            if sp in (None, ss.server["port"]) and cp in (None, ss.client["port"]):
                cs = cand
                break
        cunits = None
        if cs is not None:
            client_sessions.remove(cs)
            cimplicit = implicit
            cs.tls_info = cs.tls_info or (ss.tls_info if cimplicit else None)
            if cimplicit and not any(k == "TLS" for k, _ in cs.events):
                cs.events.insert(0, ("TLS", None))
            cbanner, cunits, _ = replay(cs, body_lines_logged=True)
            problems += [f"{name}: {p}" for p in
                         compare(units, cunits, allow_short_client=(ckind == "curl"))]
            if cbanner and banner and code_of(cbanner) != code_of(banner):
                problems.append(f"{name}: banner differs")
        else:
            problems.append(f"{name}: no client-log session for {ss.client} -> {ss.server}")
        if unsol:
            problems.append(f"{name}: replies without a command: {unsol}")
        sess = build_session(banner, units, ss, cunits, meta, implicit)
        sess["sources"] = {
            "dialogue": {"scripted": "scripted server log", "exim": "Exim -d+receive debug log",
                         "postfix": "Postfix smtpd debug log"}[skind],
            "cross_checked_with": {"swaks": "swaks transcript", "smtplib": "smtplib debug output",
                                   "msmtp": "msmtp --debug transcript", "curl": "curl -v transcript",
                                   "exim": "Exim -d+transport debug output",
                                   "postfix": "swaks transcript / Postfix smtp client debug log"}[ckind]
            if cs is not None else None,
        }
        for t in sess["transactions"]:
            if t["method"] == "data" and t["message_size"] is None:
                t["message_size_note"] = "not in any log (body not logged by this client)"
        sessions.append(sess)
    for left in client_sessions:
        problems.append(f"{name}: client-log session {left.client} -> {left.server} not seen by the server")

    if streams_ok is not None:
        streams = tshark_streams(os.path.join(cap_dir, name + ".pcap"))
        if streams is not None:
            for sess in sessions:
                if not sess["implicit_tls"]:
                    problems += [f"{name}: pcap: {p}" for p in check_against_pcap(sess, streams)]

    expect = {
        "format": FORMAT_VERSION,
        "capture": name + ".pcap",
        "description": meta["description"],
        "client_software": SOFTWARE[ckind].format(**vers),
        "server_software": {"scripted": "SCRIPTED server tools/sasl_server.py (not a real MTA)",
                            "exim": f"Exim {vers['exim']} (real, unpacked exim4-daemon-light)",
                            "postfix": f"Postfix {vers['postfix']} (real)"}[skind],
        "server_scripted": skind == "scripted",
        "bpf": meta["bpf"],
        "client_exit_code": meta["client_exit_code"],
        "tls_key_log": (f"logs/{name}.keys" if os.path.exists(os.path.join(cap_dir, name + ".keys"))
                        else None),
        "logs": {"client": f"logs/{name}.client.log", "server": f"logs/{name}.server.log"},
        "sessions": sessions,
    }
    if len(sessions) != meta["sessions_expected"]:
        problems.append(f"{name}: {len(sessions)} sessions in the server log, "
                        f"{meta['sessions_expected']} expected")
    return expect, clog, slog, skind, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--logs", required=True)
    ap.add_argument("--postfix-version", required=True)
    ap.add_argument("--exim-version", required=True)
    args = ap.parse_args()
    cap_dir = os.path.join(args.work, "cap")
    vers = versions(args)
    names = sorted(f[:-len(".meta.json")] for f in os.listdir(cap_dir) if f.endswith(".meta.json"))
    all_problems = []
    for name in names:
        expect, clog, slog, skind, problems = process_case(cap_dir, name, args, vers, True)
        all_problems += problems
        shutil.copyfile(os.path.join(cap_dir, name + ".pcap"), os.path.join(args.out, name + ".pcap"))
        with open(os.path.join(args.out, name + ".expect.json"), "w", encoding="utf-8") as f:
            json.dump(expect, f, indent=1, ensure_ascii=False)
            f.write("\n")
        with open(os.path.join(args.logs, name + ".client.log"), "w", encoding="utf-8") as f:
            if expect["client_software"].startswith("Exim"):
                clog = "".join(l + "\n" for l in clog.splitlines()
                               if re.match(r"^(  SMTP|Exim version| {9}\d{3}|LOG:|  [<=>*]=? )", l))
            f.write(clog)
        with open(os.path.join(args.logs, name + ".server.log"), "w", encoding="utf-8") as f:
            if skind == "postfix":
                slog = filtered_postfix_log(slog)
            elif skind == "exim":
                slog = "".join(l + "\n" for l in slog.splitlines()
                               if re.match(r"^ *\d+ (SMTP|  SMTP| {6,}\d{3})", l))
            f.write(slog)
        keys = os.path.join(cap_dir, name + ".keys")
        if os.path.exists(keys):
            shutil.copyfile(keys, os.path.join(args.logs, name + ".keys"))
        print(f"  {name}: {len(expect['sessions'])} session(s)"
              + (f", {len(problems)} PROBLEM(S)" if problems else ", logs agree"), file=sys.stderr)
    if all_problems:
        print("make_expect.py: the logs disagree:", file=sys.stderr)
        for p in all_problems:
            print("  " + p, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
