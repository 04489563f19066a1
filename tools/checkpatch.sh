#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel coding style of the C files git tracks: scripts/checkpatch.pl of a
# Linux tree, one run over them all, then the count of each error and
# warning type.  A report, not a gate: it exits 0 whatever it finds.
#
#   tools/checkpatch.sh LINUX_TREE [FILE...]    (default: every tracked .c/.h)
#
# --verbose lists each finding (FILE:LINE: TYPE: message) before the counts.

set -euo pipefail

verbose=0
if [ "${1:-}" = --verbose ]; then
	verbose=1
	shift
fi
tree=${1:?usage: tools/checkpatch.sh [--verbose] LINUX_TREE [FILE...]}
shift
cp=$tree/scripts/checkpatch.pl
[ -r "$cp" ] || { echo "checkpatch: no $cp" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ $# = 0 ]; then
	mapfile -t files < <(git ls-files '*.c' '*.h')
else
	files=("$@")
fi

out=$(perl "$cp" --no-tree --terse --show-types --no-summary -f "${files[@]}" 2>/dev/null || true)
[ "$verbose" = 1 ] && [ -n "$out" ] && printf '%s\n' "$out"
printf '%s\n' "$out" | sed -n 's/^[^:]*:[0-9]*: \(ERROR\|WARNING\|CHECK\):\([A-Z_0-9]*\):.*/\1 \2/p' |
	sort | uniq -c | sort -k2,2 -k1,1nr |
	awk -v n="${#files[@]}" '
		{ printf "%6d  %-8s %s\n", $1, $2, $3; total[$2] += $1 }
		END {
			printf "checkpatch: %d files, %d errors, %d warnings\n", n,
			       total["ERROR"], total["WARNING"]
		}'
