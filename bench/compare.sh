#!/usr/bin/env bash
# bench/compare.sh: whole-process benchmarks of ifacefix, side by side, in one run on the same
# generated files (see BENCHMARKS.md for what each line means). Needs hyperfine, python3, awk, dd,
# augtool (augeas-tools) and /usr/bin/time (GNU time); a missing augtool only drops its rows, a
# missing GNU time the memory table.
#
#   bash bench/compare.sh            # what `make bench` runs
#   RUNS=20 AUG_RUNS=5 bash bench/compare.sh
#   BIG=0 bash bench/compare.sh      # no 1M-stanza file (~150 MB): no 1M rows, much shorter
#   KEEP=1 bash bench/compare.sh     # keep the work directory (hyperfine JSON files) for a look
#
# Knobs: RUNS (runs per command, hyperfine --runs), AUG_RUNS (augtool), AUG=0 (skip augtool even
# if installed), AUDIT_RUNS, HOSTS (host trees of the audit), BIG=0 (skip the 1M-stanza rows),
# BIG_RUNS (runs of each 1M-stanza command), KEEP=1, GO.
#
# It prints a Markdown report on standard output: medians of several runs, their ratios, and each
# target of issue 17 met or missed (bench/report.py).
set -euo pipefail

RUNS=${RUNS:-10}         # runs per command (hyperfine --runs)
AUG_RUNS=${AUG_RUNS:-3}  # augtool takes tens of seconds on 5,000 aliases
AUG=${AUG:-1}
AUDIT_RUNS=${AUDIT_RUNS:-5}
HOSTS=${HOSTS:-10000}
BIG=${BIG:-1}
BIG_RUNS=${BIG_RUNS:-2}  # a dry run of 1M stanzas takes tens of seconds
GO=${GO:-go}

cd "$(dirname "$0")/.."
for tool in hyperfine python3 awk dd; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool is required" >&2; exit 2; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/ifacefix-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$W"' EXIT; else echo "compare.sh: work directory $W" >&2; fi
log() { echo "compare.sh: $*" >&2; }
# q quotes its argument for a POSIX shell (and for hyperfine -N, which splits commands the same way).
q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

$GO build -trimpath -tags urfave_cli_no_docs -o "$W/ifacefix" ./cmd/ifacefix
$GO build -trimpath -o "$W/benchgen" ./bench/cmd/benchgen
$GO build -trimpath -o "$W/floor" ./bench/cmd/floor
IF=$W/ifacefix
FLOOR=$W/floor
# -N: no intermediate shell (so --prepare commands are plain commands too).
HF=(hyperfine -N --style basic --warmup 2)

SIZES="10 1000 6250 10000 100000"
BIGN=1000000
have_big=
[ "$BIG" != 0 ] && have_big=1
have_aug=
[ "$AUG" != 0 ] && command -v augtool >/dev/null && have_aug=1

# --- machine -------------------------------------------------------------------------------
{
	echo "cpus=$(nproc)"
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "kernel=$(uname -sr)"
	echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "fs=$(df -T "$W" | awk 'NR==2 {print $2 " on " $1}')"
	echo "go=$($GO env GOVERSION)"
	echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
	if [ -n "$have_aug" ]; then echo "augtool=$(augtool --version 2>&1 | awk 'NR==1 {print $2}')"; fi
	# mawk knows -W version, gawk --version; busybox neither.
	echo "awk=$({ awk -W version 2>/dev/null || awk --version 2>/dev/null; } | awk 'NR==1 {print $1 " " $2 " " $3}')"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "runs=$RUNS"
	echo "aug_runs=$AUG_RUNS"
	echo "big=${have_big:-0}"
	echo "big_runs=$BIG_RUNS"
} >"$W/machine"

# --- inputs --------------------------------------------------------------------------------
# Single files (no source lines) for the side-by-side runs: 4 of 5 stanzas are aliases whose
# gateway and metric are removed, 1 of 5 a primary with its own gateway, so ifacefix, Augeas and
# the awk one-liner must produce the very same bytes (checked below). 6,250 stanzas = 5,000 alias
# stanzas.
mkdir -p "$W/in"
gen_sizes=$SIZES
if [ -n "$have_big" ]; then
	log "generating $BIGN stanzas (~150 MB)"
	gen_sizes="$SIZES $BIGN"
fi
for n in $gen_sizes; do
	"$W/benchgen" file -stanzas "$n" "$W/in/s$n"
	echo "size_s$n=$(stat -c %s "$W/in/s$n")" >>"$W/machine"
