#!/usr/bin/env bash
# bench/compare.sh: whole-process benchmarks of ifacefix, side by side, in one run on the same
# generated files (see BENCHMARKS.md for what each line means). Needs hyperfine, python3, dd,
# augtool (augeas-tools) and /usr/bin/time (GNU time); a missing augtool only drops its rows.
#
#   bash bench/compare.sh            # what `make bench` runs (about 5 minutes)
#   RUNS=20 AUG_RUNS=5 bash bench/compare.sh
#   KEEP=1 bash bench/compare.sh     # keep the work directory (hyperfine JSON files) for a look
#
# It prints a Markdown report on standard output: medians of several runs and their ratios.
set -euo pipefail

RUNS=${RUNS:-10}         # runs per command (hyperfine --runs)
AUG_RUNS=${AUG_RUNS:-3}  # augtool takes tens of seconds on 5,000 aliases
AUDIT_RUNS=${AUDIT_RUNS:-5}
HOSTS=${HOSTS:-10000}
GO=${GO:-go}

cd "$(dirname "$0")/.."
for tool in hyperfine python3 dd; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool is required" >&2; exit 2; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/ifacefix-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$W"' EXIT; else echo "compare.sh: work directory $W" >&2; fi
log() { echo "compare.sh: $*" >&2; }

$GO build -trimpath -tags urfave_cli_no_docs -o "$W/ifacefix" ./cmd/ifacefix
$GO build -o "$W/benchgen" ./bench/cmd/benchgen
IF=$W/ifacefix
# -N: no intermediate shell (so --prepare commands are plain commands too).
HF=(hyperfine -N --style basic --warmup 2)

# --- machine -------------------------------------------------------------------------------
{
	echo "cpus=$(nproc)"
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "kernel=$(uname -sr)"
	echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "fs=$(df -T "$W" | awk 'NR==2 {print $2 " on " $1}')"
	echo "go=$($GO env GOVERSION)"
	echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
	echo "augtool=$(augtool --version 2>&1 | awk 'NR==1 {print $2}')"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "runs=$RUNS"
	echo "aug_runs=$AUG_RUNS"
} >"$W/machine"

# --- inputs --------------------------------------------------------------------------------
# Single files (no source lines) for the side-by-side runs: 4 of 5 stanzas are aliases whose
# gateway and metric are removed, 1 of 5 a primary with its own gateway, so ifacefix and Augeas must produce
# the very same bytes (checked below). 6,250 stanzas = 5,000 alias stanzas.
mkdir -p "$W/in"
for n in 10 1000 6250 10000 100000; do
	"$W/benchgen" file -stanzas "$n" "$W/in/s$n"
	echo "size_s$n=$(stat -c %s "$W/in/s$n")" >>"$W/machine"
done
log "generating $HOSTS host trees"
"$W/benchgen" hosts -n "$HOSTS" "$W/hosts"
(cd "$W/hosts" && { printf 'exec %q --check' "$IF"; printf ' --root %s' h*; printf '\n'; } >"$W/audit.sh")
echo "hosts=$HOSTS" >>"$W/machine"
echo "host_files=$(find "$W/hosts" -type f | wc -l)" >>"$W/machine"

# The expected output, from ifacefix itself, checked against Augeas when it is there.
mkdir -p "$W/a" "$W/aug" "$W/floor"
A=$W/a/interfaces
cp "$W/in/s6250" "$A"
"$IF" --apply --no-backup "$A" 2>/dev/null || [ $? -eq 4 ] # 4: written
cp "$A" "$W/expected"
removed=$(( $(grep -c '' "$W/in/s6250") - $(grep -c '' "$W/expected") ))
echo "lines_removed=$removed" >>"$W/machine"
AUG=$W/aug/interfaces
have_aug=
if command -v augtool >/dev/null; then
	have_aug=1
	cp "$W/in/s6250" "$AUG"
	augtool -A -t "Interfaces incl $AUG" -s rm "/files$AUG/iface[. =~ regexp('.*:.*')]/*[label() = 'gateway' or label() = 'metric']" >/dev/null
	if cmp -s "$AUG" "$W/expected"; then
		echo "same_output=yes" >>"$W/machine"
	else
		echo "same_output=NO" >>"$W/machine"
		log "WARNING: augtool and ifacefix outputs differ"
	fi
fi

