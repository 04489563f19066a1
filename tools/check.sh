#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: everything that tests the test bed, in two lanes.
#
# Most of it boots qemu under TCG, where one guest keeps one host CPU busy:
# on two CPUs two lanes of guests run side by side in about half the time.
# The timing-sensitive simulated tests run first, alone.  Each target's
# output is printed whole when it ends (lanes do not interleave inside a
# target), then one summary line per target.
#
#   tools/check.sh [MAKE_ARGS...]       (make check passes OUTPUT=...)
#
# CHECK_LANES=1 runs everything one after the other.

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/scx-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
make_args=("$@")

first=(check-sim)
# Balanced by what they took in CI: ~1100 s and ~1000 s.
lane1=(check-reliability check-ecosystem bench-smoke)
lane2=(vm-check check-matrix)

# run TARGET: make it, keep its output and status, print it whole at the end.
run() {
	local t=$1 t0=$SECONDS rc=0

	make -C "$top" --no-print-directory "${make_args[@]}" "$t" >"$work/$t.log" 2>&1 || rc=$?
	echo "$rc $((SECONDS - t0))" > "$work/$t.status"
	{
		flock 9
		echo "=== make $t: $([ "$rc" = 0 ] && echo ok || echo "FAILED ($rc)") in $((SECONDS - t0)) s"
		cat "$work/$t.log"
	} 9>"$work/.print"
}

lane() {
	local t

	for t in "$@"; do
		run "$t"
	done
}

t_all=$SECONDS
# Whatever the targets share is built once, before the lanes.
make -C "$top" --no-print-directory "${make_args[@]}" all check-prereqs || exit 1
lane "${first[@]}"
if [ "${CHECK_LANES:-2}" = 1 ]; then
	lane "${lane1[@]}" "${lane2[@]}"
else
	lane "${lane1[@]}" &
	pid1=$!
	lane "${lane2[@]}"
	wait "$pid1"
fi

fail=0
echo "=== check: $((SECONDS - t_all)) s in all"
for t in "${first[@]}" "${lane1[@]}" "${lane2[@]}"; do
	read -r rc secs < "$work/$t.status" 2>/dev/null || { rc=missing; secs=0; }
	[ "$rc" = 0 ] || fail=$((fail + 1))
	printf '=== %-18s %-7s %5s s\n' "$t" "$([ "$rc" = 0 ] && echo ok || echo FAILED)" "$secs"
done
# A CI page often shows only the end of the output: repeat what failed there.
for t in "${first[@]}" "${lane1[@]}" "${lane2[@]}"; do
	read -r rc secs < "$work/$t.status" 2>/dev/null || continue
	[ "$rc" = 0 ] && continue
	echo "=== $t failed; its failures and last lines:"
	# A TAP failure's reason is the diagnostic line just before it.
	grep -B2 -E '^[[:space:]]*not ok' "$work/$t.log" | head -40
	tail -n 30 "$work/$t.log"
done
[ "$fail" = 0 ]
