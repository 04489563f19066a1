#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad input on the real kernel (run inside the VM, as root, from the suite
# dir; vm-badinput.sh boots it).  Every case must end with its expected
# exit status and a clear message, within a bound: never a hang, a crash
# or a raw scheduler line on stdout.  Then three cases of their own:
#   - a scheduler that writes 200 MB of log: capped, and a 32 MB tmpfs
#     given as TMPDIR does not fill;
#   - a scheduler already attached before the suite starts: busy, SKIP with
#     the constant reason, and that scheduler is left alone;
#   - (vm-badinput.sh, second boot) a non-root user: constant SKIP, exit 4.
#
# Prints KTAP (through the tree's ktap_helpers.sh).

set -u
cd "$(dirname "$0")" || exit 2
here=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/scx-bad.XXXXXX") || exit 2
cleanup() {
	umount "$work/ro" "$work/small" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

export SCX_ATTACH_EMULATED=1 SCX_ATTACH_LOAD=0
bound=150		# seconds: no case may take longer
# The tree's helpers, copied next to this script by vm-badinput.sh.
. ./ktap_helpers.sh

ok() {
	ktap_test_pass "$1"
}

not_ok() {
	name=$1
	shift
	[ $# -eq 0 ] || echo "# $*"
	sed 's/^/#   | /' "$work/out" | tail -n 25
	ktap_test_fail "$name"
}

state() {
	cat /sys/kernel/sched_ext/state 2>/dev/null || echo absent
}

# case NAME WANT_RC PATTERN [VAR=VALUE...] -- CMD...
# Runs CMD with the variables set, bounded; checks rc and that PATTERN
# (a fixed string) is in the output.
case_() {
	local name=$1 want=$2 pat=$3 t0 rc

	shift 3
	t0=$(date +%s)
	(
		while [ "$1" != -- ]; do
			export "$1"
			shift
		done
		shift
		exec "$@"
	) > "$work/out" 2>&1 &
	wpid=$!
	# busybox timeout's exit status varies by version: watch it ourselves.
	( sleep "$bound"; kill -9 "$wpid" 2>/dev/null ) &
	dog=$!
	wait "$wpid"
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	if [ "$rc" -ge 128 ]; then
		not_ok "$name" "killed by signal $((rc - 128)) after $(($(date +%s) - t0)) s (hang or crash)"
	elif [ "$rc" != "$want" ]; then
		not_ok "$name" "exit status $rc, want $want"
	elif ! grep -qF -- "$pat" "$work/out"; then
		not_ok "$name" "no \"$pat\" in the output"
	elif grep -qE 'terminated unexpectedly|Segmentation|core dumped|AddressSanitizer' "$work/out"; then
		not_ok "$name" "a crash in the output"
	elif [ "$(state)" != disabled ]; then
		not_ok "$name" "sched_ext left $(state)"
	else
		echo "# $(grep -F -m1 -- "$pat" "$work/out" | cut -c1-150)"
		ok "$name"
	fi
}

# The plan comes last: the cases are counted as they run.
ktap_print_header

# --- the scheduler binary
case_ "missing scheduler binary: spawn failed" 1 "No such file or directory" \
	SCX_ATTACH_SCHED=/nonexistent/scx_sched -- ./scx_attach_test -v user
case_ "non-executable scheduler: spawn failed" 1 "is not an executable file" \
	SCX_ATTACH_SCHED="$here/config" -- ./scx_attach_test -v user
case_ "directory as scheduler: spawn failed" 1 "is a directory, not a program" \
	SCX_ATTACH_SCHED="$here" -- ./scx_attach_test -v user
case_ "scheduler rejecting its arguments: died before attach" 1 "verdict: died before attach" \
	SCX_ATTACH_SCHED="$here/scx_fault" SCX_ATTACH_ARGS=--fault=bogus -- ./scx_attach_test -v user

# --- the args file
printf ' \n\t\n' > "$work/blank"
head -c 1048576 /dev/zero | tr '\0' 'a' > "$work/huge"
i=0
while [ $i -lt 300 ]; do printf 'x%d ' $i; i=$((i + 1)); done > "$work/many"
printf -- '--fault=none\0--x\n' > "$work/nul"
mkfifo "$work/fifo"
for c in "unreadable args file (read error)|/proc/self/mem|cannot read" \
	 "args file is a directory|$work|is not a regular file" \
	 "args file is a FIFO: no hang|$work/fifo|is not a regular file" \
	 "blank args file|$work/blank|is blank" \
	 "huge args file (1 MiB)|$work/huge|is longer than" \
	 "args file with 300 arguments|$work/many|more than 256 arguments" \
	 "args file holding NUL bytes|$work/nul|holds NUL bytes"; do
	IFS='|' read -r name file pat <<EOF
$c
EOF
	case_ "$name" 1 "$pat" SCX_ATTACH_SCHED="$here/scx_fault" SCX_ATTACH_ARGS_FILE="$file" \
		-- ./scx_attach_test -v user
done

# --- where the log goes
mkdir -p "$work/ro" && mount -t tmpfs -o ro,size=1m tmpfs "$work/ro"
: > "$work/afile"
case_ "TMPDIR missing: no log dir, spawn failed" 1 "cannot create a private log directory" \
	TMPDIR=/nonexistent/tmp SCX_ATTACH_SCHED="$here/scx_fault" -- ./scx_attach_test -v user
case_ "TMPDIR read-only: spawn failed" 1 "Read-only file system" \
	TMPDIR="$work/ro" SCX_ATTACH_SCHED="$here/scx_fault" -- ./scx_attach_test -v user
case_ "TMPDIR a regular file: spawn failed" 1 "Not a directory" \
	TMPDIR="$work/afile" SCX_ATTACH_SCHED="$here/scx_fault" -- ./scx_attach_test -v user
long=$(head -c 5000 /dev/zero | tr '\0' 'd')
case_ "TMPDIR longer than PATH_MAX: refused" 1 "TMPDIR is longer than PATH_MAX" \
	TMPDIR="/$long" -- ./scx_attach_test -v user

# --- windows and switches
for v in 0 -5 garbage 1.5s 99999999999 "10 s"; do
	case_ "SCX_ATTACH_GATE_MS=\"$v\": refused" 1 "SCX_ATTACH_GATE_MS=\"$v\" is not a window" \
		SCX_ATTACH_GATE_MS="$v" -- ./scx_attach_test
done
case_ "SCX_ATTACH_TIMEOUT_MS=-1: refused" 1 "SCX_ATTACH_TIMEOUT_MS=\"-1\" is not a window" \
	SCX_ATTACH_TIMEOUT_MS=-1 -- ./scx_attach_test
case_ "SCX_ATTACH_HOLD_MS=0: refused" 1 "SCX_ATTACH_HOLD_MS=\"0\" is not a window" \
	SCX_ATTACH_HOLD_MS=0 -- ./scx_attach_test
case_ "wall guard shorter than the gate: refused" 1 "is shorter than the gate" \
	SCX_ATTACH_WALL_MS=100 SCX_ATTACH_GATE_MS=1000 -- ./scx_attach_test
case_ "SCX_ATTACH_LOG_CAP_KB=0: refused" 1 "SCX_ATTACH_LOG_CAP_KB=\"0\"" \
	SCX_ATTACH_LOG_CAP_KB=0 -- ./scx_attach_test
case_ "SCX_ATTACH_UEVENT=maybe: refused" 1 "SCX_ATTACH_UEVENT=\"maybe\": use 1 or 0" \
	SCX_ATTACH_UEVENT=maybe -- ./scx_attach_test
case_ "run_tests.sh --gate -5: refused" 1 "is not a window" \
	-- ./run_tests.sh --gate -5 --sched ./scx_fault --only-user
case_ "run_tests.sh --timeout without a value: usage error" 2 "needs a value" \
	-- ./run_tests.sh --timeout
case_ "run_tests.sh unknown flag: usage error" 2 "unknown option" \
	-- ./run_tests.sh --bogus

# --- the kernel side
case_ "missing sysfs root: constant SKIP" 4 \
	"1..0 # SKIP kernel has no sched_ext: build with CONFIG_SCHED_CLASS_EXT=y (see config)" \
	SCX_ATTACH_SYSFS=/nonexistent/sched_ext -- ./scx_attach_test
mkdir -p "$work/notscx"
case_ "sysfs root without sched_ext files: SKIP" 0 "# SKIP kernel has no sched_ext" \
	SCX_ATTACH_SYSFS="$work/notscx" -- ./scx_attach_test -v fault_none
case_ "unreadable kernel log: not fatal, still attached" 0 "ok 1 scx.fault_none.verdict" \
	SCX_ATTACH_KMSG=/nonexistent/kmsg SCX_ATTACH_GATE_MS=500 SCX_ATTACH_HOLD_MS=500 \
	-- ./scx_attach_test -v fault_none

# --- 200 MB of log into a 32 MB TMPDIR
name="200 MB of scheduler output: log capped, TMPDIR not filled"
mkdir -p "$work/small" && mount -t tmpfs -o size=32m,mode=1777 tmpfs "$work/small"
used0=$(df -k "$work/small" | awk 'NR==2 { print $3 }')
t0=$(date +%s)
TMPDIR=$work/small SCX_ATTACH_KEEP_LOGS=1 SCX_ATTACH_SCHED="$here/flood_sched" \
	SCX_ATTACH_ARGS="200 $here/scx_fault --fault=none" SCX_ATTACH_OPS=fault \
	SCX_ATTACH_GATE_MS=500 SCX_ATTACH_HOLD_MS=1000 \
	./scx_attach_test -v user > "$work/out" 2>&1 &
wpid=$!
peak=$used0
while kill -0 "$wpid" 2>/dev/null; do
	u=$(df -k "$work/small" | awk 'NR==2 { print $3 }')
	[ "$u" -gt "$peak" ] && peak=$u
	[ $(($(date +%s) - t0)) -gt "$bound" ] && kill -9 "$wpid"
	sleep 0.2
done
wait "$wpid"
rc=$?
secs=$(($(date +%s) - t0))
log=$(find "$work/small" -name scheduler.log | head -n 1)
size=$(stat -c %s "$log" 2>/dev/null || echo 0)
cap=$((1024 * 1024))
if [ "$rc" != 0 ]; then
	not_ok "$name" "exit status $rc after $secs s"
elif [ -z "$log" ]; then
	not_ok "$name" "no kept log"
elif [ "$size" -gt $((cap + 16384)) ] || [ "$size" -lt "$cap" ]; then
	not_ok "$name" "log is $size bytes, cap $cap"
elif ! grep -q 'log capped at 1048576 bytes' "$log"; then
	not_ok "$name" "no capped note in the log"
elif [ $((peak - used0)) -gt 2048 ]; then
	not_ok "$name" "TMPDIR grew by $((peak - used0)) kB"
elif grep -q '^flood: line' "$work/out"; then
	not_ok "$name" "scheduler output reached stdout raw"
else
	echo "# log $size bytes (cap $cap), TMPDIR peak +$((peak - used0)) kB of 32 MB, $secs s"
	ok "$name"
fi
rm -rf "$work/small"/scx_attach.*
umount "$work/small"

# --- someone else's scheduler is attached before the suite starts
name="scheduler attached before the suite: busy SKIP, the other one left alone"
./scx_fault --fault=none > "$work/other.log" 2>&1 &
other=$!
i=0
while [ "$(state)" != enabled ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
SCX_ATTACH_SETTLE_MS=3000 ./scx_attach_test -v fault_none > "$work/out" 2>&1
rc=$?
want_skip='# SKIP another sched_ext scheduler is attached: stop it and run again'
if ! grep -q "^ok 1 scx\.fault_none\.verdict $want_skip\$" "$work/out"; then
	not_ok "$name" "fault_none was not skipped with the constant reason (exit $rc)"
elif ! grep -q 'verdict: busy.*"fault' "$work/out"; then
	not_ok "$name" "the dump does not name the other scheduler"
elif ! kill -0 "$other" 2>/dev/null || [ "$(state)" != enabled ]; then
	not_ok "$name" "the other scheduler was disturbed (state $(state))"
else
	echo "# exit $rc; $(grep -m1 'verdict: busy' "$work/out" | cut -c1-150)"
	ok "$name"
fi
kill -INT "$other"
wait "$other"
i=0
while [ "$(state)" != disabled ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done

ktap_set_plan $((KTAP_TESTNO - 1))
ktap_finished
