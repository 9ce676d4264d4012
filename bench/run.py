#!/usr/bin/python3
"""Benchmark smtpscope against tcpdump and tshark on one large SMTP capture.

Builds the capture with make_capture.py when it is missing, checks that
smtpscope reads all of it (its --stats-json counters), then times, in one
run and interleaved round by round, each of:
  smtpscope  build/smtpscope read -q -o /dev/null FILE   (full inspection)
  tcpdump    tcpdump -r FILE -w /dev/null                 (read + write back)
  tshark     tshark -n -r FILE -q                         (read; see README)
It prints a table of medians and writes every figure and every single run
to bench/data/results.json. Needs Debian packages time, tcpdump, tshark.

Usage: bench/run.py [--size-mb 1024] [--repeat 5] [--pcap FILE]
"""
import argparse
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
import pcapfile  # noqa: E402  (tests/pcapfile.py: packets of a capture file)
DATA = HERE / "data"
GOAL = 0.5          # the project's goal: at least half of tcpdump's read speed
NEEDED = {"/usr/bin/time": "time", "tcpdump": "tcpdump", "tshark": "tshark"}


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def check_tools():
    missing = sorted({pkg for tool, pkg in NEEDED.items() if not shutil.which(tool)})
    if missing:
        sys.exit("run.py: missing tools; install them with\n"
                 f"  apt-get install -y {' '.join(missing)}")


def build_smtpscope():
    """Bring build/smtpscope up to date the project's way (scripts/build.sh
    sets build/ up when it is missing; ninja does nothing when it is)."""
    subprocess.run([str(ROOT / "scripts" / "build.sh"), "build"], cwd=ROOT, check=True)


def count_packets(path):
    """(packets, sum of captured frame lengths) of a capture file."""
    packets = frame_bytes = 0
    try:
        for _, _, frame, _ in pcapfile.packets(path):
            packets += 1
            frame_bytes += len(frame)
    except (ValueError, pcapfile.Damaged, EOFError, OSError) as e:
        sys.exit(f"run.py: {path}: {e}")
    return packets, frame_bytes


