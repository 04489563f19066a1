#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Killed mid-flight, on the real kernel (run inside the VM, as root, from
# the suite dir; vm-kill.sh boots it).  For each case: within the kill
# grace the scheduler is gone (no live scx_fault process, daemons
# included) and sched_ext is back to "disabled"; then the next test starts
# clean (the fault_none variant passes, not SKIP busy).
#
#   1 SIGKILL the test binary while it waits for attach
#   2 SIGKILL it during the hold window
#   3 TEST_F_TIMEOUT expires (SCX_ATTACH_TEST_TIMEOUT_S=20)
#   4 runner.sh's "settings" timeout expires (kselftest runner, timeout=10)
#   5 a scheduler that ignores SIGTERM, test binary SIGKILLed
#   6 a daemonized scheduler, test binary SIGKILLed during the hold
#   7 a daemonized scheduler, TEST_F_TIMEOUT expires
#   8 a daemonized scheduler, every process of the suite SIGKILLed at once
#   9 a parent and its child scheduler hold, every process of the suite
#     SIGKILLed at once; the next suite removes the private cgroup tree
#
# guest-kill.sh [CASE...] runs only the cases named.
#
# Prints KTAP (through the tree's ktap_helpers.sh).

set -u
cd "$(dirname "$0")" || exit 2
here=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/scx-kill.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

export SCX_ATTACH_EMULATED=1 SCX_ATTACH_LOAD=0 SCX_ATTACH_OPS=fault
grace_cs=500		# the kill grace, in centiseconds
# The tree's helpers, copied next to this script by vm-kill.sh.
. ./ktap_helpers.sh

now_cs() {
	read -r up _ < /proc/uptime
	echo "${up%.*}${up#*.}"
}

secs() {
	printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}

state() {
	cat /sys/kernel/sched_ext/state 2>/dev/null || echo absent
}

# Live (not zombie) processes named $1: "pid ppid sid" lines.
live() {
	for s in /proc/[0-9]*/stat; do
		{ read -r line < "$s"; } 2>/dev/null || continue
		case "$line" in
		*"($1) "*) ;;
		*) continue ;;
		esac
		set -- "$1" ${line##*) }
		[ "$2" = Z ] && continue
		echo "${s#/proc/} ppid=$3 sid=$5" | sed 's|/stat||'
	done
}

# No live process named $1 and sched_ext disabled.
gone() {
	[ -z "$(live "$1")" ] && [ "$(state)" = disabled ]
}

clean() {
	gone scx_fault
}

# wait_for CENTISECONDS CMD...: poll every 0.05 s
wait_for() {
	local limit=$1 t0

	shift
	t0=$(now_cs)
	while ! "$@"; do
		[ $(($(now_cs) - t0)) -ge "$limit" ] && return 1
		sleep 0.05
	done
}

enabled() {
	[ "$(state)" = enabled ]
}

sched_up() {
	[ -n "$(live scx_fault)" ]
}

force_clean() {
	for p in $(live scx_fault | cut -d' ' -f1) $(live scx_qmap | cut -d' ' -f1); do
		kill -9 "$p" 2>/dev/null
	done
	wait_for 3000 clean
}

# The next test must start clean: fault_none attaches and passes.
next_test_ok() {
	SCX_ATTACH_GATE_MS=500 SCX_ATTACH_HOLD_MS=500 ./scx_attach_test -v fault_none \
		> "$work/next.out" 2>&1
	rc=$?
	[ $rc = 0 ] && grep -q '^ok 1 scx.fault_none.verdict$' "$work/next.out"
}

