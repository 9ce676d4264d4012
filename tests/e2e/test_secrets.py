"""Passwords, tokens and SASL responses never leave the process.

For every corpus capture whose truth lists AUTH exchanges, the records
(with --transcript, the most verbose output) and `smtpscope show` must not
contain the password, nor any SASL message as it crossed the wire, nor its
decoded form. User names are written unless --no-auth-user.
"""
import base64
import json
import subprocess

import pytest

from conftest import corpus_dir, ports_arg, run_read, smtpscope_bin


def auth_cases():
    base = corpus_dir() / "generated"
    out = []
    if base.is_dir():
        for t in sorted(base.glob("*.truth.json")):
            truth = json.loads(t.read_text())
            if any(s.get("auth") for s in truth["sessions"]):
                out.append(t)
    return out or [pytest.param(None, marks=pytest.mark.skip(reason="corpus absent"))]


def secrets_of(truth):
    found = set()
    for a in truth.get("auth_observed") or []:
        if a.get("password_on_wire"):
            found.add(a["password_on_wire"])
    for s in truth["sessions"]:
        for a in s.get("auth") or []:
            if a.get("password"):
                found.add(a["password"])
            for x in a.get("exchanges") or []:
                raw, dec = x.get("raw") or "", x.get("decoded") or ""
                # A message that only carries the user name is no secret.
                user = a.get("username") or ""
                if raw and base64.b64decode(raw + "==", validate=False) != user.encode():
                    if len(raw) >= 8:
                        found.add(raw)
                if dec and dec != user and len(dec) >= 8 and "\x00" in dec:
                    found.add(dec.split("\x00")[-1])
    return {x for x in found if len(x) >= 6}


@pytest.mark.parametrize("truth", auth_cases(), ids=lambda p: getattr(p, "stem", "none"))
def test_no_secret_in_any_output(truth, tmp_path):
    t = json.loads(truth.read_text())
    pcap = truth.with_name(truth.name[:-len(".truth.json")] + ".pcap")
    ports = ports_arg(pcap.relative_to(corpus_dir()).as_posix())
    run = run_read(pcap, "--transcript", "--smtp-ports", ports, tmp_path=tmp_path)
    assert run.rc == 0, run.stderr
    shown = subprocess.run([str(smtpscope_bin()), "show", "--smtp-ports", ports, str(pcap)],
                           capture_output=True, timeout=60)
    assert shown.returncode == 0
    outputs = run.proc.stdout.decode("utf-8", "replace") + shown.stdout.decode("utf-8", "replace")
    # Our own vocabulary holds words a weak password may be ("password",
    # "secret"): take it out before looking.
    for word in ("cleartext_password", "challenge_response", "bearer_token", '"secrets"'):
        outputs = outputs.replace(word, "")
    secrets = secrets_of(t)
    leaked = [x for x in secrets if x in outputs]
    assert not leaked, f"secrets in the output: {leaked}"
    users = {a["username"] for a in t.get("auth_observed") or []
             if a.get("username") and not a.get("encrypted")}
    if users:
        assert any(u in run.proc.stdout.decode() for u in users)
        hidden = run_read(pcap, "--no-auth-user", "--smtp-ports", ports, tmp_path=tmp_path)
        for s in hidden.sessions():
            assert "username" not in s["smtp"].get("auth", {})
