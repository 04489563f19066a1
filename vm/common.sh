# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Exit codes, messages and paths shared by the VM runner's parts.  Sourced
# by each part that needs it.

# shellcheck disable=SC2034 # used by the files that source this one
E_USAGE=2 E_SETUP=90 E_BOOT=91 E_PANIC=92 E_TIMEOUT=93 E_LOST=94 E_SHAPE=95

msg() { echo "vm: $*" >&2; }

die() {
	local rc=$1

	shift
	msg "$*"
	exit "$rc"
}

# A zombie still answers kill -0: read the state instead.
alive() {
	local _pid _comm state

	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	read -r _pid _comm state _ < "/proc/$1/stat" 2>/dev/null || return 1
	[ "$state" != Z ]
}

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$vm_dir/.." && pwd)
cache=${SCX_ATTACH_CACHE:-$top/.cache}

# The Linux tree the build uses: KSRC, else the newest one in the cache.
linux_tree() {
	local t

	if [ -n "${KSRC:-}" ]; then
		echo "$KSRC"
		return
	fi
	t=$(printf '%s\n' "$cache"/linux-source-*/tools/testing/selftests/lib.mk | sort -V | tail -n1)
	[ -e "$t" ] || return 1
	echo "${t%/tools/testing/selftests/lib.mk}"
}

# The tree's KTAP helpers, for our scripts that print TAP.
ktap_helpers() {
	local t

	t=$(linux_tree)/tools/testing/selftests/kselftest/ktap_helpers.sh
	if ! [ -r "$t" ]; then
		echo "no Linux tree with kselftest/ktap_helpers.sh: run tools/setup.sh or set KSRC" >&2
		return 1
	fi
	echo "$t"
}
