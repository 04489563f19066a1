#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the matrix benchmark's baseline: one scheduler judged the
# way CI jobs commonly judge it, in a boot of its own.  Start it, sleep a
# fixed time, read sched_ext's state and root/ops, hold, read again, stop
# it.  Meanwhile, the lowest MemAvailable seen (every 0.2 s).
#
#   fixed-wait.sh PROG OPS WAIT_S HOLD_S
#
# Prints one line, "fixed-wait: prog=P verdict=V state=S ops=O
# mem_total_kb=N mem_idle_kb=N mem_low_kb=N", where V is attached,
# not_attached, lost_in_hold or no_sched_ext.  Exits 0 once it printed it.

set -u

prog=$1
ops=$2
wait_s=$3
hold_s=$4
sx=/sys/kernel/sched_ext
low=${TMPDIR:-/tmp}/fixed-wait.low.$$

# KEY's value in kB from /proc/meminfo, with shell builtins only.
meminfo() {
	while read -r k v _; do
		[ "$k" = "$1:" ] && { echo "$v"; return; }
	done < /proc/meminfo
}

sample() {
	m=$(meminfo MemAvailable)
	echo "$m" > "$low"
	while :; do
		a=$(meminfo MemAvailable)
		[ "$a" -lt "$m" ] && { m=$a; echo "$m" > "$low"; }
		sleep 0.2
	done
}

look() {
	state=$(cat "$sx/state" 2>/dev/null) || state=absent
	cur=$(cat "$sx/root/ops" 2>/dev/null) || cur=
}

# Attached by this job's usual test: enabled, the expected ops, alive.
attached() {
	look
	[ "$state" = enabled ] || return 1
	case "$cur" in
	"$ops"*) ;;
	*) return 1 ;;
	esac
	kill -0 "$pid" 2>/dev/null
}

total=$(meminfo MemTotal)
idle=$(meminfo MemAvailable)
sample &
sampler=$!
"./$prog" > "${TMPDIR:-/tmp}/fixed-wait.log.$$" 2>&1 &
pid=$!
sleep "$wait_s"
if [ ! -d "$sx" ]; then
	verdict=no_sched_ext
	look
elif attached; then
	sleep "$hold_s"
	if attached; then
		verdict=attached
	else
		verdict=lost_in_hold
	fi
else
	verdict=not_attached
fi

kill -INT "$pid" 2>/dev/null
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
i=0
while [ -d "$sx" ] && [ "$(cat "$sx/state")" != disabled ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null
echo "fixed-wait: prog=$prog verdict=$verdict state=$state ops=${cur:--}" \
	"mem_total_kb=$total mem_idle_kb=$idle mem_low_kb=$(cat "$low")"
rm -f "$low" "${TMPDIR:-/tmp}/fixed-wait.log.$$"
