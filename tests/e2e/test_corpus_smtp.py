"""The SMTP dialogue of every corpus capture, against three references.

1. generated/*.truth.json (real mail software, pairings checked against
   the servers' logs): helo, every plaintext command with its reply code,
   mail_from, rcpt_to with codes, the data reply, message size, AUTH
   mechanism / user name / attempts, and the TLS flag must match exactly.
2. Zeek smtp.log baselines: helo, mailfrom, rcptto and tls per message.
3. Suricata eve checks (test.yaml): smtp.helo, smtp.mail_from and
   smtp.rcpt_to[i] of the smtp events they count, the smtp.* keys they say
   an event has or lacks, and the count itself, exactly.

Where a reference reads the dialogue differently, KNOWN says why, and the
test checks the difference is exactly that.
"""
import json
import re

import pytest

from conftest import corpus_dir, ports_arg, run_read


def truth_params():
    base = corpus_dir() / "generated"
    files = sorted(base.glob("*.truth.json")) if base.is_dir() else []
    return files or [pytest.param(None, marks=pytest.mark.skip(
        reason=f"corpus not found at {corpus_dir()} (set SMTPSCOPE_CORPUS)"))]


def read_capture(path, tmp_path):
    run = run_read(path, "--transcript", "--smtp-ports",
                   ports_arg(path.relative_to(corpus_dir()).as_posix()), tmp_path=tmp_path)
    assert run.rc == 0, run.stderr
    return run.sessions(), run.transactions()


def strip_brackets(a):
    a = (a or "").strip()
    if a.startswith("<") and a.endswith(">"):
        a = a[1:-1]
    return a


def dialogue(session):
    """(commands as sent, final reply codes) of a session's transcript; SASL
    lines and 334 continuations are left out: the truth folds them into
    their AUTH command."""
    cmds, codes = [], []
    for e in session["smtp"].get("transcript", []):
        if e["kind"] == "command" and not e["text"].startswith("[") and e["text"] != "*":
            cmds.append(e["text"])
        elif e["kind"] == "reply" and len(e["text"]) >= 4 and e["text"][3] == " ":
            code = int(e["text"][:3])
            if code != 334:
                codes.append(code)
    return cmds, codes


def truth_dialogue(st):
    """The truth's plaintext commands and final reply codes, with SASL
    continuation lines folded into their AUTH (as smtpscope reports them)
    and the greeting when it was in clear."""
    cmds, codes = [], []
    implicit = (st.get("tls") or {}).get("mode") == "implicit"
    if st.get("banner") and not implicit:
        codes.append(st["banner"]["code"])
    in_auth = False
    for c in st["commands"]:
        if c.get("encrypted") or c.get("data_content"):
            if c.get("data_content") and c.get("reply") and not c.get("encrypted"):
                codes.append(c["reply"]["code"])
            continue
        code = (c.get("reply") or {}).get("code")
        if in_auth:
            in_auth = code == 334
            if code is not None and code != 334:
                codes.append(code)
            continue
        cmds.append(c["line"])
        if c["line"].upper().startswith("AUTH") and code == 334:
            in_auth = True
            continue
        if code is not None:
            codes.append(code)
    return cmds, codes


def same_line(mine, theirs):
    """The truth shortens very long lines to "...[N bytes total]"."""
    m = re.match(r"^(.*)\.\.\.\[\d+ bytes total\]$", theirs)
    if m:
        return mine.startswith(m.group(1)[:1000])
    return re.sub(r"^(AUTH \S+) \[\d+ bytes redacted\]$", r"\1", mine) == \
        re.sub(r"^(AUTH \S+) \S+$", r"\1", theirs)


