#!/usr/bin/python3
"""A SCRIPTED ESMTP server for the AUTH mechanisms that no Debian server
package offers: XOAUTH2 (Google's profile) and OAUTHBEARER (RFC 7628).

It is NOT a real MTA: it exists so that a real client (curl) can be captured
sending those mechanisms. Each listener advertises its own list (curl 7.88 picks OAUTHBEARER whenever
it is offered, whatever --login-options says, so XOAUTH2 has a listener that
offers only XOAUTH2). It follows the message order of the specifications:

  XOAUTH2     C: AUTH XOAUTH2 [ir]   S: 334 (empty, when no initial response)
              C: base64("user=U^Aauth=Bearer T^A^A")
              S: 235 2.7.0 on success; on failure S: 334 base64(JSON error),
              C: empty line, S: 535 5.7.8
  OAUTHBEARER C: AUTH OAUTHBEARER [ir]   S: 334 (empty, when no ir)
              C: base64("n,a=U,^Ahost=H^Aport=P^Aauth=Bearer T^A^A")
              S: 235 2.7.0 on success; on failure S: 334 base64(JSON error),
              C: base64("^A") (RFC 7628 3.2.3), S: 535 5.7.8

Tokens starting with "expired" or "bad" are refused. Everything received and
sent is written to the log, one line each ("C <id> ..." / "S <id> ...");
"open"/"close" lines bound each session. Mail is counted, never stored.
"""
import argparse
import asyncio
import base64
import json

HOST = "oauth.example.test"
EHLO_EXT = ["PIPELINING", "SIZE 10485760", "AUTH {mechs}",
            "ENHANCEDSTATUSCODES", "8BITMIME"]
ERROR_JSON = {"status": "invalid_token", "scope": "https://mail.example.test/",
              "openid-configuration":
                  "https://auth.example.test/.well-known/openid-configuration"}
MAX_LINE = 4096


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1, encoding="utf-8")

    def __call__(self, text):
        self.f.write(text + "\n")


class Session:
    counter = 0

    def __init__(self, reader, writer, log, mechs):
        Session.counter += 1
        self.mechs = mechs
        self.id = Session.counter
        self.r, self.w, self.log = reader, writer, log
        self.authed = False
        self.mail = None
        self.rcpts = []

    async def send(self, *lines):
        for i, text in enumerate(lines):
            self.log(f"S {self.id} {text}")
        self.w.write(b"".join(t.encode() + b"\r\n" for t in lines))
        await self.w.drain()

    async def line(self):
        raw = await self.r.readline()
        if not raw:
            return None
        text = raw[:MAX_LINE].decode("utf-8", "replace").rstrip("\r\n")
        self.log(f"C {self.id} {text}")
        return text

    def token_ok(self, token):
        return not (token.startswith("expired") or token.startswith("bad"))

    async def auth(self, arg):
        parts = arg.split(" ", 1)
        mech = parts[0].upper()
        if mech not in self.mechs:
            await self.send("504 5.5.4 Unrecognized authentication type")
            return
        if len(parts) == 2:
            resp = parts[1]
        else:
            await self.send("334 ")
            resp = await self.line()
            if resp is None:
                return
        if resp == "*":
            await self.send("501 5.7.0 Authentication cancelled")
            return
        try:
            decoded = base64.b64decode(resp, validate=True).decode()
        except ValueError:
            await self.send("501 5.5.2 Cannot decode response")
            return
        fields = decoded.split("\x01")
        user = token = None
        if mech == "OAUTHBEARER":
            gs2 = fields[0].split(",")
            user = next((g[2:] for g in gs2 if g.startswith("a=")), None)
        for f in fields:
            if f.startswith("user="):
                user = f[5:]
            elif f.startswith("auth=Bearer "):
                token = f[len("auth=Bearer "):]
        self.log(f"I {self.id} auth mechanism={mech} user={user} "
                 f"token_ok={token is not None and self.token_ok(token)}")
        if token is not None and self.token_ok(token):
            self.authed = True
            await self.send("235 2.7.0 Authentication successful")
            return
        err = base64.b64encode(json.dumps(ERROR_JSON).encode()).decode()
        await self.send(f"334 {err}")
        await self.line()  # XOAUTH2: empty line; OAUTHBEARER: "AQ=="
        await self.send("535 5.7.8 Authentication credentials invalid")

    async def data(self):
        await self.send("354 End data with <CR><LF>.<CR><LF>")
        size = 0
        while True:
            raw = await self.r.readline()
            if not raw:
                return False
            if raw == b".\r\n":
                break
            size += len(raw) - (1 if raw.startswith(b"..") else 0)
        self.log(f"I {self.id} data bytes={size}")
        await self.send("250 2.0.0 Ok: queued (scripted server, message discarded)")
        self.mail, self.rcpts = None, []
        return True

    async def run(self):
        peer = self.w.get_extra_info("peername")
        sock = self.w.get_extra_info("sockname")
        self.log(f"open {self.id} client {peer[0]} {peer[1]} server {sock[0]} {sock[1]}")
        await self.send(f"220 {HOST} ESMTP scripted-sasl-server (smtpscope test, not a real MTA)")
        while True:
            text = await self.line()
            if text is None:
                break
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                ext = [e.format(mechs=" ".join(self.mechs)) for e in EHLO_EXT]
                await self.send(f"250-{HOST}", *[f"250-{e}" for e in ext[:-1]],
                                f"250 {ext[-1]}")
            elif verb == "HELO":
                await self.send(f"250 {HOST}")
            elif verb == "AUTH":
                if self.authed:
                    await self.send("503 5.5.1 Already authenticated")
                else:
                    await self.auth(arg)
            elif verb == "MAIL":
                if not self.authed:
                    await self.send("530 5.7.0 Authentication required")
                else:
                    self.mail = arg
                    await self.send("250 2.1.0 Ok")
            elif verb == "RCPT":
                if self.mail is None:
                    await self.send("503 5.5.1 Error: need MAIL command")
                else:
                    self.rcpts.append(arg)
                    await self.send("250 2.1.5 Ok")
            elif verb == "DATA":
                if not self.rcpts:
                    await self.send("503 5.5.1 Error: need RCPT command")
                elif not await self.data():
                    break
            elif verb == "RSET":
                self.mail, self.rcpts = None, []
                await self.send("250 2.0.0 Ok")
            elif verb == "NOOP":
                await self.send("250 2.0.0 Ok")
            elif verb == "QUIT":
                await self.send("221 2.0.0 Bye")
                break
            else:
                await self.send("502 5.5.2 Error: command not recognized")
        self.w.close()
        try:
            await self.w.wait_closed()
        except ConnectionError:
            pass
        self.log(f"close {self.id}")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True, action="append",
                    help="IP:PORT:MECH,MECH (IPv4 loopback only); repeatable")
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    log = Log(args.log)
    servers = []
    for spec in args.listen:
        host, port, mechs = spec.split(":")
        if not host.startswith("127."):
            raise SystemExit("sasl_server.py: listens on loopback only")
        mechs = [m for m in mechs.upper().split(",") if m in ("XOAUTH2", "OAUTHBEARER")]
        servers.append(await asyncio.start_server(
            lambda r, w, m=mechs: Session(r, w, log, m).run(), host, int(port),
            reuse_address=True))
        log(f"listening {host} {port} AUTH {' '.join(mechs)}")
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main())
