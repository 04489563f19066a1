# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
#
# Source the Linux tree's kselftest/ktap_helpers.sh, so that our scripts
# print KTAP the way kselftest's own shell tests do.  Looked for next to the
# sourcing script (a guest copy), in KSFT_DIR, in the enclosing selftests
# tree, then in the newest tree tools/setup.sh unpacked into the cache.
#
#   . tools/ktap.sh            (from bash or busybox sh)

scx_ktap_find() {
	for d in "$(dirname "$0")" "${KSFT_DIR:-}/kselftest" "$(dirname "$0")/../../kselftest" \
		 $(find "${SCX_ATTACH_CACHE:-$(dirname "$0")/../.cache}" -mindepth 5 -maxdepth 5 \
			-path '*/linux-source-*/tools/testing/selftests/kselftest' 2>/dev/null | sort -V -r); do
		[ -r "$d/ktap_helpers.sh" ] && { echo "$d/ktap_helpers.sh"; return 0; }
	done
	return 1
}

if ! scx_ktap_helpers=$(scx_ktap_find); then
	echo "Bail out! no kselftest/ktap_helpers.sh: run tools/setup.sh, or set KSFT_DIR"
	exit 4
fi
# shellcheck disable=SC1090
. "$scx_ktap_helpers"
