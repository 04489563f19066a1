#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad input on the real kernel: boot the sched_ext kernel and run
# guest-badinput.sh as root, then boot it again and run the suite as an
# unprivileged user (constant SKIP, exit 4).  Prints TAP.
#
#   vm-badinput.sh SUITE_DIR [run-vm.sh options]

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
suite=${1:?usage: vm-badinput.sh SUITE_DIR [run-vm.sh options]}
shift
build=$suite/reliability-build
work=$(mktemp -d "${TMPDIR:-/tmp}/scx-badvm.XXXXXX")
trap 'rm -rf "$work"' EXIT
# shellcheck source=tools/ktap.sh
. "$top/tools/ktap.sh"

ok() { ktap_test_pass "$1"; }
not_ok() { ktap_print_msg "$2"; ktap_test_fail "$1"; }

ktap_print_header
ktap_set_plan 2

name="bad input on the sched_ext kernel, as root"
"$top/vm/run-vm.sh" --suite-dir "$suite" --timeout 900 \
	--add "$build/flood_sched" --add "$here/guest-badinput.sh" --add "$scx_ktap_helpers" \
	"$@" --cmd './guest-badinput.sh' >"$work/root.tap" 2>"$work/root.err"
rc=$?
sed 's/^/# | /' "$work/root.tap"
grep '^vm: ' "$work/root.err" | sed 's/^/# /'
if [ "$rc" != 0 ]; then
	not_ok "$name" "guest-badinput.sh exited $rc"
elif ! prove --exec cat "$work/root.tap" >/dev/null 2>&1; then
	not_ok "$name" "its TAP does not parse"
else
	ok "$name"
fi

name="not root in the VM: constant SKIP, exit 4"
want='1..0 # SKIP needs CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON (root has them), to load BPF schedulers'
"$top/vm/run-vm.sh" --suite-dir "$suite" --timeout 300 --user scxuser "$@" \
	--cmd './scx_attach_test' >"$work/user.tap" 2>"$work/user.err"
rc=$?
sed 's/^/# | /' "$work/user.tap"
grep '^vm: ' "$work/user.err" | sed 's/^/# /'
if [ "$rc" != 4 ]; then
	not_ok "$name" "exit status $rc, want 4"
elif ! grep -qxF "$want" "$work/user.tap"; then
	not_ok "$name" "no constant SKIP line"
elif [ "$(head -n 1 "$work/user.tap")" != "TAP version 13" ]; then
	not_ok "$name" "no KTAP version line first"
else
	ok "$name"
fi

ktap_finished
