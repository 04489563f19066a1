#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM: does the guest offer what a scheduler finds on a real
# machine?  One KTAP result per item; a failure says what is missing.
# Needs the Linux tree's kselftest/ktap_helpers.sh next to it.
#
#   guest-check.sh --cpus N --mem MB [--stress-ng]

cd "$(dirname "$0")" || exit 1
# shellcheck source=/dev/null
. ./ktap_helpers.sh

cpus=
mem=
want_stress=0
while [ $# -gt 0 ]; do
	case "$1" in
	--cpus) cpus=$2; shift ;;
	--mem) mem=$2; shift ;;
	--stress-ng) want_stress=1 ;;
	*) echo "guest-check.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

why=

# mounted FSTYPE DIR: DIR is a mount of FSTYPE.
mounted() {
	awk -v t="$1" -v d="$2" '$2 == d && $3 == t { f = 1 } END { exit !f }' /proc/mounts
}

check_config() {
	local c head ver

	c=/boot/config-$(uname -r)
	[ -s "$c" ] || { why="$c is missing or empty"; return 1; }
	# "# Linux/x86 7.3.4 Kernel Configuration": this kernel's, not another's.
	head=$(grep -m1 '^# Linux/.* Kernel Configuration' "$c")
	ver=$(echo "$head" | awk '{ print $3 }')
	case "$(uname -r)" in
	"$ver"*) ;;
	*) why="$c is for '$ver', the kernel is $(uname -r)"; return 1 ;;
	esac
	grep -q '^CONFIG_BPF_SYSCALL=y' "$c" || { why="$c has no CONFIG_BPF_SYSCALL=y"; return 1; }
}

check_cgroup2() {
	mounted cgroup2 /sys/fs/cgroup || { why="no cgroup2 mount at /sys/fs/cgroup"; return 1; }
	grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control ||
		{ why="cpu controller not enabled in /sys/fs/cgroup/cgroup.subtree_control"; return 1; }
	mkdir /sys/fs/cgroup/scx-guest-check 2>/dev/null ||
		{ why="cannot create a child cgroup"; return 1; }
	[ -e /sys/fs/cgroup/scx-guest-check/cpu.weight ] ||
		{ rmdir /sys/fs/cgroup/scx-guest-check; why="child cgroup has no cpu.weight"; return 1; }
	rmdir /sys/fs/cgroup/scx-guest-check
}

check_btf() {
	local magic

	[ -r /sys/kernel/btf/vmlinux ] || { why="/sys/kernel/btf/vmlinux is missing"; return 1; }
	magic=$(od -An -tx1 -N2 /sys/kernel/btf/vmlinux | tr -d ' ')
	[ "$magic" = 9feb ] || { why="/sys/kernel/btf/vmlinux has magic '$magic', want 9feb"; return 1; }
}

check_debugfs() {
	mounted debugfs /sys/kernel/debug || { why="no debugfs at /sys/kernel/debug"; return 1; }
}

check_tracefs() {
	mounted tracefs /sys/kernel/tracing || { why="no tracefs at /sys/kernel/tracing"; return 1; }
	[ -e /sys/kernel/tracing/trace_pipe ] || { why="tracefs has no trace_pipe"; return 1; }
}

check_bpffs() {
	mounted bpf /sys/fs/bpf || { why="no bpf filesystem at /sys/fs/bpf"; return 1; }
}

check_kmsg() {
	local mark

	mark="scx-guest-check-$$"
	[ -c /dev/kmsg ] || { why="/dev/kmsg is not a character device"; return 1; }
	echo "$mark" > /dev/kmsg || { why="cannot write /dev/kmsg"; return 1; }
	dmesg | grep -q "$mark" || { why="a line written to /dev/kmsg is not in the kernel log"; return 1; }
}

check_cpus() {
	local n online

	n=$(grep -c '^processor' /proc/cpuinfo)
	online=$(cat /sys/devices/system/cpu/online)
	[ "$n" = "$cpus" ] || { why="$n CPUs, want $cpus"; return 1; }
	[ "$online" = "0-$((cpus - 1))" ] || [ "$cpus" = 1 ] ||
		{ why="online CPUs '$online', want 0-$((cpus - 1))"; return 1; }
}

# The kernel keeps some memory for itself: MemTotal is a little below --mem.
check_mem() {
	local kb

	kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	if [ "$kb" -gt $((mem * 1024)) ] || [ "$kb" -lt $((mem * 1024 * 8 / 10)) ]; then
		why="MemTotal ${kb} kB, want 80-100% of $mem MB"
		return 1
	fi
}

check_stress_ng() {
	stress-ng --cpu 1 --timeout 1 --quiet >/dev/null 2>&1 ||
		{ why="stress-ng --cpu 1 --timeout 1 failed or is missing"; return 1; }
}

# Under TCG the runner scales the kernel's stall detectors (vm/qemu.sh).
check_stall_scaled() {
	local rcu thresh

	rcu=$(cat /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout 2>/dev/null)
	thresh=$(cat /proc/sys/kernel/watchdog_thresh 2>/dev/null)
	[ "$rcu" = 60 ] && [ "$thresh" = 30 ] ||
		{ why="rcu_cpu_stall_timeout '$rcu' (want 60), watchdog_thresh '$thresh' (want 30)"; return 1; }
}

# check NAME FUNC
check() {
	why=
	if "$2"; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1"
		echo "# $1: $why"
	fi
}

ktap_print_header
tcg=0
case " $(cat /proc/cmdline) " in
*" scx_vm.accel=tcg "*) tcg=1 ;;
esac
ktap_set_plan $((9 + want_stress + tcg))
check "kernel config at /boot/config-\$(uname -r)" check_config
check "cgroup2 at /sys/fs/cgroup, controllers enabled" check_cgroup2
check "/sys/kernel/btf/vmlinux" check_btf
check "debugfs at /sys/kernel/debug" check_debugfs
check "tracefs at /sys/kernel/tracing" check_tracefs
check "bpffs at /sys/fs/bpf" check_bpffs
check "/dev/kmsg writes reach the kernel log" check_kmsg
check "$cpus CPUs online" check_cpus
check "$mem MB of memory" check_mem
[ "$want_stress" = 0 ] || check "stress-ng runs" check_stress_ng
[ "$tcg" = 0 ] || check "TCG: RCU stall and soft lockup reports after 60 s" check_stall_scaled
ktap_finished