def timed(cmd):
    """Run cmd once: wall seconds (perf_counter), CPU seconds and peak RSS
    in KiB (GNU time). Its output is thrown away; a failure stops us."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", tf.name, *cmd],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"run.py: {' '.join(cmd)} failed ({p.returncode}):\n"
                     + p.stderr.decode(errors="replace")[-2000:])
        rss, user, sys_ = tf.read().split()[-3:]
    return {"wall_s": wall, "cpu_s": float(user) + float(sys_), "rss_kib": int(rss)}


def first_line(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "loadavg_before": os.getloadavg()}


def git_rev():
    """The revision measured, or "?" outside a git clone or without git."""
    try:
        p = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                           capture_output=True, text=True)
    except FileNotFoundError:
        return "?"
    return p.stdout.strip() or "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=int, default=1024,
                    help="size of the generated capture in MiB (default 1024)")
    ap.add_argument("--pcap", type=pathlib.Path,
                    help="use this pcap or pcapng file instead of bench/data/smtp-SIZEmb.pcap")
    ap.add_argument("--repeat", type=int, default=5,
                    help="timed runs of each tool (default 5; the median is reported)")
    ap.add_argument("--bin", type=pathlib.Path,
                    help="smtpscope binary (default $SMTPSCOPE_BIN, else build/smtpscope, "
                    "brought up to date by scripts/build.sh first)")
    ap.add_argument("--json", type=pathlib.Path, default=DATA / "results.json",
                    help="where to write the figures (default bench/data/results.json)")
    ap.add_argument("--min-ratio", type=float, default=None,
                    help="exit 1 when smtpscope/tcpdump throughput is below this")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    check_tools()

    binary = args.bin or (pathlib.Path(os.environ["SMTPSCOPE_BIN"])
                          if os.environ.get("SMTPSCOPE_BIN") else None)
    if binary is None:
        build_smtpscope()
        binary = ROOT / "build" / "smtpscope"
    if not os.access(binary, os.X_OK):
        sys.exit(f"run.py: {binary} is not an executable")

    generation = None
    pcap = args.pcap or DATA / f"smtp-{args.size_mb}mb.pcap"
    if not pcap.exists():
        if args.pcap:
            sys.exit(f"run.py: {pcap} does not exist")
        say(f"run.py: building {pcap.relative_to(ROOT)} ...")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "make_capture.py"),
                        "--size-mb", str(args.size_mb), "-o", str(pcap)], check=True)
        generation = {"seconds": round(time.perf_counter() - t0, 2)}
    meta_path = pcap.with_name(pcap.name + ".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}

    say("run.py: counting packets and reading the file into the page cache ...")
    packets, frame_bytes = count_packets(pcap)
    file_bytes = pcap.stat().st_size
    with open(pcap, "rb") as f:
        while f.read(1 << 24):
            pass

    # Sanity run (untimed): does smtpscope see every packet and session?
    stats_path = DATA / "smtpscope-stats.json"
    DATA.mkdir(exist_ok=True)
    subprocess.run([str(binary), "read", "-q", "-o", "/dev/null",
                    "--stats-json", str(stats_path), str(pcap)], check=True)
    stats = json.loads(stats_path.read_text())
    sanity = {
        "packets_in_file": packets,
        "smtpscope_packets": stats.get("packets"),
        "tcp_sessions_written": meta.get("sessions_written"),
        "smtpscope_flows": stats.get("flows"),
        "smtpscope_smtp_sessions": stats.get("smtp_sessions"),
        "smtpscope_smtp_attempts": stats.get("smtp_attempts"),
        "smtpscope_decode_errors": stats.get("decode_errors"),
        "smtpscope_evictions": stats.get("evictions"),
    }
    sanity["ok"] = (stats.get("packets") == packets
                    and stats.get("evictions", 0) == 0
                    and (meta.get("sessions_written") is None
                         or stats.get("flows") == meta["sessions_written"]))
    if not sanity["ok"]:
        # Timing a run that does not read the whole capture measures nothing.
        print(sanity_line(sanity))
        sys.exit(f"run.py: smtpscope did not read {pcap} as expected; counters in {stats_path}")

    tools = {
        "smtpscope": [str(binary), "read", "-q", "-o", "/dev/null", str(pcap)],
        "tcpdump": ["tcpdump", "-r", str(pcap), "-w", "/dev/null"],
        "tshark": ["tshark", "-n", "-r", str(pcap), "-q"],
    }
    runs = {name: [] for name in tools}
    names = list(tools)
    for rep in range(args.repeat):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in order:
            r = timed(tools[name])
            runs[name].append(r)
            say(f"run.py: round {rep + 1}/{args.repeat} {name:9s} {r['wall_s']:7.3f} s "
                f"{r['rss_kib'] / 1024:7.1f} MiB")

    results = {}
    for name, rs in runs.items():
        wall = statistics.median(r["wall_s"] for r in rs)
        results[name] = {
            "command": " ".join(tools[name]),
            "wall_s_median": wall,
            "wall_s_min": min(r["wall_s"] for r in rs),
            "wall_s_max": max(r["wall_s"] for r in rs),
            "cpu_s_median": statistics.median(r["cpu_s"] for r in rs),
            "gbit_s": frame_bytes * 8 / wall / 1e9,
            "packets_s": packets / wall,
            "peak_rss_mib": max(r["rss_kib"] for r in rs) / 1024,
            "runs": rs,
        }
    sm = results["smtpscope"]["gbit_s"]
    ratios = {"smtpscope/tcpdump": sm / results["tcpdump"]["gbit_s"],
              "smtpscope/tshark": sm / results["tshark"]["gbit_s"]}

    report = {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git": git_rev(),
        "pcap": str(pcap), "file_bytes": file_bytes, "frame_bytes": frame_bytes,
        "packets": packets, "generator": meta, "generation": generation,
        "repeat": args.repeat, "statistic": "median wall time of the runs",
        "throughput_definition": "8 * sum of captured frame lengths (Ethernet frames, "
                                 "no pcap headers) / median wall seconds",
        "goal": {"smtpscope/tcpdump at least": GOAL,
                 "met": ratios["smtpscope/tcpdump"] >= GOAL},
        "ratios": ratios, "tools": results, "sanity": sanity,
        "versions": {"smtpscope": first_line([str(binary), "--version"]),
                     "tcpdump": first_line(["tcpdump", "--version"]),
                     "tshark": first_line(["tshark", "--version"])},
        "machine": {**machine(), "loadavg_after": os.getloadavg()},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report, args.json)
    if args.min_ratio is not None and ratios["smtpscope/tcpdump"] < args.min_ratio:
        sys.exit(1)


def print_table(rep, json_path):
    s = rep["sanity"]
    print(f"\ncapture  {rep['pcap']}")
    print(f"         {rep['packets']:,} packets, {rep['frame_bytes'] / 1e6:,.1f} MB of frames "
          f"({rep['file_bytes'] / 1e6:,.1f} MB file)")
    print(f"timing   median of {rep['repeat']} runs per tool, tools interleaved round by "
          "round; Gbit/s = 8 x frame bytes / wall s")
    print(f"machine  {rep['machine']['cpus']} CPUs, load before/after "
          f"{rep['machine']['loadavg_before'][0]:.2f}/{rep['machine']['loadavg_after'][0]:.2f}"
          " (shared machine: compare the ratios, not the absolute figures)\n")
    head = f"{'tool':10s} {'wall s':>8s} {'min..max s':>13s} {'Gbit/s':>7s} {'Mpkt/s':>7s} " \
           f"{'CPU s':>6s} {'peak RSS MiB':>12s}"
    print(head)
    print("-" * len(head))
    for name, t in rep["tools"].items():
        print(f"{name:10s} {t['wall_s_median']:8.3f} "
              f"{t['wall_s_min']:6.3f}..{t['wall_s_max']:<6.3f} {t['gbit_s']:7.2f} "
              f"{t['packets_s'] / 1e6:7.3f} {t['cpu_s_median']:6.2f} {t['peak_rss_mib']:12.1f}")
    print()
    for name, t in rep["tools"].items():
        print(f"  {name:10s} {t['command']}")
    r = rep["ratios"]
    met = "MET" if rep["goal"]["met"] else "NOT MET"
    print(f"\n>>> smtpscope/tcpdump throughput: {r['smtpscope/tcpdump']:.2f}   "
          f"(goal >= {GOAL:.2f}: {met})")
    print(f">>> smtpscope/tshark  throughput: {r['smtpscope/tshark']:.2f}\n")
    print(sanity_line(s))
    print(f"figures  {json_path}")


def sanity_line(s):
    def n(v):
        return "?" if v is None else f"{v:,}"
    written = ("" if s["tcp_sessions_written"] is None
               else f" (generator wrote {n(s['tcp_sessions_written'])} sessions)")
    return (f"sanity   smtpscope read {n(s['smtpscope_packets'])} of "
            f"{n(s['packets_in_file'])} packets; {n(s['smtpscope_flows'])} TCP flows{written}; "
            f"{n(s['smtpscope_smtp_sessions'])} smtp.session records + "
            f"{n(s['smtpscope_smtp_attempts'])} attempts; {n(s['smtpscope_evictions'])} "
            f"evictions: {'OK' if s['ok'] else 'MISMATCH'}")


if __name__ == "__main__":
    main()
