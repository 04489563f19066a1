#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stop the whole guest for a while, as a busy host or a paused VM does:
# run vm/run-vm.sh, and each time its output shows a line matching --at,
# wait --delay seconds, then SIGSTOP the qemu process this run started
# (never another's) for --pause seconds and SIGCONT it.  The guest's clock
# jumps over the pause: sched_ext's watchdog sees a wait that long, and
# the suite's SCHED_FIFO reference a vCPU stall that long.
#
#   vm/pause-guest.sh [--at REGEX] [--delay S] [--pause S] [--times N] \
#                     -- RUN_VM_ARGS...
#
# --at      default '^#  RUN ' (each test's start)
# --delay   seconds after the match (default 15), e.g. into the hold
# --pause   seconds stopped (default 10)
# --times   how many matches get a pause (default 1)
# The exit status is run-vm.sh's; each pause is logged on stderr.
set -u

at='^#  RUN ' delay=15 pause=10 times=1
while [ $# -gt 0 ]; do
	case $1 in
	--at) at=$2; shift 2 ;;
	--delay) delay=$2; shift 2 ;;
	--pause) pause=$2; shift 2 ;;
	--times) times=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "pause-guest.sh: unknown option $1 (--help)" >&2; exit 2 ;;
	esac
done
for v in "$delay" "$pause" "$times"; do
	case $v in ''|*[!0-9.]*) echo "pause-guest.sh: not a number: $v" >&2; exit 2 ;; esac
done

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 90
mkfifo "$tmp/out"
"$here/run-vm.sh" "$@" >"$tmp/out" &
vm=$!
trap 'rm -rf "$tmp"' EXIT

# The qemu process among run-vm.sh's descendants: ours only.
find_qemu() {
	local p=$1 c
	for c in $(pgrep -P "$p"); do
		case $(cat "/proc/$c/comm" 2>/dev/null) in
		qemu-system*) echo "$c"; return 0 ;;
		esac
		find_qemu "$c" && return 0
	done
	return 1
}

done_n=0
while IFS= read -r line; do
	printf '%s\n' "$line"
	[ "$done_n" -lt "$times" ] || continue
	printf '%s\n' "$line" | grep -Eq -- "$at" || continue
	done_n=$((done_n + 1))
	(
		sleep "$delay"
		q=$(find_qemu "$vm") || { echo "pause-guest: no qemu process under $vm" >&2; exit 1; }
		# Never leave it stopped.
		trap 'kill -CONT "$q" 2>/dev/null' EXIT
		trap 'exit 1' TERM INT
		echo "pause-guest: SIGSTOP qemu $q for ${pause} s ($(date -u +%T))" >&2
		kill -STOP "$q" && sleep "$pause"
		kill -CONT "$q"
		echo "pause-guest: SIGCONT qemu $q ($(date -u +%T))" >&2
	) &
done <"$tmp/out"
wait "$vm"
rc=$?
wait
exit "$rc"
