"""Captures of real mail software (tests/captures, made by its own script):
every command family, checked against what the client's and the server's
own logs say (NAME.expect.json). Everything in clear must match exactly;
what went inside TLS must not be claimed."""
import json

import pytest

from conftest import DEFAULT_PORTS, ROOT, run_read

CAPTURES = ROOT / "tests" / "captures"


def cases():
    files = sorted(CAPTURES.glob("*.expect.json"))
    return files or [pytest.param(None, marks=pytest.mark.skip(reason="no captures"))]


def params_text(params):
    return [p["name"] + ("=" + p["value"] if "value" in p else "") for p in params]


def replies(session):
    """Final reply lines of the transcript, grouped: [(code, [lines])]."""
    out, cur = [], []
    for e in session["smtp"].get("transcript", []):
        if e["kind"] != "reply":
            continue
        cur.append(e["text"])
        if len(e["text"]) < 4 or e["text"][3] == " ":
            out.append((int(e["text"][:3]), cur))
            cur = []
    return out


@pytest.mark.parametrize("expect", cases(), ids=lambda p: getattr(p, "name", "none")[:-12])
def test_capture_matches_its_logs(expect, tmp_path):
    exp = json.loads(expect.read_text())
    pcap = CAPTURES / exp["capture"]
    ports = sorted({s["server"]["port"] for s in exp["sessions"]} | DEFAULT_PORTS)
    run = run_read(pcap, "--transcript", "--smtp-ports", ",".join(map(str, ports)),
                   tmp_path=tmp_path)
    assert run.rc == 0, run.stderr
    sessions = run.sessions()
    txns = run.transactions()
    assert len(sessions) == len(exp["sessions"])
    problems = []
    for es in exp["sessions"]:
        mine = [s for s in sessions
                if (s["source"]["ip"], s["source"]["port"]) == (es["client"]["ip"], es["client"]["port"])
                and (s["destination"]["ip"], s["destination"]["port"]) == (es["server"]["ip"], es["server"]["port"])]
        assert len(mine) == 1, f"session {es['client']} -> {es['server']} not found once"
        s = mine[0]
        sm = s["smtp"]
        where = f"{es['client']['port']}->{es['server']['port']}"
        if sm["tls"] != es["tls"]:
            problems.append(f"{where}: tls {sm['tls']} != {es['tls']}")
        if es["implicit_tls"]:
            # Nothing of the dialogue is visible: nothing may be claimed.
            if sm.get("banner") or sm.get("helo") or sm["command_count"]:
                problems.append(f"{where}: dialogue claimed inside implicit TLS")
            if sm.get("tls_mode") != "implicit":
                problems.append(f"{where}: tls_mode {sm.get('tls_mode')}")
            continue
        if (sm.get("banner_code"), sm.get("banner")) != (es["banner"]["code"], es["banner"]["text"]):
            problems.append(f"{where}: banner {sm.get('banner_code')} {sm.get('banner')!r}")
        clear_helo = [h for h in es["helo"] if not h["encrypted"]]
        if clear_helo:
            h = clear_helo[0]
            if (sm.get("helo_verb"), sm.get("helo")) != (h["verb"], h["domain"]):
                problems.append(f"{where}: helo {sm.get('helo_verb')} {sm.get('helo')!r}")
            last_ehlo = [x for x in clear_helo if x["verb"] == "EHLO" and x["reply_code"] == 250]
            if last_ehlo and sm["capabilities"] != last_ehlo[-1]["extensions"]:
                problems.append(f"{where}: capabilities {sm['capabilities']}")
        st = es["starttls"]
        if (sm["starttls"]["offered"], sm["starttls"]["attempted"]) != (st["offered"], st["attempted"]):
            problems.append(f"{where}: starttls {sm['starttls']} != {st}")
        if st["attempted"] and sm["starttls"].get("reply_code") != st["reply_code"]:
            problems.append(f"{where}: starttls code {sm['starttls'].get('reply_code')}")
        # Commands in clear, in order, and the final reply to each.
        clear = [c for c in es["commands"] if not c["encrypted"]]
        want_lines = [c["line"] for c in clear if c["kind"] == "command"]
        got_lines = [e["text"] for e in sm.get("transcript", [])
                     if e["kind"] == "command" and not e["text"].startswith("[")]
        norm = [ln.split(" [")[0] if ln.upper().startswith("AUTH ") else ln for ln in got_lines]
        want_norm = [ln.replace(" <redacted>", "") for ln in want_lines]
        if norm != want_norm:
            problems.append(f"{where}: commands {got_lines} != {want_lines}")
        want_codes = [es["banner"]["code"]] + [c["reply_code"] for c in clear
                                               if c["reply_code"] is not None]
        got = replies(s)
        if [c for c, _ in got] != want_codes:
            problems.append(f"{where}: reply codes {[c for c, _ in got]} != {want_codes}")
        if sm["command_count"] != len(want_lines):
            problems.append(f"{where}: command_count {sm['command_count']} != {len(want_lines)}")
        # AUTH in clear: mechanism, user, outcome.
        clear_auth = [a for a in es["auth_attempts"] if not a["encrypted"]]
        if clear_auth:
            a, got_a = clear_auth[-1], sm.get("auth") or {}
            if got_a.get("mechanism") != a["mechanism"]:
                problems.append(f"{where}: auth mechanism {got_a.get('mechanism')} != {a['mechanism']}")
            if got_a.get("username") != a["username"]:
                problems.append(f"{where}: auth user {got_a.get('username')!r} != {a['username']!r}")
            if got_a.get("result") != ("success" if a["success"] else "failure"):
                problems.append(f"{where}: auth result {got_a.get('result')} vs {a['success']}")
            if got_a.get("attempts") != len(clear_auth):
                problems.append(f"{where}: auth attempts {got_a.get('attempts')}")
        elif sm.get("auth"):
            problems.append(f"{where}: AUTH claimed where none was in clear")
        # Transactions in clear.
        tx_want = [t for t in es["transactions"] if not t.get("encrypted")]
        tx_got = [t for t in txns if t["smtp"]["session_id"] == sm["session_id"]]
        if es["tls"] and not es["implicit_tls"]:
            tx_want = [t for t in tx_want if t["mail_reply_code"] is not None and
                       any(c["line"].startswith("MAIL") and not c["encrypted"]
                           for c in es["commands"])]
        if len(tx_got) != len(tx_want):
            problems.append(f"{where}: {len(tx_got)} transactions != {len(tx_want)}")
            continue
        for x, y in zip(tx_got, tx_want):
            xs = x["smtp"]
            checks = [
                ("mail_from", xs.get("mail_from"), y["mail_from"]),
                ("mail_params", params_text(xs["mail_params"]), y["mail_params"]),
                ("mail_code", xs.get("mail_code"), y["mail_reply_code"]),
                ("rcpt", [(r["address"], r.get("code"), r.get("enhanced_status"))
                          for r in xs["rcpt_to"]],
                 [(r["address"], r["reply_code"], r["enhanced_status"]) for r in y["rcpt_to"]]),
                ("rcpt params", [params_text(r.get("params", [])) for r in xs["rcpt_to"]],
                 [r["params"] for r in y["rcpt_to"]]),
                ("data mode", xs["data_mode"], y["method"] or "none"),
                ("data command", xs.get("data_command_code"), y["data_command_reply_code"]),
                ("data reply", (xs.get("data_reply") or {}).get("code"), y["data_reply_code"]),
                ("data enhanced", (xs.get("data_reply") or {}).get("enhanced_status"),
                 y["data_enhanced_status"]),
            ]
            if y["message_size"] is not None:
                checks.append(("message bytes", xs["message_bytes"], y["message_size"]))
            if y["method"] == "bdat":
                checks.append(("bdat chunks", xs.get("bdat_chunks"), len(y["bdat_chunks"])))
            for what, a, b in checks:
                if a != b:
                    problems.append(f"{where}: {what} {a!r} != {b!r}")
        # A QUIT inside TLS is not seen, so quit is judged in clear only.
        if not es["tls"] and sm["quit"] != es["quit"]:
            problems.append(f"{where}: quit {sm['quit']}")
    assert not problems, f"{expect.name}: " + "; ".join(problems)