# Captures where the truth counts what a lax server did, not what RFC 5321
# says: the server honoured a lenient end of data and ran the smuggled
# commands. smtpscope's strict view keeps one transaction; the smuggled
# envelope is on its eod_candidates[].smuggled and the server's extra
# replies are the session's unmatched_reply_codes.
SMUGGLED = {
    "smuggling_lf_dot_crlf_postfix_bare_lf_allowed",
    "smuggling_lf_dot_lf_postfix_bare_lf_allowed",
}
# The truth's replay drops a dot that follows a bare LF as if a line began
# there; in the strict view a bare LF ends no line, so the dot is message
# content: smtpscope's size is one byte more.
DOT_AFTER_BARE_LF = {
    "smuggling_lf_dot_crlf_exim",
    "smuggling_lf_dot_lf_postfix_reject",
}
# The truth takes text at a fixed offset from a malformed path ("MAIL
# TO:<x@y>" gives "@y>"); smtpscope reports a path it cannot find as
# absent (anomaly path_syntax_invalid).
MALFORMED_PATHS = {"misuse_unknown_command_flood_raw"}


def check_smuggled(name, t, s, txns):
    [x] = txns
    [first, second] = [e for e in t["envelopes"]]
    cands = [c for c in x["smtp"]["eod_candidates"] if c["commands_follow"]]
    assert cands, f"{name}: no lenient candidate with commands after it"
    sm = cands[0]["smuggled"]
    assert sm["mail_from"] == second["mail_from"]
    assert sm["rcpt_to"] == second["rcpt_accepted"] + second["rcpt_rejected"]
    assert sm["data"] is True
    # The lax server's first message ended at the candidate.
    ts = t["sessions"][0]["transactions"]
    assert cands[0]["offset"] == ts[0]["message"]["size_bytes"]
    assert x["smtp"]["mail_from"] == first["mail_from"]
    assert s["smtp"]["unmatched_reply_codes"][-1] == second["data_reply"]


@pytest.mark.parametrize("truth", truth_params(), ids=lambda p: getattr(p, "stem", "none"))
def test_dialogue_matches_truth(truth, tmp_path):
    name = truth.name[:-len(".truth.json")]
    t = json.loads(truth.read_text())
    sessions, txns = read_capture(truth.with_name(name + ".pcap"), tmp_path)
    assert len(sessions) == len(t["sessions"])
    problems = []
    for st in t["sessions"]:
        found = [s for s in sessions
                 if (s["source"]["ip"], s["source"]["port"]) == (st["client"]["ip"], st["client"]["port"])
                 and s["destination"]["port"] == st["server"]["port"]]
        assert len(found) == 1, f"{name}: session {st['client']} not found once"
        s = found[0]
        sm = s["smtp"]
        mine = [x for x in txns if x["smtp"]["session_id"] == sm["session_id"]]
        tls = bool((st.get("tls") or {}).get("used"))
        if sm["tls"] != tls:
            problems.append(f"tls {sm['tls']} != {tls}")
        clear_ehlo = [e for e in st.get("ehlo") or [] if not e.get("encrypted")]
        if clear_ehlo and sm.get("helo") != clear_ehlo[0]["domain"]:
            problems.append(f"helo {sm.get('helo')!r} != {clear_ehlo[0]['domain']!r}")
        auth = [a for a in st.get("auth") or [] if not a.get("encrypted")]
        if auth:
            a, got = auth[-1], sm.get("auth", {})
            if got.get("mechanism") != a.get("mechanism"):
                problems.append(f"auth mechanism {got.get('mechanism')} != {a.get('mechanism')}")
            if got.get("username") != a.get("username"):
                problems.append(f"auth user {got.get('username')!r} != {a.get('username')!r}")
            if got.get("attempts") != len(auth):
                problems.append(f"auth attempts {got.get('attempts')} != {len(auth)}")
            if got.get("result") != ("success" if a.get("success") else "failure"):
                problems.append(f"auth result {got.get('result')} != {a.get('success')}")
        if name in SMUGGLED:
            check_smuggled(name, t, s, mine)
            continue
        cmds, codes = dialogue(s)
        want_cmds, want_codes = truth_dialogue(st)
        if len(cmds) != len(want_cmds) or not all(same_line(a, b) for a, b in zip(cmds, want_cmds)):
            problems.append(f"commands {cmds} != {want_cmds}")
        if codes != want_codes:
            problems.append(f"reply codes {codes} != {want_codes}")
        want_txns = [x for x in st.get("transactions") or [] if not x.get("encrypted")]
        if len(mine) != len(want_txns):
            problems.append(f"{len(mine)} transactions != {len(want_txns)}")
            continue
        for x, y in zip(mine, want_txns):
            xs = x["smtp"]
            if name not in MALFORMED_PATHS:
                if xs.get("mail_from") != y["mail_from"]:
                    problems.append(f"mail_from {xs.get('mail_from')!r} != {y['mail_from']!r}")
                if [r["address"] for r in xs["rcpt_to"]] != [r["address"] for r in y["rcpt_to"]]:
                    problems.append(f"rcpt_to {xs['rcpt_to']} != {y['rcpt_to']}")
            if [r.get("code") for r in xs["rcpt_to"]] != [r["reply"] for r in y["rcpt_to"]]:
                problems.append(f"rcpt codes {xs['rcpt_to']} != {y['rcpt_to']}")
            if (xs.get("data_reply") or {}).get("code") != y.get("data_reply"):
                problems.append(f"data reply {xs.get('data_reply')} != {y.get('data_reply')}")
            if y.get("message"):
                size = y["message"]["size_bytes"] + (1 if name in DOT_AFTER_BARE_LF else 0)
                if xs["message_bytes"] != size:
                    problems.append(f"message bytes {xs['message_bytes']} != {size}")
    assert not problems, f"{name}: " + "; ".join(problems)


