#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the benchmarks write into their document.
#
#   doc.sh machine              one line: host CPU model, cores, load average
#   doc.sh write NAME FILE      replace NAME's generated section of FILE with
#                               stdin (appended at the end the first time)
#
# A section runs from "<!-- begin NAME: ... -->" to "<!-- end NAME -->";
# everything outside the sections is left as it is.

set -euo pipefail

case "${1:-}" in
machine)
	cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	echo "host CPU ${cpu:-unknown}, $(nproc) cores, load average $load (1, 5, 15 min)"
	;;
write)
	[ $# = 3 ] || { echo "doc.sh: write NAME FILE" >&2; exit 2; }
	name=$2
	file=$3
	begin="<!-- begin $name: written by make ${DOC_BY:-$name}, do not edit -->"
	end="<!-- end $name -->"
	tmp=$(mktemp "$file.XXXXXX")
	trap 'rm -f "$tmp"' EXIT
	body=$(cat)
	touch "$file"
	if grep -qxF "$begin" "$file" && grep -qxF "$end" "$file"; then
		BODY=$body awk -v b="$begin" -v e="$end" '
			$0 == b { print; print ENVIRON["BODY"]; skip = 1; next }
			$0 == e { skip = 0 }
			!skip { print }' "$file" > "$tmp"
	else
		{ cat "$file"; printf '\n%s\n%s\n%s\n' "$begin" "$body" "$end"; } > "$tmp"
	fi
	cat "$tmp" > "$file"
	;;
*)
	echo "usage: doc.sh machine | doc.sh write NAME FILE < section" >&2
	exit 2
	;;
esac