# verdict NAME T_KILL: the checks after a kill at T_KILL (centiseconds)
verdict() {
	local name=$1 t_kill=$2 dt left

	if wait_for "$grace_cs" clean; then
		dt=$(($(now_cs) - t_kill))
		if next_test_ok; then
			echo "# scheduler gone and sched_ext disabled $(secs $dt) s after the kill; next test passed"
			ktap_test_pass "$name"
			return 0
		fi
		echo "# clean after $(secs $dt) s, but the next test failed (rc $rc):"
		sed 's/^/#   /' "$work/next.out"
		force_clean
		ktap_test_fail "$name"
		return 1
	fi
	left=$(live scx_fault)
	echo "# $(secs $grace_cs) s after the kill: state $(state), ops '$(cat /sys/kernel/sched_ext/root/ops 2>/dev/null)'"
	[ -z "$left" ] || printf '%s\n' "$left" | sed 's/^/#   still alive: scx_fault pid /'
	if wait_for 18000 clean; then
		echo "#   ... clean by itself $(secs $(($(now_cs) - t_kill))) s after the kill"
	else
		echo "#   ... still not clean after 180 s: killed by hand"
		force_clean
	fi
	ktap_test_fail "$name"
	return 1
}

# A child scheduler is attached under the root's.
child_up() {
	ls -d /sys/kernel/sched_ext/root/sub/sub-*/ops > /dev/null 2>&1
}

# The suite's private cgroup trees, or "none".
cgroups() {
	ls -d /sys/fs/cgroup/scx_attach-* 2>/dev/null | tr '\n' ' '
}

# start_test OUT BINARY ARGS...: in the background, pid in $tpid
start_test() {
	local out=$1

	shift
	"$@" > "$out" 2>&1 &
	tpid=$!
}

# A scheduler that daemonizes and attaches, while what we started stays.
cat > "$work/daemon_wrap" <<EOF
#!/bin/sh
$here/scx_fault --fault=daemonize
exec sleep 100000
EOF
chmod 755 "$work/daemon_wrap"

# 1: waiting for attach (loaded, never attaching)
case_1() {
	name="SIGKILL the test binary while it waits for attach"
	SCX_ATTACH_SCHED=$here/scx_fault SCX_ATTACH_ARGS=--fault=hang \
		start_test "$work/1.out" ./scx_attach_test -v user
	wait_for 6000 sched_up && sleep 2
	t=$(now_cs)
	kill -9 "$tpid"
	wait "$tpid" 2>/dev/null
	verdict "$name" "$t"
}

# 2: attached, in the hold window
case_2() {
	name="SIGKILL the test binary during the hold window"
	SCX_ATTACH_SCHED=$here/scx_fault SCX_ATTACH_ARGS=--fault=none SCX_ATTACH_HOLD_MS=120000 \
		start_test "$work/2.out" ./scx_attach_test -v user
	wait_for 6000 enabled && sleep 2
	t=$(now_cs)
	kill -9 "$tpid"
	wait "$tpid" 2>/dev/null
	verdict "$name" "$t"
}

# 3: the harness's own timeout (20 s) SIGKILLs the test's process group
case_3() {
	name="TEST_F_TIMEOUT expires during the hold window"
	SCX_ATTACH_SCHED=$here/scx_fault SCX_ATTACH_ARGS=--fault=none SCX_ATTACH_HOLD_MS=120000 \
		SCX_ATTACH_TEST_TIMEOUT_S=20 start_test "$work/3.out" ./scx_attach_test -v user
	wait "$tpid"
	t=$(now_cs)
	if ! grep -q 'Test terminated by timeout' "$work/3.out"; then
		echo "# the harness did not time the test out:"
		sed 's/^/#   /' "$work/3.out"
	fi
	verdict "$name" "$t"
}

