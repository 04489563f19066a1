#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Standalone runner for scx_attach_test: turns flags into the SCX_ATTACH_*
# environment the test reads, then runs it.  Output is KTAP from the
# kselftest harness; the exit status is the harness's (0 pass, 1 fail,
# 4 skip).

set -u

usage() {
	cat <<'EOF'
Usage: run_tests.sh [options] [-- harness options]

Does a sched_ext scheduler start, stay alive and attach?  Runs the fixture
schedulers and the kernel tree's schedulers built next to this script,
and your own: one with --sched, or many with --manifest.

Scheduler under test (the "user" variant):
  --sched PATH         scheduler binary to test (SCX_ATTACH_SCHED)
  --args "ARGS"        its arguments, split on whitespace (SCX_ATTACH_ARGS)
  --args-file FILE     arguments from a file (ktstr's convention); a
                       missing file means none (SCX_ATTACH_ARGS_FILE)
  --ops NAME           expected ops name prefix, e.g. "rusty" (SCX_ATTACH_OPS)
  --manifest FILE      many schedulers, one per line (SCX_ATTACH_MANIFEST;
                       format in README)
  --only LIST          run only these, comma-separated groups (user,
                       fixtures, tree, manifest, sub) or test names, e.g.
                       "tree,fault_none" (SCX_ATTACH_ONLY; kernels 6.12+)
  --only-user          the same as --only user
  --under-foreign      test --sched as a sub-scheduler under the scheduler
                       already attached (not ours: never signalled), as
                       user_under_foreign instead of user; "{cgroup}" in
                       --args becomes a private cgroup's path
                       (SCX_ATTACH_UNDER_FOREIGN=1)

Liveness beyond attach:
  --stress SECS        hold each scheduler this long under a mixed stress
                       load on every CPU (SCX_ATTACH_STRESS_S)
  --hotplug            offline and online a CPU while it holds; a loader
                       must restart when the kernel asks (SCX_ATTACH_HOTPLUG)
  --repeat N           the attach/hold/stop cycle N times, each must pass
                       (SCX_ATTACH_REPEAT)

Windows (milliseconds, or "2s"; each also settable as the variable shown):
  --gate MS            must stay alive this long after spawn (SCX_ATTACH_GATE_MS, 1000)
  --timeout MS         CPU-time budget of the scheduler to attach
                       (SCX_ATTACH_TIMEOUT_MS, 10000)
  --wall MS            wall-clock guard on the attach wait
                       (SCX_ATTACH_WALL_MS, 3 x timeout)
  --hold MS            must stay attached this long (SCX_ATTACH_HOLD_MS, 2000)
  --grace MS           SIGTERM -> SIGKILL grace (SCX_ATTACH_GRACE_MS, 2000)
  --settle MS          wait for "disabled" around tests (SCX_ATTACH_SETTLE_MS, 10000)
  --poll MS            fallback cadence without events (SCX_ATTACH_POLL_MS, 500)
  --test-timeout SECS  the harness's timeout of each test, in seconds
                       (SCX_ATTACH_TEST_TIMEOUT_S; default: what its
                       windows can take, computed at the start)
  --emulated           windows for emulated machines (TCG): timeout 60s,
                       wall 180s, settle 30s, grace 5s, load on
                       (SCX_ATTACH_EMULATED=1; default inside the VM)

Other:
  --load / --no-load   run a small CPU + sleep/wake load while the scheduler
                       holds (SCX_ATTACH_LOAD; on by default in the VM)
  --no-uevent          do not listen to kobject uevents (SCX_ATTACH_UEVENT=0)
  --sysfs DIR          sched_ext sysfs root (SCX_ATTACH_SYSFS)
  --keep-logs          keep the schedulers' log directories (SCX_ATTACH_KEEP_LOGS)
  -h, --help           this text

Harness options after "--", e.g. "-- -l" lists tests, "-- -v user" runs
one variant (kernels 6.12 and later).
EOF
}

dir=$(cd "$(dirname "$0")" && pwd)
harness=()

need() {
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		echo "run_tests.sh: $1 needs a value" >&2
		exit 2
	fi
}

while [ $# -gt 0 ]; do
	case "$1" in
	--sched) need "$@"; export SCX_ATTACH_SCHED=$2; shift ;;
	--args) need "$@"; export SCX_ATTACH_ARGS=$2; shift ;;
	--args-file) need "$@"; export SCX_ATTACH_ARGS_FILE=$2; shift ;;
	--ops) need "$@"; export SCX_ATTACH_OPS=$2; shift ;;
	--manifest) need "$@"; export SCX_ATTACH_MANIFEST=$2; shift ;;
	--only) need "$@"; export SCX_ATTACH_ONLY=$2; shift ;;
	--only-user) export SCX_ATTACH_ONLY=user ;;
	--under-foreign) export SCX_ATTACH_UNDER_FOREIGN=1 ;;
	--stress) need "$@"; export SCX_ATTACH_STRESS_S=$2; shift ;;
	--hotplug) export SCX_ATTACH_HOTPLUG=1 ;;
	--repeat) need "$@"; export SCX_ATTACH_REPEAT=$2; shift ;;
	--gate) need "$@"; export SCX_ATTACH_GATE_MS=$2; shift ;;
	--timeout) need "$@"; export SCX_ATTACH_TIMEOUT_MS=$2; shift ;;
	--wall) need "$@"; export SCX_ATTACH_WALL_MS=$2; shift ;;
	--hold) need "$@"; export SCX_ATTACH_HOLD_MS=$2; shift ;;
	--grace) need "$@"; export SCX_ATTACH_GRACE_MS=$2; shift ;;
	--settle) need "$@"; export SCX_ATTACH_SETTLE_MS=$2; shift ;;
	--poll) need "$@"; export SCX_ATTACH_POLL_MS=$2; shift ;;
	--test-timeout) need "$@"; export SCX_ATTACH_TEST_TIMEOUT_S=$2; shift ;;
	--emulated) export SCX_ATTACH_EMULATED=1 ;;
	--load) export SCX_ATTACH_LOAD=1 ;;
	--no-load) export SCX_ATTACH_LOAD=0 ;;
	--no-uevent) export SCX_ATTACH_UEVENT=0 ;;
	--sysfs) need "$@"; export SCX_ATTACH_SYSFS=$2; shift ;;
	--keep-logs) export SCX_ATTACH_KEEP_LOGS=1 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; harness+=("$@"); break ;;
	*) echo "run_tests.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

# Paths as given, relative to where we were called from.
for v in SCX_ATTACH_SCHED SCX_ATTACH_MANIFEST; do
	case "${!v:-}" in
	''|/*) ;;
	*) export "$v=$(pwd)/${!v}" ;;
	esac
done

# The VM runner's guests are emulated unless told otherwise; the test
# binary widens whatever window the user left unset.
if [ "${SCX_ATTACH_VM:-0}" = 1 ]; then
	export SCX_ATTACH_EMULATED=${SCX_ATTACH_EMULATED:-1}
fi

if [ ! -x "$dir/scx_attach_test" ]; then
	echo "run_tests.sh: $dir/scx_attach_test is not built: run make" >&2
	exit 2
fi
exec "$dir/scx_attach_test" "${harness[@]}"
