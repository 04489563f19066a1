#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian packages from suites the system does not track (trixie,
# trixie-backports, sid, ...) through a private apt state, so that the
# system's own apt setup is never touched.  The archive URI is taken from
# the system's own sources, so no host name lives in this repository.
#
#   deb-fetch.sh update                     refresh the private package lists
#   deb-fetch.sh get SUITE PKG [PKG...]     download .debs, print their paths
#   deb-fetch.sh deps DEB                   print a .deb's Depends package names
#   deb-fetch.sh kernel SUITE [META]        fetch a kernel (metapackage -> image,
#                                           base, binary), unpack it, print the
#                                           unpacked root; with
#                                           SCX_ATTACH_KERNEL_MODULES=1 its
#                                           modules package too (virtme-ng)
#   deb-fetch.sh source SUITE               fetch linux-source-X.Y, unpack the
#                                           tree, print its path
#
# Everything lands under $SCX_ATTACH_CACHE (default: <repo>/.cache).

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SCX_ATTACH_CACHE:-$top/.cache}
state=$cache/apt
suites=${SCX_ATTACH_SUITES:-"bookworm trixie trixie-backports sid"}

die() { echo "deb-fetch: $*" >&2; exit 1; }

archive_uri() {
	local uri

	# deb822 sources first, then the one-line format.  Skip the security
	# archive: kernels and linux-source live in the main archive.
	uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -- '-security' | head -n1 || true)
	if [ -z "$uri" ]; then
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			grep -v -- '-security' | head -n1 || true)
	fi
	[ -n "$uri" ] || die "no Debian archive URI found in the system's apt sources"
	echo "$uri"
}

apt_opts() {
	echo "-o Dir::Etc::SourceList=$state/sources.list -o Dir::Etc::SourceParts=/dev/null" \
	     "-o Dir::State::Lists=$state/lists -o Dir::Cache=$state/cache" \
	     "-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null" \
	     "-o APT::Sandbox::User=root -o Acquire::Retries=3 -q"
}

do_update() {
	local uri s

	mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
	uri=$(archive_uri)
	: > "$state/sources.list.new"
	for s in $suites; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main" \
			>> "$state/sources.list.new"
	done
	mv "$state/sources.list.new" "$state/sources.list"
	# shellcheck disable=SC2046
	apt-get $(apt_opts) update >&2 || die "private apt update failed (network or archive down?)"
	touch "$state/updated"
}

ensure_lists() {
	# Refresh at most once a day: the archive moves, but not by the minute.
	if [ ! -e "$state/updated" ] || [ -n "$(find "$state/updated" -mmin +1440)" ]; then
		do_update
	fi
}

# get SUITE PKG...: download into $cache/debs/SUITE, print each .deb path.
# Per suite: linux-image-amd64 is a different kernel in each.
do_get() {
	local suite=$1 pkg f dir=$cache/debs/$1

	shift
	ensure_lists
	mkdir -p "$dir"
	for pkg in "$@"; do
		f=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n1)
		if [ -z "$f" ]; then
			# shellcheck disable=SC2046
			(cd "$dir" && apt-get $(apt_opts) download "$pkg/$suite" >&2) ||
				die "cannot download $pkg from $suite"
			f=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort | tail -n1)
		fi
		[ -n "$f" ] || die "$pkg: downloaded, but no .deb found"
		dpkg-deb --info "$f" >/dev/null 2>&1 || die "$f is corrupt (dpkg-deb cannot read it)"
		echo "$f"
	done
}

do_deps() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed -e 's/[|(].*//' -e 's/[[:space:]]//g' | grep -v '^$'
}

# kernel SUITE [META]: resolve the metapackage to the versioned image and
# its split parts; unpack them into one root; print the root.
do_kernel() {
	local suite=$1 meta=${2:-linux-image-amd64} deb img dep parts=() root mark=.complete

	deb=$(do_get "$suite" "$meta")
	img=$(do_deps "$deb" | grep '^linux-image-' | head -n1)
	[ -n "$img" ] || die "$meta in $suite names no linux-image-* dependency"
	parts=("$img")
	deb=$(do_get "$suite" "$img")
	for dep in $(do_deps "$deb"); do
		case "$dep" in
		linux-base-[0-9]*|linux-binary-[0-9]*) parts+=("$dep") ;;
		# 107 MB the initramfs VM does not need (its drivers are built in).
		linux-modules-[0-9]*)
			if [ "${SCX_ATTACH_KERNEL_MODULES:-0}" = 1 ]; then
				parts+=("$dep")
				mark=.complete-modules
			fi ;;
		esac
	done
	root=$cache/kernels/${img#linux-image-}
	if [ ! -e "$root/$mark" ]; then
		mkdir -p "$root"
		for deb in $(do_get "$suite" "${parts[@]}"); do
			dpkg-deb -x "$deb" "$root" || die "cannot unpack $deb"
		done
		touch "$root/.complete" "$root/$mark"
	fi
	echo "$root"
}

do_source() {
	local suite=$1 deb src tarball tree

	deb=$(do_get "$suite" linux-source)
	src=$(do_deps "$deb" | grep '^linux-source-' | head -n1)
	[ -n "$src" ] || die "linux-source in $suite names no linux-source-X.Y"
	tree=$cache/$src
	if [ ! -e "$tree/.complete" ]; then
		deb=$(do_get "$suite" "$src")
		rm -rf "$cache/.src-unpack" "$tree"
		mkdir -p "$cache/.src-unpack"
		dpkg-deb -x "$deb" "$cache/.src-unpack" || die "cannot unpack $deb"
		tarball=$(find "$cache/.src-unpack/usr/src" -maxdepth 1 -name 'linux-source-*.tar.*' | head -n1)
		[ -n "$tarball" ] || die "$deb holds no source tarball"
		mkdir -p "$tree"
		tar -xf "$tarball" -C "$tree" --strip-components=1 || die "cannot extract $tarball"
		rm -rf "$cache/.src-unpack"
		touch "$tree/.complete"
	fi
	echo "$tree"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
update) do_update ;;
get) [ $# -ge 2 ] || die "usage: get SUITE PKG..."; do_get "$@" ;;
deps) [ $# -eq 1 ] || die "usage: deps DEB"; do_deps "$1" ;;
kernel) [ $# -ge 1 ] || die "usage: kernel SUITE [META]"; do_kernel "$@" ;;
source) [ $# -eq 1 ] || die "usage: source SUITE"; do_source "$1" ;;
*) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
