#!/bin/sh
# mkdeb.sh STAGE VERSION GOARCH MAINTAINER OUT: turns STAGE, a tree installed by
# `make install DESTDIR=STAGE PREFIX=/usr`, into the Debian package OUT/ifacefix_DEBVERSION_ARCH.deb
# with dpkg-deb (`make deb` runs it). VERSION is the Makefile's (packaging/version.sh); it adds
# /usr/share/doc/ifacefix (README, a Debian changelog for VERSION, copyright), the lintian
# overrides and DEBIAN/.
set -eu
stage=$1 version=$2 goarch=$3 maintainer=$4 out=$5
here=$(cd "$(dirname "$0")" && pwd)

debversion=$("$here/version.sh" deb "$version")
case $goarch in
386) arch=i386 ;;
arm) arch=armhf ;;
ppc64le) arch=ppc64el ;;
mips64le) arch=mips64el ;;
*) arch=$goarch ;; # amd64, arm64, riscv64, s390x, loong64
esac
# The changelog's date: the commit's, so that the same commit gives the same package.
when=$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)

doc=$stage/usr/share/doc/ifacefix
mkdir -p "$doc" "$stage/DEBIAN"
gzip -9n <"$here/../README.md" >"$doc/README.md.gz"
sed "s|@MAINTAINER@|$maintainer|" "$here/debian/copyright" >"$doc/copyright"
mkdir -p "$stage/usr/share/lintian/overrides"
cp "$here/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/ifacefix"
# A native package's changelog is changelog.gz (Debian policy 12.7).
{
	printf 'ifacefix (%s) unstable; urgency=medium\n\n' "$debversion"
	printf '  * Built from ifacefix %s.\n\n' "$version"
	printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -R -d "@$when")"
} | gzip -9n >"$doc/changelog.gz"

find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$stage/usr/sbin/ifacefix"
size=$(du -sk --apparent-size "$stage/usr" | cut -f1)
sed -e "s|@VERSION@|$debversion|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" -e "s|@SIZE@|$size|" \
	"$here/debian/control" >"$stage/DEBIAN/control"
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/ifacefix_${debversion}_$arch.deb
SOURCE_DATE_EPOCH=$when dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
