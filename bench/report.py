#!/usr/bin/env python3
"""Turn the hyperfine JSON files and facts of bench/compare.sh (its work directory, argv[1]) into a
Markdown report on standard output: medians, ratios, and each target of issue 17 met or missed,
all computed from the measured numbers."""
import json
import os
import statistics
import sys

W = sys.argv[1]
BIGN = 1000000
SIZES = (10, 1000, 6250, 10000, 100000, BIGN)
RSS_SIZES = (10, 6250, 10000, 100000, BIGN)


def facts():
    d = {}
    with open(os.path.join(W, "machine")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            d[k] = v
    return d


def medians(name):
    p = os.path.join(W, name)
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        res = json.load(f)["results"]
    return {r["command"]: (statistics.median(r["times"]), len(r["times"]), min(r["times"]), max(r["times"])) for r in res}


def text(name):
    p = os.path.join(W, name)
    if not os.path.exists(p):
        return ""
    with open(p) as f:
        return f.read().strip()


F = facts()
M = {}
for n in ("apply.json", "augtool.json", "dry.json", "growth.json", "big.json", "audit.json"):
    M.update(medians(n))


def ms(cmd):
    return M[cmd][0] * 1000 if cmd in M else None


def fmt(x):
    if x is None:
        return "n/a"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def ratio(a, b):
    """a / b, or None when either is missing."""
    return a / b if a is not None and b else None


def fx(r, digits=2):
    return "n/a" if r is None else f"{r:.{digits}f}x"


def size(n):
    return int(F.get(f"size_s{n}", "0") or 0)


# Every target checked, for the summary at the end: (target, result, verdict).
TARGETS = []


def target(name, value, limit, result, strict=False):
    """Record a target value <= limit (value < limit if strict) and return its verdict."""
    if value is None:
        v = "not measured"
    elif (value < limit) if strict else (value <= limit):
        v = "**met**"
    else:
        v = f"**missed** by {value / limit:.1f}x" if limit else "**missed**"
    TARGETS.append((name, result, v))
    return v


out = []
p = out.append
p("## Machine\n")
p(f"- {F.get('cpus')} CPUs: {F.get('cpu')}; {F.get('mem')} RAM; {F.get('kernel')}")
p(f"- work directory file system: {F.get('fs')}")
p(f"- {F.get('go')}, hyperfine {F.get('hyperfine')}, augtool {F.get('augtool') or 'absent or skipped'}, "
  f"awk {F.get('awk') or 'unknown'}")
p(f"- load average (1, 5, 15 min) at start {F.get('load_start')}, at end {F.get('load_end')}")
big = F.get("big") == "1"
p(f"- runs per command: {F.get('runs')} (augtool {F.get('aug_runs') if F.get('augtool') else 'skipped'}, "
  f"1M-stanza commands {F.get('big_runs') if big else 'skipped (BIG=0)'}); times are medians, with min–max\n")

# --- 1 ------------------------------------------------------------------------------------------
p("## 1. `--apply` on 5,000 alias stanzas, side by side\n")
p(f"Input: one file of 6,250 stanzas (5,000 aliases), {size(6250) / 1e6:.2f} MB; the fix removes "
  f"{F.get('lines_removed')} lines. Same bytes as ifacefix's output: awk + mv "
  f"{F.get('same_output_awk', 'not checked')}, Augeas {F.get('same_output', 'not checked')}.\n")
AP, APB = "ifacefix --apply --no-backup", "ifacefix --apply"
FL, FLB = "floor -no-backup", "floor"
AWK, DD, AUG = "awk + mv", "write+fsync (dd conv=fsync)", "augtool rm alias gateways and metrics"
p("| command | median ms | min–max ms | runs | vs floor | vs awk + mv |")
p("|---|---|---|---|---|---|")
# Each command against the floor that does the same durable work: with a backup or without.
for cmd, ref in ((AP, FL), (APB, FLB), (FL, FL), (FLB, FL), (AWK, FL), (DD, FL), (AUG, FL)):
    if cmd not in M:
        p(f"| {cmd} | n/a | | | | |")
        continue
    med, n, lo, hi = M[cmd]
    p(f"| {cmd} | {fmt(med * 1000)} | {fmt(lo * 1000)}–{fmt(hi * 1000)} | {n} | "
      f"{fx(ratio(ms(cmd), ms(ref)))} | {fx(ratio(ms(cmd), ms(AWK)))} |")
p("")
p("`vs floor`: against `floor -no-backup`, except `ifacefix --apply` against `floor` (both link a backup).\n")
for a, f in ((AP, FL), (APB, FLB)):
    r = ratio(ms(a), ms(f))
    v = target(f"`{a}` ≤ 2x `{f}` (5,000 aliases)", r, 2, f"{fmt(ms(a))} / {fmt(ms(f))} ms = **{fx(r)}**")
    p(f"- {a} / {f}: **{fx(r)}** (target ≤ 2x: {v})")
for a in (AP, APB):
    r = ratio(ms(a), ms(AWK))
    v = target(f"`{a}` faster than awk + mv (5,000 aliases)", r, 1, f"{fmt(ms(a))} / {fmt(ms(AWK))} ms = **{fx(r)}**",
               strict=True)
    p(f"- {a} / awk + mv: **{fx(r)}** (target < 1x: {v})")
if ms(AUG):
    p(f"- reference, no target: augtool / {AP}: {fx(ratio(ms(AUG), ms(AP)), 0)}; "
      f"augtool / {APB}: {fx(ratio(ms(AUG), ms(APB)), 0)}")
G100, G400 = "GOGC=100 ifacefix --apply --no-backup", "GOGC=400 ifacefix --apply --no-backup"
if ms(G100) and ms(G400):
    p(f"- reference, no target: the collector: `{G100}` {fmt(ms(G100))} ms, `{G400}` {fmt(ms(G400))} ms "
      f"(both through `env`; the binary leaves GOGC alone)")
if ms(DD) and ms(FL):
    p(f"- reference: `{FL}` / dd: {fx(ratio(ms(FL), ms(DD)))} (what the temporary file, rename and "
      f"directory fsync add to a bare write and fsync)")
p("\nThe floor is `bench/cmd/floor`: read the target, write the new bytes to an O_EXCL temporary "
  "file in the same directory with the target's mode, fsync it, hard-link the backup, rename, "
  "fsync the directory. awk + mv, as run (neither fsync nor backup):\n")
p("```sh\n" + (text("awkmv.txt") or "n/a") + "\n```")

# --- 2 ------------------------------------------------------------------------------------------
p("\n## 2. Dry run and `--check` vs one awk pass over the file\n")
p(f"awk pass: `{text('awkpass.txt') or 'n/a'}`\n")
p("| stanzas | size MB | `cat` ms | awk ms | dry run ms | dry / awk | `--check` ms | check / awk |")
p("|---|---|---|---|---|---|---|---|")
for n in SIZES:
    if n == BIGN and not big:
        continue
    c, a, d, k = ms(f"cat s{n}"), ms(f"awk s{n}"), ms(f"dry s{n}"), ms(f"check s{n}")
    p(f"| {n:,} | {size(n) / 1e6:.3f} | {fmt(c)} | {fmt(a)} | {fmt(d)} | {fx(ratio(d, a), 1)} | {fmt(k)} | "
      f"{fx(ratio(k, a), 1)} |")
c, d = ms("cat typical"), ms("dry typical")
p(f"| typical host (examples/basic, 2 files) | | {fmt(c)} | | {fmt(d)} | | | |")
p("")
a = ms("awk s100000")
for kind, cmd in (("dry run", "dry s100000"), ("--check", "check s100000")):
    r = ratio(ms(cmd), a)
    v = target(f"{kind} of 100k stanzas ≤ 2x one awk pass", r, 2, f"{fmt(ms(cmd))} / {fmt(a)} ms = **{fx(r, 1)}**")
    p(f"- {kind}, 100k stanzas / awk pass: **{fx(r, 1)}** (target ≤ 2x: {v})")
if d:
    p(f"- reference, no target: typical host, whole-process dry run {fmt(d)} ms (`cat` of its 2 files {fmt(c)} ms)")
if ms("version"):
    p(f"- reference, no target: `ifacefix --version` (Go's start-up, nothing read) {fmt(ms('version'))} ms")

# --- 3 ------------------------------------------------------------------------------------------
p("\n## 3. Peak memory (max RSS, GNU time)\n")
if any(k.startswith("rss_") for k in F):
    def rss(kind, n):
        try:
            return int(F[f"rss_{kind}_s{n}"]) / 1024
        except (KeyError, ValueError):
            return None

    p("| stanzas | file MB | dry run MB | × file | `--check` MB | × file | `--apply` MB | × file |")
    p("|---|---|---|---|---|---|---|---|")
    for n in RSS_SIZES:
        s = size(n) / 2**20
        vals = [rss(k, n) for k in ("dry", "check", "apply")]
        if all(v is None for v in vals):
            continue
        cells = " | ".join(f"{fmt(v)} | {fx(ratio(v, s), 1)}" for v in vals)
        p(f"| {n:,} | {s:.2f} | {cells} |")
    p("")
    for n in (100000, BIGN):
        if n == BIGN and not big:
            continue
        s = size(n) / 2**20
        for kind, label in (("dry", "dry run"), ("check", "--check"), ("apply", "--apply")):
            r = ratio(rss(kind, n), s)
            v = target(f"{label} max RSS at {n:,} stanzas ≤ 4x the file", r, 4,
                       f"{fmt(rss(kind, n))} MB for {s:.1f} MB = **{fx(r, 1)}**")
            p(f"- {label}, {n:,} stanzas: **{fx(r, 1)}** the file (target ≤ 4x: {v})")
    if "rss_version" in F:
        p(f"\n(`ifacefix --version` alone: {int(F['rss_version'] or 0) / 1024:.1f} MB.)")
else:
    p("Not measured (no GNU time at /usr/bin/time).")

# --- 4 ------------------------------------------------------------------------------------------
p("\n## 4. Growth: 10x the bytes should take 10x the time\n")
p("| | 10k ms | 100k ms | 100k / 10k | 1M ms | 1M / 100k |")
p("|---|---|---|---|---|---|")
GROW = (("dry run", "dry"), ("--check", "check"), ("--apply --no-backup", "apply"))
for kind, k in GROW:
    t10, t100, t1m = ms(f"{k} s10000"), ms(f"{k} s100000"), ms(f"{k} s{BIGN}")
    p(f"| {kind} | {fmt(t10)} | {fmt(t100)} | {fx(ratio(t100, t10), 1)} | {fmt(t1m)} | {fx(ratio(t1m, t100), 1)} |")
p("")
if big:
    for kind, k in GROW:
        t100, t1m = ms(f"{k} s100000"), ms(f"{k} s{BIGN}")
        r = ratio(t1m, t100)
        v = target(f"{kind}: 1M stanzas ≤ 12x the time of 100k (linear)", r, 12,
                   f"{fmt(t100)} → {fmt(t1m)} ms = **{fx(r, 1)}**")
        p(f"- {kind}: 100k → 1M: **{fx(r, 1)}** (target linear, ≤ 12x: {v})")
else:
    for kind, _ in GROW:
        target(f"{kind}: 1M stanzas ≤ 12x the time of 100k (linear)", None, 12, "skipped (BIG=0)")
    p("- 1M stanzas skipped (BIG=0): the growth targets are not measured.")

# --- 5 ------------------------------------------------------------------------------------------
hosts = int(F.get("hosts", "0") or 0)
p(f"\n## 5. Audit of {hosts:,} host trees in one invocation\n")
a = f"check {F.get('hosts')} trees"
if a in M:
    med = M[a][0]
    files = int(F.get("host_files", "0") or 0)
    p("| command | median ms | min–max ms | runs | trees/s | files/s |")
    p("|---|---|---|---|---|---|")
    p(f"| `ifacefix --check --root h00000 … --root h{hosts - 1:05d}` | {fmt(med * 1000)} | "
      f"{fmt(M[a][2] * 1000)}–{fmt(M[a][3] * 1000)} | {M[a][1]} | {hosts / med:,.0f} | {files / med:,.0f} |")
    p(f"\n- {F.get('audit_summary', '')}")
    if F.get("rss_audit"):
        p(f"- max RSS {int(F['rss_audit']) / 1024:.0f} MB")
    if hosts == 10000:
        v = target("audit of 10,000 host trees ≤ 300 ms", med * 1000, 300, f"**{fmt(med * 1000)} ms**")
        p(f"- target ≤ 300 ms: {v}")
    else:
        target("audit of 10,000 host trees ≤ 300 ms", None, 300, f"only {hosts:,} trees run (HOSTS)")
        p(f"- target ≤ 300 ms for 10,000 trees: not measured ({hosts:,} trees here)")
else:
    target("audit of 10,000 host trees ≤ 300 ms", None, 300, "n/a")
    p("n/a")

# --- summary ------------------------------------------------------------------------------------
p("\n## Targets\n")
p("| target | result | verdict |")
p("|---|---|---|")
for name, result, v in TARGETS:
    p(f"| {name} | {result} | {v} |")

print("\n".join(out))
