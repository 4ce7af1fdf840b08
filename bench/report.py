#!/usr/bin/env python3
"""Turn the hyperfine JSON files and facts of bench/compare.sh (its work directory, argv[1]) into a
Markdown report on standard output: medians, ratios, and each target met or missed."""
import json
import os
import statistics
import sys

W = sys.argv[1]


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


F = facts()
M = {}
for n in ("apply.json", "augtool.json", "dry.json", "growth.json", "audit.json"):
    M.update(medians(n))


def ms(cmd):
    return M[cmd][0] * 1000 if cmd in M else None


def fmt(x):
    if x is None:
        return "n/a"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def row(cmd, ref=None, label=None):
    if cmd not in M:
        return f"| {label or cmd} | n/a | | | |"
    med, n, lo, hi = M[cmd]
    ratio = ""
    if ref and ref in M:
        ratio = f"{med / M[ref][0]:.2f}x"
    return f"| {label or cmd} | {fmt(med * 1000)} | {fmt(lo * 1000)}–{fmt(hi * 1000)} | {n} | {ratio} |"


def verdict(ok):
    return "**met**" if ok else "**missed**"


out = []
p = out.append
p("## Machine\n")
p(f"- {F.get('cpus')} CPUs: {F.get('cpu')}; {F.get('mem')} RAM; {F.get('kernel')}")
p(f"- work directory file system: {F.get('fs')}")
p(f"- {F.get('go')}, hyperfine {F.get('hyperfine')}, augtool {F.get('augtool') or 'absent'}")
p(f"- load average (1, 5, 15 min) at start {F.get('load_start')}, at end {F.get('load_end')}")
p(f"- runs per command: {F.get('runs')} (augtool {F.get('aug_runs')}); times are medians, with min–max\n")

size = lambda n: int(F.get(f"size_s{n}", "0"))
p("## 1. `--apply` on 5,000 alias stanzas, side by side\n")
p(f"Input: one file of 6,250 stanzas (5,000 aliases), {size(6250)/1e6:.2f} MB; the fix removes "
  f"{F.get('lines_removed')} lines. ifacefix and Augeas outputs identical: {F.get('same_output', 'not checked')}.\n")
p("| command | median ms | min–max ms | runs | vs write+fsync |")
p("|---|---|---|---|---|")
floor = "write+fsync (dd conv=fsync)"
for c in ("ifacefix --apply --no-backup", "ifacefix --apply", "augtool rm alias gateways", floor):
    p(row(c, floor))
aug, app, fl = ms("augtool rm alias gateways"), ms("ifacefix --apply --no-backup"), ms(floor)
appb = ms("ifacefix --apply")
p("")
if aug and app:
    p(f"- augtool / ifacefix --apply --no-backup: **{aug / app:.0f}x** (target ≥ 200x: {verdict(aug / app >= 200)}); "
      f"with backup {aug / appb:.0f}x")
if app and fl:
    p(f"- ifacefix --apply --no-backup / write+fsync: **{app / fl:.2f}x** (target ≤ 2x: {verdict(app / fl <= 2)}); "
      f"with backup {appb / fl:.2f}x")

p("\n## 2. Dry run vs reading the file\n")
p("| stanzas | size MB | `cat` ms | dry run ms | dry / cat | `--check` ms |")
p("|---|---|---|---|---|---|")
for n in (10, 1000, 6250, 10000, 100000):
    c, d, k = ms(f"cat s{n}"), ms(f"dry s{n}"), ms(f"check s{n}")
    r = f"{d / c:.1f}x" if c and d else ""
    p(f"| {n:,} | {size(n)/1e6:.3f} | {fmt(c)} | {fmt(d)} | {r} | {fmt(k)} |")
c, d = ms("cat typical"), ms("dry typical")
p(f"| typical host (examples/basic, 2 files) | | {fmt(c)} | {fmt(d)} | {d / c:.1f}x | |" if c and d else "")
p("")
if d:
    p(f"- typical host, whole-process dry run: **{fmt(d)} ms** (target: a few milliseconds: {verdict(d <= 5)})")

p("\n## 3. Growth: 10k vs 100k stanzas (10x the bytes)\n")
for kind, a, b in (("dry run", "dry s10000", "dry s100000"), ("--check", "check s10000", "check s100000"),
                   ("--apply --no-backup", "apply s10000", "apply s100000")):
    if a in M and b in M:
        r = M[b][0] / M[a][0]
        p(f"- {kind}: {fmt(ms(a))} ms → {fmt(ms(b))} ms = **{r:.1f}x** (target ≤ 12x: {verdict(r <= 12)})")
p("")
if "rss_dry_s100000" in F:
    p("| stanzas | file MB | dry run max RSS MB | × file | --apply max RSS MB | × file |")
    p("|---|---|---|---|---|---|")
    for n in (10, 6250, 10000, 100000):
        try:
            rd, ra = int(F[f"rss_dry_s{n}"]) / 1024, int(F[f"rss_apply_s{n}"]) / 1024
        except (KeyError, ValueError):
            continue
        s = size(n) / 2**20
        p(f"| {n:,} | {s:.2f} | {rd:.1f} | {rd / s:.1f} | {ra:.1f} | {ra / s:.1f} |")
    p(f"\n(`ifacefix --version` alone: {int(F.get('rss_version', '0')) / 1024:.1f} MB.)")

p(f"\n## 4. Audit of {int(F.get('hosts', '0')):,} host trees in one invocation\n")
a = f"check {F.get('hosts')} trees"
if a in M:
    med = M[a][0]
    files = int(F.get("host_files", "0"))
    p("| command | median s | min–max s | runs | trees/s | files/s |")
    p("|---|---|---|---|---|---|")
    p(f"| `ifacefix --check --root h00000 … --root h{int(F['hosts']) - 1:05d}` | {med:.2f} | {M[a][2]:.2f}–{M[a][3]:.2f} | "
      f"{M[a][1]} | {int(F['hosts']) / med:,.0f} | {files / med:,.0f} |")
    p(f"\n- {F.get('audit_summary', '')}")
    if "rss_audit" in F:
        p(f"- max RSS {int(F['rss_audit']) / 1024:.0f} MB")
    p(f"- target < 2 s: {verdict(med < 2)}")

print("\n".join(out))
