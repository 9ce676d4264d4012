"""tshark as the reference dissector: TCP streams and their follow output.

tshark is slow next to smtpscope; when $SMTPSCOPE_TSHARK_CACHE names a
directory, answers are kept there (keyed by file identity and question)
so a second run of the suite, e.g. with the sanitizer build, reuses them.
"""
import hashlib
import json
import os
import pathlib
import re
import subprocess

MISSING = re.compile(rb"^\[(\d+) bytes missing in capture file\]\x00?$")


def _run(args, timeout=300):
    cache = os.environ.get("SMTPSCOPE_TSHARK_CACHE")
    key = None
    if cache:
        ident = []
        for a in args:
            p = pathlib.Path(a)
            if p.is_file():
                st = p.stat()
                a = f"{p.resolve()}:{st.st_size}:{st.st_mtime_ns}"
            ident.append(a)
        key = pathlib.Path(cache) / (hashlib.sha256(json.dumps(ident).encode()).hexdigest() + ".txt")
        if key.exists():
            return key.read_text()
    p = subprocess.run(["tshark", "-n"] + args, capture_output=True, timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    if key is not None:
        key.parent.mkdir(parents=True, exist_ok=True)
        tmp = key.with_suffix(".tmp%d" % os.getpid())
        tmp.write_text(out)
        tmp.replace(key)
    return out


def streams(pcap):
    """{stream index: {"endpoints": frozenset of (ip, port), "first": epoch}}"""
    out = _run(["-r", str(pcap), "-Y", "tcp", "-T", "fields",
                "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "frame.time_epoch"])
    res = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 8 or not f[0]:
            continue
        # Tunnelled packets list several addresses; the innermost is last.
        src = (f[1] or f[2]).split(",")[-1]
        dst = (f[4] or f[5]).split(",")[-1]
        sport = f[3].split(",")[-1]
        dport = f[6].split(",")[-1]
        idx = int(f[0].split(",")[-1])
        if idx not in res:
            res[idx] = {"endpoints": frozenset({(src, int(sport)), (dst, int(dport))}),
                        "first": float(f[7])}
    return res


def follow(pcap, indexes):
    """{index: {(ip, port): {"bytes": n, "missing": n}}} from follow,tcp,raw."""
    indexes = list(indexes)
    res = {}
    for start in range(0, len(indexes), 200):
        chunk = indexes[start:start + 200]
        args = ["-r", str(pcap), "-q"]
        for i in chunk:
            args += ["-z", f"follow,tcp,raw,{i}"]
        out = _run(args)
        cur = None
        nodes = {}
        for line in out.splitlines():
            m = re.match(r"^Filter: tcp\.stream eq (\d+)$", line)
            if m:
                cur = int(m.group(1))
                nodes = {}
                res[cur] = {}
                continue
            m = re.match(r"^Node ([01]): (.*):(\d+)$", line)
            if m and cur is not None:
                ip = m.group(2).strip("[]")
                ep = (ip, int(m.group(3)))
                nodes[int(m.group(1))] = ep
                res[cur][ep] = {"bytes": 0, "missing": 0}
                continue
            if cur is None or not line.strip() or line.startswith("="):
                continue
            node = 1 if line.startswith("\t") else 0
            try:
                data = bytes.fromhex(line.strip())
            except ValueError:
                continue
            ep = nodes.get(node)
            if ep is None:
                continue
            m = MISSING.match(data)
            if m:
                res[cur][ep]["missing"] += int(m.group(1))
            else:
                res[cur][ep]["bytes"] += len(data)
    return res


def match_stream(session, table):
    """The tshark stream index of one smtp.session record, or None."""
    c = (session["source"]["ip"], session["source"]["port"])
    s = (session["destination"]["ip"], session["destination"]["port"])
    want = frozenset({c, s})
    cands = [(i, v) for i, v in table.items() if v["endpoints"] == want]
    if not cands:
        return None
    start = session["_start_epoch"]
    return min(cands, key=lambda iv: abs(iv[1]["first"] - start))[0]