# 4: runner.sh's settings timeout (10 s): TERM to the test binary only
case_4() {
	name="runner.sh settings timeout expires during the hold window"
	ks=$work/ks
	mkdir -p "$ks/kselftest" "$ks/scx"
	cp runner.sh ktap_helpers.sh "$ks/kselftest/"
	ln -s "$here/scx_attach_test" "$ks/scx/scx_attach_test"
	echo "timeout=10" > "$ks/scx/settings"
	# GNU timeout: runner.sh uses --foreground, which busybox's lacks.
	[ -x ./timeout ] && rm -f /usr/bin/timeout && cp ./timeout /usr/bin/timeout
	t0=$(now_cs)
	(
		cd "$ks/scx" && BASE_DIR=$ks KSELFTEST_SCX_ATTACH_TEST_ARGS="-v user" \
		SCX_ATTACH_SCHED=$here/scx_fault SCX_ATTACH_ARGS=--fault=none SCX_ATTACH_HOLD_MS=120000 \
		/bin/busybox timeout 170 sh -c '. "$BASE_DIR/kselftest/runner.sh"; run_many ./scx_attach_test'
	) > "$work/4.out" 2>&1
	t=$(now_cs)
	echo "# runner returned after $(secs $((t - t0))) s"
	# The kill is the runner's, 10 s after the start: the grace counts from there.
	t_kill=$((t0 + 1000))
	if ! grep -q '^not ok 1 selftests: scx: scx_attach_test # TIMEOUT 10 seconds' "$work/4.out"; then
		echo "# the runner did not report the timeout:"
		sed 's/^/#   /' "$work/4.out"
		force_clean
		ktap_test_fail "$name"
	elif [ $((t - t_kill)) -gt $grace_cs ]; then
		echo "# the runner itself returned $(secs $((t - t_kill))) s after its timeout: the test ran on"
		force_clean
		ktap_test_fail "$name"
	else
		verdict "$name" "$t_kill"
	fi
}

# 5: SIGTERM is ignored: only SIGKILL can end it
case_5() {
	name="scheduler ignoring SIGTERM, test binary SIGKILLed"
	SCX_ATTACH_SCHED=$here/scx_fault SCX_ATTACH_ARGS=--fault=ignore-term SCX_ATTACH_HOLD_MS=120000 \
		start_test "$work/5.out" ./scx_attach_test -v user
	wait_for 6000 enabled && sleep 2
	t=$(now_cs)
	kill -9 "$tpid"
	wait "$tpid" 2>/dev/null
	verdict "$name" "$t"
}

# 6: a daemon left the process group; its parent, which we started, stays
case_6() {
	name="daemonized scheduler, test binary SIGKILLed during the hold"
	SCX_ATTACH_SCHED=$work/daemon_wrap SCX_ATTACH_ARGS= SCX_ATTACH_HOLD_MS=120000 \
		start_test "$work/6.out" ./scx_attach_test -v user
	wait_for 6000 enabled && sleep 2
	echo "# before the kill: $(live scx_fault | sed 's/^/scx_fault pid /')"
	t=$(now_cs)
	kill -9 "$tpid"
	wait "$tpid" 2>/dev/null
	verdict "$name" "$t"
}

# 7: the daemon escapes the harness's process-group kill
case_7() {
	name="daemonized scheduler, TEST_F_TIMEOUT expires"
	SCX_ATTACH_SCHED=$work/daemon_wrap SCX_ATTACH_ARGS= SCX_ATTACH_HOLD_MS=120000 \
		SCX_ATTACH_TEST_TIMEOUT_S=20 start_test "$work/7.out" ./scx_attach_test -v user
	wait "$tpid"
	t=$(now_cs)
	verdict "$name" "$t"
}

