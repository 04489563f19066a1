#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A simulated guest for vm/matrix.sh's tests (tools/matrix-report-test.py):
# no kernel, no qemu.  Copied into a throw-away tree under the names
# vm/run-vm.sh, vm/kernel.sh and scx_attach_test, it answers as each of
# them would, with results that are a function of the kernel, the shape
# and the test only, so that two runs of one matrix must give the same
# table.  The boots take different times (the default machine the longest)
# so that with --jobs they end in another order than they started.
#
# Kernels are files named by what they are: *nosx* has no sched_ext (every
# test SKIPs), bad* cannot be resolved; the shape odd-3llc comes up as
# another machine (exit 95, as run-vm.sh when guest-shape.sh disagrees).
# SIM_LOG (a file) gets "prepare KERNEL", "start ID RUNNING IMAGE" and
# "end ID" lines.  With SIM_OVERLAP=1 (for --jobs 2 or more) a default
# machine's boot also waits, 20 s at most, until a boot started after it
# has ended: the overlap and the order do not depend on the host's load.

set -euo pipefail

SCHEDS=(scx_simple scx_qmap scx_central scx_flatcg)

log() {
	[ -z "${SIM_LOG:-}" ] || echo "$*" >> "$SIM_LOG"
}

as_kernel() {
	case "$(basename -- "$1")" in
	bad*)	echo "kernel.sh: cannot resolve '$1'" >&2; exit 1 ;;
	*nosx*)	echo "release=$(basename -- "$1")"; echo "sched_ext=n" ;;
	*)	echo "release=$(basename -- "$1")"; echo "sched_ext=y" ;;
	esac
}

as_suite() {
	[ "${1:-}" = -l ] || exit 1
	{
		echo "# FIXTURE            VARIANT                   TEST"
		echo "scx                  user                      verdict"
		for s in "${SCHEDS[@]}"; do
			printf '                     %s\n' "$s"
		done
	} >&2
	exit 4
}

# The verdict of TEST on this kernel and shape: the same every time.
verdict_of() {
	local h

	h=$(printf '%s %s %s' "$kernel" "$topo" "$1" | cksum | cut -d' ' -f1)
	echo $((h % 4))
}

as_run_vm() {
	local kernel='' topo='' prepare='' image=none want=() tests=() t s n i id ms

	while [ $# -gt 0 ]; do
		case "$1" in
		--kernel)	kernel=$2; shift ;;
		--topology)	topo=$2; shift ;;
		--prepare)	prepare=$2; shift ;;
		--image)	image=$(basename -- "$2"); shift ;;
		--suite-dir|--add|--put|--accel|--mem|--timeout|--cpus) shift ;;
		--)		shift; break ;;
		esac
		shift
	done
	if [ -n "$prepare" ]; then
		sleep 0.2
		echo image > "$prepare"
		log "prepare $(basename -- "$kernel")"
		exit 0
	fi
	while [ $# -gt 0 ]; do
		case "$1" in
		-v|-r)	want+=("$1" "$2"); shift ;;
		esac
		shift
	done
	for s in "${SCHEDS[@]}"; do
		t=scx.$s.verdict
		[ ${#want[@]} -gt 0 ] || { tests+=("$t"); continue; }
		for ((i = 0; i < ${#want[@]}; i += 2)); do
			# shellcheck disable=SC2053 # -v is a glob on purpose
			if { [ "${want[i]}" = -r ] && [ "${want[i + 1]}" = "$t" ]; } ||
			   { [ "${want[i]}" = -v ] && [[ $s == ${want[i + 1]} ]]; }; then
				tests+=("$t")
				break
			fi
		done
	done
	id=$(basename -- "$kernel")${topo:+@$topo}
	[ -z "${SIM_LOG:-}" ] || touch "$SIM_LOG"
	log "start $id $(($(grep -c '^start ' "${SIM_LOG:-/dev/null}") - \
		$(grep -c '^end ' "${SIM_LOG:-/dev/null}") + 1)) $image"
	# Timings that differ from run to run: the tables must not care.
	echo "vm: booted in 0.$RANDOM""s" >&2
	if [ -z "$topo" ] && [ -n "${SIM_OVERLAP:-}" ] && [ -n "${SIM_LOG:-}" ]; then
		n=$(grep -c '^end ' "$SIM_LOG" || true)
		for ((i = 0; i < 200; i++)); do
			[ "$(grep -c '^end ' "$SIM_LOG" || true)" -le "$n" ] || break
			sleep 0.1
		done
	elif [ -z "$topo" ]; then
		sleep 0.5
	else
		sleep 0.1
	fi
	log "end $id"
	if [ "$topo" = 1n3l3c1t ]; then
		echo "vm: shape mismatch: CPUs online: saw 0-3, want 0-8" >&2
		echo "vm: guest's machine shape is not --topology 1n3l3c1t: the command did not run" >&2
		exit 95
	fi
	echo "TAP version 13"
	case "$(basename -- "$kernel")" in
	*nosx*)
		echo "1..0 # SKIP kernel has no sched_ext: build with CONFIG_SCHED_CLASS_EXT=y (see config)"
		exit 4
		;;
	esac
	echo "1..${#tests[@]}"
	n=0
	for t in "${tests[@]}"; do
		n=$((n + 1))
		ms=$((100 + 7 * n))
		case "$(verdict_of "$t")" in
		0|1)
			echo "# result: verdict=attached attach_ms=$ms"
			echo "ok $n $t"
			;;
		2)
			echo "# result: verdict=died_before_attach attach_ms=-"
			echo "not ok $n $t"
			;;
		3)
			echo "# result: verdict=rejected attach_ms=-"
			echo "ok $n $t # XFAIL *: rejected as the manifest expects"
			;;
		esac
	done
	exit 0
}

case "$(basename -- "$0")" in
kernel.sh)		as_kernel "$@" ;;
scx_attach_test)	as_suite "$@" ;;
run-vm.sh)		as_run_vm "$@" ;;
*)			echo "$0: run as vm/run-vm.sh, vm/kernel.sh or scx_attach_test" >&2; exit 2 ;;
esac