# ---- Zeek smtp.log -----------------------------------------------------------

def zeek_logs():
    base = corpus_dir() / "public" / "zeek"
    logs = sorted(base.glob("*/expect/testing/btest/Baseline/*/smtp.log")) if base.is_dir() else []
    return logs or [pytest.param(None, marks=pytest.mark.skip(reason="corpus absent"))]


def parse_zeek(path):
    fields, rows = None, []
    for line in path.read_text().splitlines():
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif not line.startswith("#") and fields:
            rows.append(dict(zip(fields, line.split("\t"))))
    return rows


# What Zeek reports differently: why, and exactly the problems that
# difference gives.
ZEEK_KNOWN = {
    "http_connect-with-smtp": (
        "SMTP inside an HTTP CONNECT tunnel: smtpscope does not decode tunnels yet",
        ["no session ('79.26.245.236', 3378, 8240)"]),
}


@pytest.mark.parametrize("log", zeek_logs(), ids=lambda p: getattr(p, "parent", p).name
                         if hasattr(p, "parent") else "none")
def test_agrees_with_zeek(log, tmp_path):
    case = log.parents[5]
    pcap = next(p for p in case.iterdir() if p.name.endswith((".pcap", ".pcapng", ".pcap.gz")))
    sessions, txns = read_capture(pcap, tmp_path)
    rows = parse_zeek(log)
    problems = []
    seen = {}
    for row in rows:
        key = (row["id.orig_h"], int(row["id.orig_p"]), int(row["id.resp_p"]))
        ss = [s for s in sessions
              if (s["source"]["ip"], s["source"]["port"], s["destination"]["port"]) == key]
        if not ss:
            problems.append(f"no session {key}")
            continue
        s = ss[0]["smtp"]
        if row["helo"] != "-" and s.get("helo") != row["helo"]:
            problems.append(f"helo {s.get('helo')!r} != {row['helo']!r}")
        # Records come out as transactions end, which need not be the order
        # they began in (a transaction still waiting for its reply ends
        # later). Zeek counts trans_depth by messages, not transactions:
        # pair its rows with smtpscope's transactions in order instead.
        tl = sorted((x for x in txns if x["smtp"]["session_id"] == s["session_id"]),
                    key=lambda x: x["smtp"]["trans_depth"])
        depth = seen.get(key, 0) + 1
        seen[key] = depth
        x = tl[depth - 1] if depth <= len(tl) else None
        if row["mailfrom"] != "-":
            if x is None or strip_brackets(x["smtp"].get("mail_from")) != strip_brackets(row["mailfrom"]):
                problems.append(f"mailfrom of #{depth}: {x and x['smtp'].get('mail_from')!r} "
                                f"!= {row['mailfrom']!r}")
        if row["rcptto"] not in ("-", "(empty)"):
            want = {strip_brackets(r) for r in row["rcptto"].split(",")}
            got = {strip_brackets(r["address"]) for r in (x["smtp"]["rcpt_to"] if x else [])}
            if got != want:
                problems.append(f"rcptto of #{depth}: {got} != {want}")
        if row["tls"] in ("T", "F") and s["tls"] != (row["tls"] == "T"):
            problems.append(f"tls {s['tls']} != {row['tls']}")
    name = case.name
    if name in ZEEK_KNOWN:
        why, known = ZEEK_KNOWN[name]
        assert problems == known, f"{name}: {why}; found instead: {problems}"
        return
    assert not problems, f"{name}: " + "; ".join(problems)


