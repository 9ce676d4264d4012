#!/usr/bin/python3
"""Drive Python's own smtplib (the real client library, unmodified) through one
scenario of the capture generator. smtplib's debug output (debuglevel 2:
every "send:" and "reply:" with a timestamp) goes to stderr and is the client
log that make_expect.py reads.

Usage: smtplib_client.py SCENARIO --src IP:PORT --server IP:PORT [--cafile F]
       [--keylog F]
"""
import argparse
import smtplib
import ssl
import sys

HELO = "client.example.test"
DATE = "Mon, 01 Jan 2024 10:00:00 +0000"


def message(subject, msgid, body, frm="sender@client.example.test",
            to="alice@example.test", extra=()):
    """A fixed RFC 5322 message as CRLF bytes (no run-dependent headers)."""
    lines = [f"From: {frm}", f"To: {to}", f"Subject: {subject}",
             f"Date: {DATE}", f"Message-ID: <{msgid}@client.example.test>",
             *extra, "", *body.split("\n")]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def hostport(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def connect(args):
    # Debug output from the very first byte (the banner): the constructor
    # connects, so the level is set on the class before it runs.
    smtplib.SMTP.debuglevel = 2
    host, port = hostport(args.server)
    return smtplib.SMTP(host, port, local_hostname=HELO,
                        source_address=hostport(args.src), timeout=10)


def helo_only(s, args):
    s.helo(HELO)
    s.quit()


def helo_mail(s, args):
    s.helo(HELO)
    s.sendmail("sender@client.example.test", ["alice@example.test"],
               message("helo then mail", "helo-mail",
                       "Sent after HELO: no ESMTP extensions."))
    s.quit()


def smtputf8(s, args):
    s.ehlo()
    frm, to = "jörg@client.example.test", "üser@example.test"
    s.sendmail(frm, [to],
               message("Grüße aus Köln", "smtputf8",
                       "Ein UTF-8-Umschlag: SMTPUTF8 (RFC 6531).", frm=frm, to=to),
               mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    s.quit()


def eightbit_size(s, args):
    s.ehlo()
    # smtplib adds SIZE=<len> itself when the server offers SIZE.
    s.sendmail("sender@client.example.test", ["bob@example.test"],
               message("8bit body", "8bitmime",
                       "Café, naïve, Ørsted: an 8-bit body.",
                       to="bob@example.test",
                       extra=("MIME-Version: 1.0",
                              "Content-Type: text/plain; charset=utf-8",
                              "Content-Transfer-Encoding: 8bit")),
               mail_options=["BODY=8BITMIME"])
    s.quit()


def size_exceeded(s, args):
    s.ehlo()
    code, _ = s.mail("sender@client.example.test", ["SIZE=5000000"])
    assert code == 552, code
    s.rset()
    s.quit()


def misc(s, args):
    s.ehlo()
    s.noop()
    s.verify("alice@example.test")
    s.verify("nobody@example.test")
    s.expn("postmaster")
    s.help()
    s.mail("sender@client.example.test")
    s.rcpt("alice@example.test")
    s.rset()
    s.noop()
    s.quit()


def expn_help_exim(s, args):
    s.ehlo()
    s.help()
    s.expn("team")
    s.verify("alice@partner.example")
    s.sendmail("sender@client.example.test", ["alice@partner.example"],
               message("to exim", "to-exim", "A message for Exim.",
                       to="alice@partner.example"))
    s.quit()


def dsn(s, args):
    s.ehlo()
    s.sendmail("sender@client.example.test", ["alice@example.test"],
               message("dsn", "dsn", "Delivery status notification requested."),
               mail_options=["RET=HDRS", "ENVID=envid-2024-0001"],
               rcpt_options=["NOTIFY=SUCCESS,FAILURE",
                             "ORCPT=rfc822;alice@example.test"])
    s.quit()


def starttls12(s, args):
    ctx = ssl.create_default_context(cafile=args.cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if args.keylog:
        ctx.keylog_filename = args.keylog
    s.ehlo()
    s.starttls(context=ctx)
    s.ehlo()
    s.sendmail("sender@client.example.test", ["alice@example.test"],
               message("starttls 1.2", "starttls12", "Inside TLS 1.2."))
    s.quit()


def starttls_not_offered(s, args):
    s.ehlo()
    assert not s.has_extn("starttls")
    # smtplib.starttls() would refuse without sending; a careless client
    # (or an attacker's probe) sends the verb anyway.
    code, _ = s.docmd("STARTTLS")
    assert code >= 400, code
    s.sendmail("sender@client.example.test", ["alice@example.test"],
               message("no starttls", "no-starttls",
                       "Sent in clear after STARTTLS was refused."))
    s.quit()


def starttls_454(s, args):
    s.ehlo()
    code, _ = s.docmd("STARTTLS")
    assert code == 454, code
    s.quit()


SCENARIOS = {
    "helo_only": helo_only, "helo_mail": helo_mail, "smtputf8": smtputf8,
    "8bitmime_size": eightbit_size, "size_exceeded": size_exceeded,
    "misc": misc, "dsn": dsn, "starttls12": starttls12,
    "starttls_not_offered": starttls_not_offered, "starttls_454": starttls_454,
    "expn_help_exim": expn_help_exim,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    ap.add_argument("--src", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--cafile")
    ap.add_argument("--keylog")
    args = ap.parse_args()
    print(f"smtplib_client: python {sys.version.split()[0]} scenario "
          f"{args.scenario}", file=sys.stderr)
    s = connect(args)
    SCENARIOS[args.scenario](s, args)


if __name__ == "__main__":
    main()
