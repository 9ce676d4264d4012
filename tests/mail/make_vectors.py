#!/usr/bin/python3
"""Write the message-engine golden vectors (tests/mail/*.eml, *.raw).

Most vectors are plain text written here; the ones with binary content
(zip, PDF-like, executable-like bytes) are built by this script so their
bytes are known. Run from anywhere; it writes beside itself. The expected
outputs (*.ref) are made by test_mail_golden with SMTPSCOPE_UPDATE_GOLDEN=1
and reviewed by hand.
"""
import base64
import io
import os
import quopri
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, text, raw=False):
    path = os.path.join(HERE, name)
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + width] for i in range(0, len(s), width))


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 2, 3, 4, 6))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")
# The first bytes of a PE file: enough for every type sniffer.
PE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
      + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"\x00" * 64
      + b"PE\x00\x00\x4c\x01\x03\x00" + b"\x00" * 200)


def main():
    write("plain_headers.eml", """\
Return-Path: <bounce@lists.example.org>
Received: from mail.example.org (mail.example.org [192.0.2.10])
	by mx.example.net (Postfix) with ESMTPS id 4Q1xYz2abc
	for <alice@example.net>; Tue, 3 Mar 2026 10:00:02 +0100 (CET)
Received: from [198.51.100.7] (helo=laptop)
	by mail.example.org with esmtpsa (Exim 4.96)
	id 1abcDe-000Fgh-Ij; Tue, 03 Mar 2026 09:59:58 +0100
From: "Bob Example" <bob@example.org>
To: Alice <alice@example.net>, carol@example.net
Cc: Friends: dave@example.com, "Eve (the) Eavesdropper" <eve@example.com>;
Subject: =?UTF-8?B?R3LDvMOfZQ==?= from =?ISO-8859-1?Q?M=FCnchen?=
Date: Tue, 3 Mar 2026 09:59:57 +0100
Message-ID: <20260303.1@example.org>
In-Reply-To: <20260301.9@example.net>
References: <20260228.4@example.net> <20260301.9@example.net>
X-Mailer: Example Mail 1.0
User-Agent: Mutt/2.2.12
X-Originating-IP: [198.51.100.7]
List-Unsubscribe: <https://lists.example.org/unsub?u=1>
Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org
DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; h=from:to;
	bh=abc=; b=def=
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hello Alice,

see https://www.example.org/path?q=1, and (www.example.com/x).
Grüße
""")

    alt_text = ("Dear customer,\r\n\r\nYour statement is ready: "
                "https://bank.example/statement?id=42\r\nRegards "
                "= team\r\n")
    alt_html = ('<html><body><p>Dear customer,</p>'
                '<a href="http://evil.example/login">https://www.paypal.com/'
                '</a> <img src="https://cdn.example/logo.png"></body>'
                '</html>\r\n')
    qp_text = quopri.encodestring(alt_text.encode()).decode()
    qp_html = quopri.encodestring(alt_html.encode()).decode()
    zipped = zip_bytes([("docs/readme.txt", b"read me\n" * 20),
                        ("invoice.pdf.exe", PE)])
    write("multipart_attachments.eml", f"""\
From: Carla Partner <carla@partner.example>
To: alice@example.test
Subject: Project documents
Date: Sat, 28 Nov 2026 00:42:08 -0000
Message-ID: <mime-1@partner.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="===outer=="

This is a multi-part message in MIME format.
--===outer==
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp_text}
--inner
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp_html}
--inner--

--===outer==
Content-Type: application/pdf
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="report.pdf"

{b64(PDF)}
--===outer==
Content-Type: application/zip; name="files.zip"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="files.zip"

{b64(zipped)}
--===outer==--
""")

    write("missing_close_boundary.eml", """\
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

first part
--b1
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename=x.bin

AAECAwQFBgcICQ==
""")

    depth = 30
    parts = ["From: a@example.com\nDate: Tue, 3 Mar 2026 09:59:57 +0000\n"]
    for i in range(depth):
        parts.append(f'Content-Type: multipart/mixed; boundary="n{i}"\n\n'
                     f"--n{i}\n")
    parts.append("Content-Type: text/plain\n\ndeep\n")
    for i in reversed(range(depth)):
        parts.append(f"--n{i}--\n")
    write("nesting_bomb.eml", "".join(parts))

    write("bad_encodings.eml", """\
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: multipart/mixed; boundary=XX

--XX
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename=bad64.bin

SGVs bG8*!
d29y bGQ=QUFB
QQ
--XX
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9 =ZZ broken=3d=3D and soft=
break, lone =
--XX
Content-Type: text/plain
Content-Transfer-Encoding: x-mystery

opaque
--XX--
""")

    write("duplicate_headers.eml", """\
From: ceo@example.test
From: attacker@evil.example
Subject: one
Subject: two
Date: Tue, 3 Mar 2026 09:59:57 +0000
MIME-Version: 1.0
Content-Type: text/plain
Content-Type: text/html
Content-Transfer-Encoding: base64
Content-Transfer-Encoding: 7bit

PGI+aGk8L2I+
""")

    write("filename_tricks.eml", """\
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: multipart/mixed; boundary=ZZ

--ZZ
Content-Type: application/pdf; name="invoice.pdf"
Content-Disposition: attachment; filename="invoice.exe"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AAA==
--ZZ
Content-Type: application/octet-stream
Content-Disposition: attachment;
 filename*0*=UTF-8''%E2%80%AEfdp;
 filename*1=".exe"
Content-Transfer-Encoding: base64

AAAA
--ZZ
Content-Type: application/octet-stream; name="=?UTF-8?B?cmVwb3J0LnBkZg==?="
Content-Transfer-Encoding: base64

AAAA
--ZZ--
""")

    write("message_rfc822.eml", """\
From: fwd@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Subject: Fwd: hello
Content-Type: multipart/mixed; boundary=F

--F
Content-Type: text/plain

See below.
--F
Content-Type: message/rfc822

From: original@example.org
Subject: hello
Content-Type: multipart/alternative; boundary=G

--G
Content-Type: text/plain

inner text http://inner.example/a
--G--
--F--
""")

    write("uuencode.eml", """\
From: old@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: application/octet-stream
Content-Transfer-Encoding: x-uuencode

begin 644 hello.txt
,:&5L;&\\@=V]R;&0*
`
end
""")

    write("header_oddities.eml", """\
 folded first line
From : spaced@example.com
X-Long: """ + "a" * 1200 + """
Subject: broken
this line has no colon
Date: Tue, 3 Mar 2026 09:59:57 +0000

body after the no-colon line
""")

    write("boundary_oddities.eml", """\
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: multipart/mixed; boundary="abc"

preamble text that nobody shows
--abc
Content-Type: text/plain

one
--abc trailing junk
still part one
--abc
Content-Type: multipart/related; boundary="abcdef"

--abcdef
Content-Type: text/plain

two
--abcdef--
--abc--
epilogue content hides here
""")

    write("bare_lf.raw", b"From: lf@example.com\nDate: Tue, 3 Mar 2026 "
          b"09:59:57 +0000\nContent-Type: multipart/mixed; boundary=q\n\n"
          b"--q\nContent-Type: text/plain\n\nline one\nline two\n--q--\n")

    write("gap.raw", b"#gap 100@180\r\n" + (
        b"From: gap@example.com\r\nDate: Tue, 3 Mar 2026 09:59:57 +0000\r\n"
        b"Content-Type: multipart/mixed; boundary=g\r\n\r\n--g\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + b"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n" * 4 + b"--g--\r\n"))

    # The hole falls inside the second base64 line of part 1: that part
    # is partial with no hash and no decoding anomaly; part 2 is whole.
    body = (b"From: gap@example.com\r\nDate: Tue, 3 Mar 2026 09:59:57 +0000"
            b"\r\nContent-Type: multipart/mixed; boundary=g\r\n\r\n--g\r\n"
            b"Content-Type: application/octet-stream\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            + b"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n" * 4 + b"--g\r\n"
            b"Content-Type: text/plain\r\n\r\nafter the hole\r\n--g--\r\n")
    at = body.index(b"QUFB") + 34 + 10
    write("gap_in_part.raw", b"#gap 7@%d\r\n" % at + body)

    write("limits.eml", """\
#limit parts_max=3
#limit header_line_max=1000
#limit urls_max=2
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
X-Big: """ + "b" * 1500 + """
Content-Type: multipart/mixed; boundary=L

--L
Content-Type: text/plain

http://one.example/ http://two.example/ http://three.example/
--L
Content-Type: text/plain

two
--L
Content-Type: text/plain

three
--L--
""")

    write("html_smuggling.eml", """\
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: text/html; charset=utf-8

<html><body><!-- <a href="http://hidden.example/">x</a> -->
<form action="https://collect.example/post"><input type="password" name="p"></form>
<meta http-equiv="refresh" content="0;url=https://redirect.example/go">
<script>var b = new Blob([atob("TVqQ")]); var a = document.createElement('a');
a.href = URL.createObjectURL(b); a.download = "invoice.iso";</script>
<a href="http://3232235777/x">link</a> <a href="https://user@bank.example@evil.example/">bank</a>
</body></html>
""")

    # text_max cuts the text on a character boundary (found by fuzz_mail:
    # the cut split a 2-byte UTF-8 character), and nothing is kept after
    # the cut, not even a later part's text that would fit.
    write("text_cut_utf8.eml", """\
#limit text_max=10
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: multipart/alternative; boundary=T

--T
Content-Type: text/plain; charset=utf-8

a\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9
--T
Content-Type: text/plain

z
--T--
""")

    # A UTF-7 text whose base64 run holds a high surrogate and no low one
    # (found by fuzz_mail): glibc's decoder reports it one character later
    # when its input ends right after that character, so the text differed
    # with the cut of the feeds until iconv got its input in fixed blocks.
    write("utf7_invalid.eml", """\
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: text/plain; charset=utf-7

Hi +0000SubjectFwd/df and +AGEAYgBj- abc
""")

    # The message cap is reached inside part 2 before its own cap (found by
    # fuzz_mail): part_decoded_limit must not depend on whether the bytes
    # past both caps came in one piece or after the message cap stopped
    # the part.
    write("decoded_limits.eml", """\
#limit part_decoded_max=100
#limit message_decoded_max=150
From: a@example.com
Date: Tue, 3 Mar 2026 09:59:57 +0000
Content-Type: multipart/mixed; boundary=D

--D
Content-Type: application/octet-stream

""" + "a" * 80 + """
--D
Content-Type: application/octet-stream

""" + "b" * 200 + """
--D--
""")


if __name__ == "__main__":
    main()
