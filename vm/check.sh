#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The suite on real kernels, as `make vm-check` and CI run it:
#   1. Debian's sched_ext kernel: every fixture variant, with the kernel
#      tree's scx_simple as the user's scheduler; its KTAP must parse.
#   2. The same kernel, scx_qmap as the user's scheduler.
#   3. Debian trixie's 6.12 kernel (no sched_ext): the suite must SKIP,
#      exit 4, with its constant reason.
#   4. The VM runner's own checks (boot failures, panics, libraries).
#
#   vm/check.sh SUITE_DIR [run-vm.sh options]
#
# Prints KTAP (the Linux tree's kselftest/ktap_helpers.sh); exits nonzero
# if any step fails.  The suites' own KTAP is
# shown as indented diagnostics and kept whole in $SCX_ATTACH_ARTIFACTS if
# that is set.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
suite=${1:?usage: vm/check.sh SUITE_DIR [run-vm.sh options]}
shift
# shellcheck source=vm/common.sh
. "$here/common.sh"
ktap=$(ktap_helpers) || exit 1
# shellcheck source=/dev/null
. "$ktap"
work=$(mktemp -d "${TMPDIR:-/tmp}/scx-vmcheck.XXXXXX")
trap 'rm -rf "$work"' EXIT

ok() { ktap_test_pass "$1"; }
not_ok() { ktap_test_fail "$1"; echo "# $2"; }

# run NAME [run-vm.sh args...]: boot, keep stdout as NAME.tap, stderr as NAME.err
run() {
	local name=$1

	shift
	"$here/run-vm.sh" --suite-dir "$suite" "$@" >"$work/$name.tap" 2>"$work/$name.err"
	rc=$?
	sed 's/^/# | /' "$work/$name.tap"
	grep '^vm: ' "$work/$name.err" | sed 's/^/# /'
	if [ -n "${SCX_ATTACH_ARTIFACTS:-}" ]; then
		mkdir -p "$SCX_ATTACH_ARTIFACTS"
		cp "$work/$name.tap" "$work/$name.err" "$SCX_ATTACH_ARTIFACTS/"
	fi
}

# The KTAP must parse with no errors, and its counts must match.
parses() {
	prove --exec cat "$work/$1.tap" >"$work/$1.prove" 2>&1
}

ktap_print_header
ktap_set_plan 4

name="sched_ext kernel: fixture verdicts and scx_simple as the user's scheduler"
run sched_ext "$@" -- --sched ./scx_simple --ops simple
if [ "$rc" != 0 ]; then
	not_ok "$name" "suite exited $rc (see the output above)"
elif ! grep -q '^vm: kernel ' "$work/sched_ext.err"; then
	not_ok "$name" "no kernel version line"
elif ! parses sched_ext; then
	not_ok "$name" "prove: $(tail -n1 "$work/sched_ext.prove")"
elif grep -q '^ok .*# SKIP' "$work/sched_ext.tap"; then
	not_ok "$name" "a variant was skipped: every fixture must run on the real kernel"
else
	ok "$name"
fi

name="sched_ext kernel: scx_qmap as the user's scheduler"
run qmap "$@" -- --sched ./scx_qmap --ops qmap --only-user
if [ "$rc" != 0 ]; then
	not_ok "$name" "suite exited $rc"
elif ! parses qmap; then
	not_ok "$name" "prove: $(tail -n1 "$work/qmap.prove")"
elif ! grep -q '^ok 1 scx.user.verdict$' "$work/qmap.tap"; then
	not_ok "$name" "scx.user.verdict did not pass"
else
	ok "$name"
fi

name="kernel without sched_ext: SKIP with exit 4"
run nosched "$@" --kernel trixie
if [ "$rc" != 4 ]; then
	not_ok "$name" "exit status $rc, want 4"
elif ! grep -q '^1\.\.0 # SKIP kernel has no sched_ext: build with CONFIG_SCHED_CLASS_EXT=y (see config)$' \
	"$work/nosched.tap"; then
	not_ok "$name" "no constant SKIP line"
else
	ok "$name"
fi

name="VM runner self-checks"
"$here/selftest.sh" "$@" >"$work/runner.tap" 2>&1
rc=$?
sed 's/^/# | /' "$work/runner.tap"
if [ "$rc" = 0 ]; then
	ok "$name"
else
	not_ok "$name" "vm/selftest.sh exited $rc"
fi

ktap_finished
