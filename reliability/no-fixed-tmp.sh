#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No fixed paths under /tmp in the repo's code and scripts: a root-run tool
# that writes to a predictable name in a world-writable directory can be
# made to clobber any file through a planted symlink.  Allowed: /tmp as a
# parent for mkdtemp/mktemp templates (...XXXXXX), and TMPDIR fallbacks.
# Also flags tmpnam/tempnam/mktemp(3), which only make a name.
#
#   no-fixed-tmp.sh [REPO_TOP]      prints TAP, exits 1 on a finding

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${1:-$(cd "$here/.." && pwd)}
# shellcheck source=tools/ktap.sh
. "$here/../tools/ktap.sh"
cd "$top" || exit 2

if git rev-parse --git-dir >/dev/null 2>&1; then
	files=$(git ls-files -co --exclude-standard)
else
	files=$(find . -type f ! -path './.git/*' | sed 's|^\./||')
fi
# Code and scripts only: not the cache, build output, corpus or prose.
files=$(printf '%s\n' "$files" | grep -Ev '^(\.cache/|fuzz/corpus/|reliability-build/|fixtures-build/)' |
	grep -E '\.(c|h|sh|mk|py)$|(^|/)(Makefile|run_tests\.sh|run)$')

ktap_print_header
ktap_set_plan 2
hits=$(printf '%s\n' "$files" | xargs -r grep -nE '/tmp/[A-Za-z0-9_.$-]' 2>/dev/null |
	grep -vE '/tmp/[^"[:space:]]*XXXXXX' | grep -v 'no-fixed-tmp' || true)
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed 's/^/# /'
	ktap_test_fail "no fixed path under /tmp"
else
	ktap_print_msg "$(printf '%s\n' "$files" | wc -l) files scanned"
	ktap_test_pass "no fixed path under /tmp"
fi
hits=$(printf '%s\n' "$files" | grep -E '\.[ch]$' | xargs -r grep -nE '\b(tmpnam|tempnam|mktemp)[[:space:]]*\(' 2>/dev/null || true)
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed 's/^/# /'
	ktap_test_fail "no name-only temp file functions (tmpnam, tempnam, mktemp)"
else
	ktap_test_pass "no name-only temp file functions (tmpnam, tempnam, mktemp)"
fi
ktap_finished