# suite_killed NAME SCHED WAIT: every process of the suite (started with
# start_test) SIGKILLed at once.  WAIT "gone": its SCHED processes must go
# and sched_ext be disabled within the kill grace, by the kernel's and
# PDEATHSIG's doing; WAIT "next": they may stay, and the next suite must
# clean up as it starts.  Either way the next suite runs clean and leaves
# no SCHED process, sched_ext disabled and no private cgroup tree.
suite_killed() {
	local name=$1 sched=$2 wait=$3 t

	t=$(now_cs)
	kill -9 $(live scx_attach_test | cut -d' ' -f1) 2>/dev/null
	wait "$tpid" 2>/dev/null
	if [ "$wait" = gone ]; then
		if ! wait_for "$grace_cs" gone "$sched"; then
			echo "# $(secs $grace_cs) s after the kill: state $(state); $(live "$sched" | sed "s/^/$sched pid /")"
			dmesg | grep 'sched_ext:' | tail -n 4 | sed 's/^/#   /'
			force_clean
			ktap_test_fail "$name"
			return
		fi
		echo "# schedulers gone and sched_ext disabled $(secs $(($(now_cs) - t))) s after the kill"
		dmesg | grep 'sched_ext:' | tail -n 2 | sed 's/^/#   /'
	else
		sleep 1
		echo "# 1 s after the kill: state $(state); $(live "$sched" | sed "s/^/$sched pid /")"
	fi
	echo "# before the next suite: cgroup $(cgroups)"
	t=$(now_cs)
	if next_test_ok && gone "$sched" && [ -z "$(cgroups)" ]; then
		echo "# the next suite ran clean: $(secs $(($(now_cs) - t))) s for its whole run"
		ktap_test_pass "$name"
	else
		echo "# next test rc $rc, state $(state), left: cgroup $(cgroups) $(live "$sched" | sed "s/^/$sched pid /")"
		sed 's/^/#   /' "$work/next.out"
		force_clean
		ktap_test_fail "$name"
	fi
}

# 8: nothing of the suite survives to clean up: init adopts the daemon,
# still attached, and the next suite must find it and clean up as it starts.
case_8() {
	SCX_ATTACH_SCHED=$work/daemon_wrap SCX_ATTACH_ARGS= SCX_ATTACH_HOLD_MS=120000 \
		start_test "$work/8.out" ./scx_attach_test -v user
	wait_for 6000 enabled && sleep 2
	suite_killed "daemonized scheduler, every suite process SIGKILLed at once; the next suite cleans up" \
		scx_fault next
}

# 9: a parent and its child scheduler hold (the tree's scx_qmap under
# scx_qmap, on the test's private cgroup); every suite process SIGKILLed:
# the kernel takes the child down with its parent, nothing is left alive,
# and the next suite's start removes the private cgroup tree.
case_9() {
	name="parent and child holding, every suite process SIGKILLed; the next suite removes the cgroup"
	if [ ! -x ./scx_qmap ]; then
		ktap_test_skip "$name: no scx_qmap built"
		return
	fi
	# The parent holds its window first; the kill comes as soon as the
	# child's directory appears, within the child's gate and hold.
	SCX_ATTACH_HOLD_MS=5000 start_test "$work/9.out" ./scx_attach_test -v qmap_under_qmap
	if ! wait_for 12000 child_up; then
		echo "# no child scheduler under root/sub/ within 120 s; state $(state)"
		sed 's/^/#   /' "$work/9.out"
		kill -9 $(live scx_attach_test | cut -d' ' -f1) 2>/dev/null
		wait "$tpid" 2>/dev/null
		force_clean
		if grep -q 'SKIP' "$work/9.out"; then
			ktap_test_skip "$name: $(grep -m1 -o 'SKIP.*' "$work/9.out")"
		else
			ktap_test_fail "$name"
		fi
		return
	fi
	echo "# holding: $(ls -d /sys/kernel/sched_ext/root/sub/sub-*), cgroup $(cgroups)"
	suite_killed "$name" scx_qmap gone
}

# The cases to run: all, or those named (guest-kill.sh 9).
cases=${*:-1 2 3 4 5 6 7 8 9}
ktap_print_header
ktap_set_plan $(echo $cases | wc -w)
if ! clean; then
	echo "Bail out! sched_ext not idle at the start: state $(state)"
	exit 1
fi

for c in $cases; do
	case_$c
done

ktap_finished