done
log "generating $HOSTS host trees"
"$W/benchgen" hosts -n "$HOSTS" "$W/hosts"
(cd "$W/hosts" && { printf 'exec %q --check' "$IF"; printf ' --root %s' h*; printf '\n'; } >"$W/audit.sh")
echo "hosts=$HOSTS" >>"$W/machine"
echo "host_files=$(find "$W/hosts" -type f | wc -l)" >>"$W/machine"

# The expected output, from ifacefix itself, checked against Augeas (when it is there), the awk
# one-liner and the floor program.
mkdir -p "$W/a" "$W/aug" "$W/dd" "$W/awk" "$W/fl"
A=$W/a/interfaces
cp "$W/in/s6250" "$A"
"$IF" --apply --no-backup "$A" 2>/dev/null || [ $? -eq 4 ] # 4: written
cp "$A" "$W/expected"
removed=$(( $(grep -c '' "$W/in/s6250") - $(grep -c '' "$W/expected") ))
echo "lines_removed=$removed" >>"$W/machine"

# The one-liner people write instead of ifacefix: in stanzas whose iface name has a ':', drop the
# gateway and metric lines and the continuation lines of a dropped line that ends in '\'; write a
# temporary file, mv it over the target (a rename, no fsync, no backup).
AWK_PROG='c{c=/\\$/;next} /^[ \t]*(auto|allow-[^ \t]*|mapping|source(-directory)?|iface)[ \t]/{a=$1=="iface"&&$2~/:/} a&&($1=="gateway"||$1=="metric"){c=/\\$/;next} 1'
awkmv() { printf 'awk %s %s >%s.awk-tmp && mv %s.awk-tmp %s' "$(q "$AWK_PROG")" "$1" "$1" "$1" "$1"; }
printf '%s\n' "$(awkmv FILE)" >"$W/awkmv.txt" # for the report
cp "$W/in/s6250" "$W/awk/interfaces"
sh -c "$(awkmv "$W/awk/interfaces")"
if cmp -s "$W/awk/interfaces" "$W/expected"; then
	echo "same_output_awk=yes" >>"$W/machine"
else
	echo "same_output_awk=NO" >>"$W/machine"
	log "WARNING: awk + mv and ifacefix outputs differ"
fi
cp "$W/in/s6250" "$W/fl/interfaces"
"$FLOOR" "$W/fl/interfaces" "$W/expected"
cmp "$W/fl/interfaces" "$W/expected" && cmp -s "$W/fl"/.interfaces.floor-*.bak "$W/in/s6250" ||
	{ log "floor did not replace the file as it should"; exit 1; }

AUGF=$W/aug/interfaces
AUG_PATH="/files$AUGF/iface[. =~ regexp('.*:.*')]/*[label() = 'gateway' or label() = 'metric']"
if [ -n "$have_aug" ]; then
	cp "$W/in/s6250" "$AUGF"
	augtool -A -t "Interfaces incl $AUGF" -s rm "$AUG_PATH" >/dev/null
	if cmp -s "$AUGF" "$W/expected"; then
		echo "same_output=yes" >>"$W/machine"
	else
		echo "same_output=NO" >>"$W/machine"
		log "WARNING: augtool and ifacefix outputs differ"
	fi
fi

# --- 1. --apply on 5,000 alias stanzas vs the durable floor, awk + mv, dd, Augeas -------------
log "apply on 5,000 aliases"
# Every command starts from the same input file in the same directory; the backups of the runs
# before are removed. -i: --apply exits 4 when it wrote (its result is checked above).
"${HF[@]}" -i --runs "$RUNS" --export-json "$W/apply.json" \
	--prepare "sh -c 'cp $W/in/s6250 $A && rm -f $W/a/.interfaces.*'" \
	--command-name "ifacefix --apply --no-backup" "$IF --apply --no-backup $A" \
	--command-name "ifacefix --apply" "$IF --apply $A" \
	--command-name "floor -no-backup" "$FLOOR -no-backup $A $W/expected" \
	--command-name "floor" "$FLOOR $A $W/expected" \
	--command-name "awk + mv" "sh -c $(q "$(awkmv "$A")")" \
	--command-name "write+fsync (dd conv=fsync)" "dd if=$W/expected of=$W/dd/interfaces bs=1M conv=fsync status=none" \
	--command-name "GOGC=100 ifacefix --apply --no-backup" "env GOGC=100 $IF --apply --no-backup $A" \
	--command-name "GOGC=400 ifacefix --apply --no-backup" "env GOGC=400 $IF --apply --no-backup $A" \
	>&2
