#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Put the scx_attach suite into a Linux tree as a kselftest collection:
# copies the tracked files the in-tree suite is made of (the kselftest
# Makefile, the test, lib/, fixtures/, selftest/, config, settings,
# run_tests.sh, README; never the standalone GNUmakefile, the test bed's
# own checks, .cache or build outputs) into
# <tree>/tools/testing/selftests/<dir>.
#
#   tools/intree.sh [--dir NAME] [--register] LINUX_TREE
#
#   --dir NAME    collection name (default scx_attach).  Not "sched_ext" or
#                 any other name in the selftests Makefile's SKIP_TARGETS:
#                 those are silently skipped by the selftests Makefile
#   --register    also add NAME to TARGETS in tools/testing/selftests/Makefile,
#                 so a plain `make -C tools/testing/selftests` includes it
#
# Then, in the tree:
#   make -C tools/testing/selftests TARGETS=scx_attach [O=DIR]
#   make -C tools/testing/selftests TARGETS=scx_attach run_tests
#   make -C tools/testing/selftests TARGETS=scx_attach install INSTALL_PATH=DIR
#
# The fixture schedulers need a vmlinux with sched_ext BTF: a built tree's
# own vmlinux, or VMLINUX_BTF=..., or SCX_ATTACH_CACHE=<repo>/.cache (the
# Debian kernel tools/setup.sh fetched).  An existing <dir> is replaced only
# if it holds a previous copy of this suite.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
name=scx_attach
register=0

die() { echo "intree: $*" >&2; exit 1; }

usage() {
	sed -n '4,/^$/{/^$/d;s/^# \{0,1\}//;p}' "$0"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--dir) [ $# -ge 2 ] || die "--dir needs a name"; name=$2; shift ;;
	--register) register=1 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || { usage >&2; exit 2; }
tree=$1
ksft=$tree/tools/testing/selftests

if [ ! -f "$ksft/kselftest_harness.h" ] || [ ! -f "$ksft/lib.mk" ]; then
	die "$tree is not a Linux tree (no tools/testing/selftests/lib.mk)"
fi
[[ $name =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || die "--dir '$name': not a plain directory name"
# The selftests Makefile drops these from TARGETS without a word.
skip=$(sed -n 's/^[[:space:]]*\(override[[:space:]]\+\)\{0,1\}SKIP_TARGETS[[:space:]]*?\{0,1\}=//p' \
	"$ksft/Makefile" 2>/dev/null | tr '\n' ' ')
for s in sched_ext $skip; do
	[ "$name" != "$s" ] || die "--dir $name: the selftests Makefile skips '$s' (SKIP_TARGETS); pick another name"
done

git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
	die "$top is not a git checkout: cannot tell tracked files from build outputs"
# What a kernel tree gets: the suite, not the machinery that tests it.
intree_paths=(Makefile README config settings run_tests.sh scx_attach_test.c lib fixtures selftest)
mapfile -d '' files < <(git -C "$top" ls-files -z -- "${intree_paths[@]}")
[ ${#files[@]} -gt 0 ] || die "git ls-files lists nothing in $top"

dest=$ksft/$name
if [ -e "$dest" ] || [ -L "$dest" ]; then
	if [ ! -d "$dest" ] || [ -L "$dest" ] || [ ! -f "$dest/scx_attach_test.c" ]; then
		die "$dest exists and is not a copy of this suite: not touching it"
	fi
	rm -rf "$dest"
fi
mkdir -p "$dest"
n=0
for f in "${files[@]}"; do
	# Deleted but not yet committed: nothing to copy.
	[ -e "$top/$f" ] || [ -L "$top/$f" ] || continue
	mkdir -p "$dest/$(dirname "$f")"
	cp -P --preserve=mode,timestamps -- "$top/$f" "$dest/$f"
	n=$((n + 1))
done

if [ "$register" = 1 ] && ! grep -Eq "^TARGETS[[:space:]]*\+=[[:space:]]*${name}[[:space:]]*\$" "$ksft/Makefile"; then
	last=$(grep -n '^TARGETS[[:space:]]*+=' "$ksft/Makefile" | tail -n1 | cut -d: -f1)
	[ -n "$last" ] || die "no 'TARGETS +=' line in $ksft/Makefile to register after"
	# Write a new file: the tree may be a hard-linked copy of another.
	sed "${last}a TARGETS += $name" "$ksft/Makefile" > "$ksft/Makefile.scx_attach.new"
	mv -- "$ksft/Makefile.scx_attach.new" "$ksft/Makefile"
fi

echo "intree: $n files -> $dest"