# ---- Suricata eve checks -------------------------------------------------------

def suricata_checks():
    base = corpus_dir() / "public" / "suricata-verify"
    out = []
    if base.is_dir():
        for yml in sorted(base.glob("*/expect/tests/**/test.yaml")):
            text = yml.read_text()
            if re.search(r"smtp\.(helo|mail_from|rcpt_to)", text):
                out.append(yml)
    return out or [pytest.param(None, marks=pytest.mark.skip(reason="corpus absent"))]


def key_list(v):
    """The keys of a has-key / not-has-key value: one key or a [list]."""
    v = v.strip()
    if v.startswith("["):
        return [k.strip().strip('"') for k in v[1:-1].split(",") if k.strip()]
    return [v.strip('"')]


# Keys judged here: as match values, and (with the whole rcpt_to list)
# as keys an event must have or lack.
MATCH_KEY = re.compile(r"^(smtp\.helo|smtp\.mail_from|smtp\.rcpt_to\[\d+\])$")
SMTP_KEY = re.compile(r"^(smtp\.helo|smtp\.mail_from|smtp\.rcpt_to(\[\d+\])?)$")


def yaml_filters(text):
    """The filter blocks of a suricata-verify test.yaml: count, the match
    lines and the keys an event must have or lack (a tiny reader for this
    one layout: any other "- name:" entry of the checks ends a filter)."""
    blocks, cur = [], None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("- filter:"):
            cur = {"count": None, "match": {}, "has": [], "lacks": []}
            blocks.append(cur)
        elif re.match(r"^- [\w-]+:", s):
            cur = None
        elif cur is not None and s.startswith("count:"):
            cur["count"] = int(s.split(":", 1)[1].split("#")[0])
        elif cur is not None and s.startswith("match:"):
            cur["in_match"] = True
        elif cur is not None and cur.get("in_match") and re.match(r"^[\w.\[\]-]+:", s):
            k, v = s.split(":", 1)
            if k in ("has-key", "not-has-key"):
                cur["has" if k == "has-key" else "lacks"] += key_list(v)
            else:
                cur["match"][k] = v.strip().strip('"')
    # Judged here: helo, mail_from and rcpt_to of smtp events. Other keys
    # (MIME, files, alerts, tx_id) are other components' business: a
    # filter that says such an event exists is judged on its smtp keys
    # alone; one that says none exists only when it has no other keys.
    out = []
    for b in blocks:
        m = b["match"]
        if m.get("event_type") != "smtp":
            continue
        ours = {k: v for k, v in m.items() if k == "event_type" or MATCH_KEY.match(k)}
        has = [k for k in b["has"] if SMTP_KEY.match(k)]
        lacks = [k for k in b["lacks"] if SMTP_KEY.match(k)]
        others = len(m) - len(ours) + len(b["has"]) - len(has) + len(b["lacks"]) - len(lacks)
        if len(ours) < 2 or (b["count"] == 0 and others):
            continue
        out.append({"count": b["count"], "match": ours, "has": has, "lacks": lacks})
    return out