if [ -n "$have_aug" ]; then
	log "augtool on 5,000 aliases ($AUG_RUNS runs)"
	hyperfine -N --style basic --runs "$AUG_RUNS" --export-json "$W/augtool.json" \
		--prepare "cp $W/in/s6250 $AUGF" \
		--command-name "augtool rm alias gateways and metrics" \
		"augtool -A -t 'Interfaces incl $AUGF' -s rm \"$AUG_PATH\"" \
		>&2
fi

# --- 2. dry run and --check vs reading the file and one awk pass, and growth ---------------------
log "dry runs"
AWK_PASS='/^[ \t]*iface/{n++} END{print n}'
printf 'awk %s FILE\n' "$(q "$AWK_PASS")" >"$W/awkpass.txt" # for the report
args=()
for n in $SIZES; do
	args+=(--command-name "cat s$n" "cat $W/in/s$n")
	args+=(--command-name "awk s$n" "awk $(q "$AWK_PASS") $W/in/s$n")
	args+=(--command-name "dry s$n" "$IF $W/in/s$n")
	args+=(--command-name "check s$n" "$IF --check $W/in/s$n")
done
args+=(--command-name "dry typical" "$IF --root examples/basic")
args+=(--command-name "version" "$IF --version") # Go's start-up and the command line, nothing read
args+=(--command-name "cat typical" "cat examples/basic/etc/network/interfaces examples/basic/etc/network/interfaces.d/eth0-web")
"${HF[@]}" -i --runs "$RUNS" --export-json "$W/dry.json" "${args[@]}" >&2

log "apply growth (10k, 100k stanzas)"
B=$W/b/interfaces
mkdir -p "$W/b"
"${HF[@]}" -i --runs "$RUNS" --export-json "$W/growth.json" \
	--prepare "cp $W/in/s10000 $B" --command-name "apply s10000" "$IF --apply --no-backup $B" \
	--prepare "cp $W/in/s100000 $B" --command-name "apply s100000" "$IF --apply --no-backup $B" \
	>&2

if [ -n "$have_big" ]; then
	log "1M stanzas ($BIG_RUNS runs each, no warm-up)"
	F=$W/in/s$BIGN
	hyperfine -N --style basic -i --runs "$BIG_RUNS" --export-json "$W/big.json" \
		--prepare true --command-name "cat s$BIGN" "cat $F" \
		--prepare true --command-name "awk s$BIGN" "awk $(q "$AWK_PASS") $F" \
		--prepare true --command-name "dry s$BIGN" "$IF $F" \
		--prepare true --command-name "check s$BIGN" "$IF --check $F" \
		--prepare "cp $F $B" --command-name "apply s$BIGN" "$IF --apply --no-backup $B" \
		>&2
fi

# --- 3. audit of many host trees ---------------------------------------------------------------
log "audit of $HOSTS host trees"
# --check exits 1 (findings), which hyperfine -i lets by; anything else (an error, an abort) would
# make the times meaningless, so the run stops here.
st=0; (cd "$W/hosts" && sh "$W/audit.sh" >/dev/null 2>"$W/audit.err") || st=$?
if [ "$st" -gt 1 ]; then log "the audit exits $st:"; tail -5 "$W/audit.err" >&2; exit 1; fi
(cd "$W/hosts" && hyperfine -N --style basic -i --warmup 1 --runs "$AUDIT_RUNS" --export-json "$W/audit.json" \
	--command-name "check $HOSTS trees" "sh $W/audit.sh" >&2)
(cd "$W/hosts" && sh "$W/audit.sh" 2>&1 >/dev/null | tail -1 | sed 's/^/audit_summary=/' >>"$W/machine") || true

# --- 4. peak memory -----------------------------------------------------------------------------
# rss KEY CMD...: GNU time writes its line last, on the same standard error as ifacefix's summary.
rss() {
	local key=$1
	shift
	/usr/bin/time -f 'RSS %M' "$@" >/dev/null 2>"$W/err" || true
	echo "rss_$key=$(sed -n 's/^RSS //p' "$W/err" | tail -1)" >>"$W/machine"
}
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	log "peak memory"
	rss_sizes="10 6250 10000 100000"
	[ -n "$have_big" ] && rss_sizes="$rss_sizes $BIGN"
	for n in $rss_sizes; do
		rss "dry_s$n" "$IF" "$W/in/s$n"
		rss "check_s$n" "$IF" --check "$W/in/s$n"
		cp "$W/in/s$n" "$B"
		rss "apply_s$n" "$IF" --apply --no-backup "$B"
	done
	rss version "$IF" --version
	(cd "$W/hosts" && rss audit sh "$W/audit.sh")
fi
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$W/machine"

python3 bench/report.py "$W"
