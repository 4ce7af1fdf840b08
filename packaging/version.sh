#!/bin/sh
# version.sh: prints the version every Makefile build stamps into ifacefix: `git describe`
# against the newest v* tag, without the "v" ("1.2.0", "1.2.0-3-g1a2b3c4", "-dirty" with
# uncommitted changes). Before the first tag it counts from an imaginary v0.0.0 before the first
# commit: "0.0.0-56-gcc3d7dd". Fails outside a git checkout: then give it (make VERSION=...).
#
# version.sh deb [VERSION]: the Debian version of VERSION (default: the one above):
# "1.2.0+3.g1a2b3c4", "0.0.0+56.gcc3d7dd".
set -eu
if [ "${1-}" = deb ] && [ -n "${2-}" ]; then
	v=${2#v}
else
	cd "$(dirname "$0")/.."
	if v=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
		v=${v#v}
	else
		hash=$(git rev-parse --short HEAD)
		count=$(git rev-list --count HEAD)
		git update-index -q --refresh >/dev/null 2>&1 || true
		dirty=$(git diff-index --quiet HEAD -- 2>/dev/null || echo -dirty)
		v=0.0.0-$count-g$hash$dirty
	fi
fi
if [ "${1-}" = deb ]; then
	# "-N-gHASH" (commits since the tag) and "-dirty" sort after the tag ("+"), any other "-"
	# (v1.0.0-rc1) before it ("~").
	v=$(printf '%s\n' "$v" | sed -e 's/-\([0-9][0-9]*\)-g\([0-9a-f]*\)/+\1.g\2/' -e 's/-dirty$/+dirty/' -e 's/-/~/g')
	case $v in
	[0-9]*) ;;
	*) echo "version.sh: $v: a Debian version must start with a digit" >&2; exit 1 ;;
	esac
fi
printf '%s\n' "$v"