def smtp_field(x, helo_of, key):
    """The value of a Suricata smtp.* key in a transaction record, or None."""
    sm = x["smtp"]
    if key == "smtp.helo":
        return helo_of.get(sm["session_id"])
    if key == "smtp.mail_from":
        return sm.get("mail_from")
    if key == "smtp.rcpt_to":
        return [r["address"] for r in sm["rcpt_to"]] or None
    i = int(re.match(r"smtp\.rcpt_to\[(\d+)\]", key).group(1))
    return sm["rcpt_to"][i]["address"] if i < len(sm["rcpt_to"]) else None


# Suricata runs where it is not a passive observer: what it logs differs
# from what was on the wire, and the test checks the difference is exactly
# this list of problems.
SURICATA_KNOWN = {
    "ruletype-firewall-136-smtp-multi-mail-blocked-sender": (
        "Suricata, inline (--simulate-ips), blocks the flow from message 2's "
        "DATA on, so it logs message 1 only; smtpscope reads all three",
        ["2 transactions with {'event_type': 'smtp', 'smtp.mail_from': "
         "'<alice@example.com>', 'smtp.rcpt_to[0]': '<bob@example.com>'}, "
         "Suricata counts 1",
         "1 transactions with {'event_type': 'smtp', 'smtp.mail_from': "
         "'<bob@example.com>'}, Suricata counts 0"]),
}


@pytest.mark.parametrize("yml", suricata_checks(),
                         ids=lambda p: getattr(p, "parent", p).name if hasattr(p, "parent") else "none")
def test_agrees_with_suricata(yml, tmp_path):
    case = next(p for p in yml.parents if p.parent.name == "suricata-verify")
    pcap = next(p for p in case.iterdir() if p.name.endswith((".pcap", ".pcapng")))
    sessions, txns = read_capture(pcap, tmp_path)
    helo_of = {s["smtp"]["session_id"]: s["smtp"].get("helo") for s in sessions}
    problems = []
    filters = yaml_filters(yml.read_text())
    if not filters:
        pytest.skip("its smtp checks all involve fields of other components "
                    "(MIME, files, alerts)")
    for f in filters:
        m = f["match"]

        def fits(x):
            for k, v in m.items():
                have = smtp_field(x, helo_of, k) if k != "event_type" else v
                if have != v and (k == "smtp.helo" or strip_brackets(have) != strip_brackets(v)):
                    return False
            return (all(smtp_field(x, helo_of, k) is not None for k in f["has"])
                    and all(smtp_field(x, helo_of, k) is None for k in f["lacks"]))
        if set(m) == {"event_type", "smtp.helo"}:
            # Suricata logs an smtp event for a session without a mail
            # transaction too: judge helo on sessions.
            n = sum(1 for h in helo_of.values() if h == m["smtp.helo"])
        else:
            n = sum(1 for x in txns if fits(x))
        if f["count"] is None:
            # A filter without a count asks for at least one event.
            if n == 0:
                problems.append(f"no transaction with {m}")
        elif n != f["count"]:
            problems.append(f"{n} transactions with {m}, Suricata counts {f['count']}")
    name = yml.parent.name
    if name in SURICATA_KNOWN:
        why, known = SURICATA_KNOWN[name]
        assert problems == known, f"{case.name} ({name}): {why}; found instead: {problems}"
        return
    assert not problems, f"{case.name} ({name}): " + "; ".join(problems)