# --- 1. --apply on 5,000 alias stanzas vs Augeas vs write+fsync ------------------------------
log "apply on 5,000 aliases"
# -i: --apply exits 4 when it wrote (the result is checked against $W/expected above).
"${HF[@]}" -i --runs "$RUNS" --export-json "$W/apply.json" \
	--prepare "sh -c 'cp $W/in/s6250 $A && rm -f $W/a/.interfaces.*'" \
	--command-name "ifacefix --apply --no-backup" "$IF --apply --no-backup $A" \
	--command-name "ifacefix --apply" "$IF --apply $A" \
	--command-name "write+fsync (dd conv=fsync)" "dd if=$W/expected of=$W/floor/interfaces bs=1M conv=fsync status=none" \
	>&2
if [ -n "$have_aug" ]; then
	log "augtool on 5,000 aliases ($AUG_RUNS runs)"
	hyperfine -N --style basic --runs "$AUG_RUNS" --export-json "$W/augtool.json" \
		--prepare "cp $W/in/s6250 $AUG" \
		--command-name "augtool rm alias gateways and metrics" \
		"augtool -A -t 'Interfaces incl $AUG' -s rm \"/files$AUG/iface[. =~ regexp('.*:.*')]/*[label() = 'gateway' or label() = 'metric']\"" \
		>&2
fi

# --- 2. dry run vs reading the file, and growth -------------------------------------------
log "dry runs"
args=()
for n in 10 1000 6250 10000 100000; do
	args+=(--command-name "cat s$n" "cat $W/in/s$n")
	args+=(--command-name "dry s$n" "$IF $W/in/s$n")
	args+=(--command-name "check s$n" "$IF --check $W/in/s$n")
done
args+=(--command-name "dry typical" "$IF --root examples/basic")
args+=(--command-name "cat typical" "cat examples/basic/etc/network/interfaces examples/basic/etc/network/interfaces.d/eth0-web")
"${HF[@]}" -i --runs "$RUNS" --export-json "$W/dry.json" "${args[@]}" >&2

log "apply growth (10k, 100k stanzas)"
B=$W/b/interfaces
mkdir -p "$W/b"
"${HF[@]}" -i --runs "$RUNS" --export-json "$W/growth.json" \
	--prepare "cp $W/in/s10000 $B" --command-name "apply s10000" "$IF --apply --no-backup $B" \
	--prepare "cp $W/in/s100000 $B" --command-name "apply s100000" "$IF --apply --no-backup $B" \
	>&2

# --- 3. audit of many host trees ---------------------------------------------------------------
log "audit of $HOSTS host trees"
(cd "$W/hosts" && hyperfine -N --style basic -i --warmup 1 --runs "$AUDIT_RUNS" --export-json "$W/audit.json" \
	--command-name "check $HOSTS trees" "sh $W/audit.sh" >&2)
(cd "$W/hosts" && sh "$W/audit.sh" 2>&1 >/dev/null | tail -1 | sed 's/^/audit_summary=/' >>"$W/machine") || true

# --- 4. peak memory -----------------------------------------------------------------------------
if [ -x /usr/bin/time ]; then
	log "peak memory"
	for n in 10 6250 10000 100000; do
		# GNU time writes its line last on the same standard error as ifacefix's summary.
		/usr/bin/time -f 'RSS %M' "$IF" "$W/in/s$n" >/dev/null 2>"$W/err" || true
		echo "rss_dry_s$n=$(sed -n 's/^RSS //p' "$W/err" | tail -1)" >>"$W/machine"
		cp "$W/in/s$n" "$B"
		/usr/bin/time -f 'RSS %M' "$IF" --apply --no-backup "$B" >/dev/null 2>"$W/err" || true
		echo "rss_apply_s$n=$(sed -n 's/^RSS //p' "$W/err" | tail -1)" >>"$W/machine"
	done
	/usr/bin/time -f 'RSS %M' "$IF" --version >/dev/null 2>"$W/err" || true
	echo "rss_version=$(sed -n 's/^RSS //p' "$W/err" | tail -1)" >>"$W/machine"
	(cd "$W/hosts" && /usr/bin/time -f 'RSS %M' sh "$W/audit.sh" >/dev/null 2>"$W/err") || true
	echo "rss_audit=$(sed -n 's/^RSS //p' "$W/err" | tail -1)" >>"$W/machine"
fi
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$W/machine"

python3 bench/report.py "$W"
