#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a sched_ext kernel under qemu and run the scx_attach suite inside it
# as root.  The suite's output (TAP) streams to stdout; the exit status is the
# guest command's.
#
#   run-vm.sh [options] [-- SUITE_ARGS...]
#
#   --suite-dir DIR      built suite (default: repo top): scx_attach_test,
#                        run_tests.sh, settings, config, scx_tree.list and
#                        every ELF directly in DIR are copied into the guest
#   --add PATH           extra file for the guest's suite dir (repeatable)
#   --put SRC=DEST       host file SRC at DEST in the guest, relative to the
#                        suite dir unless absolute (repeatable)
#   --suite-tree DIR     copy DIR's whole tree, subdirectories too, into the
#                        guest's suite dir instead of --suite-dir's files (e.g.
#                        a kselftest install: run_kselftest.sh, kselftest/,
#                        <collection>/); its ELFs get their libraries, its
#                        shell scripts their shell; other interpreters (perl,
#                        python) are not copied
#   --host-file PATH     put this host program at the same path in the guest,
#                        with its libraries, in place of a busybox applet
#                        (repeatable; e.g. GNU timeout for kselftest/runner.sh)
#   --kernel SPEC        SUITE | SUITE/METAPKG | linux-image/linux-binary .deb
#                        | vmlinuz/bzImage file   (default: trixie-backports)
#   --kernel-config FILE the kernel's config, shown to the guest as
#                        /boot/config-$(uname -r) (default: the one that came
#                        with the kernel, see vm/kernel.sh)
#   --stress-ng          put the host's stress-ng on the guest's PATH (default:
#                        when the host has it); --no-stress-ng: do not
#   --accel auto|kvm|tcg (default auto: short KVM probe boot, else TCG)
#   --cpus N             (default 2)
#   --topology SPEC      the machine's shape instead of --cpus: NnLlCcTt (NUMA
#                        nodes, LLCs in all, cores per LLC, threads per core)
#                        or a name from vm/topology-presets (ktstr's: tiny-2llc,
#                        smt-2llc, numa2-4llc, ...); the guest must show it
#                        (vm/guest-shape.sh) before the command runs
#   --mem MB             (default 1024; with --topology 64 MB a CPU, at least
#                        1024)
#   --timeout SEC        whole run, boot included (default 900)
#   --boot-timeout SEC   launch to guest /init (default 240 TCG, 60 KVM)
#   --kvm-probe-timeout SEC  (default 20)
#   --cmd 'SHELL CMD'    run this in the suite dir instead of
#                        ./run_tests.sh SUITE_ARGS (SUITE_ARGS become "$@")
#   --user NAME          run the command as an unprivileged guest user
#   --console-log FILE   copy the guest's kernel console log to FILE
#   --keep-tmp           keep the private temp dir (initramfs, logs)
#   --prepare FILE       build the guest's image (the initramfs's suite part,
#                        vm/initramfs.sh) into FILE and stop: no boot
#   --image FILE         boot with FILE from --prepare, given the same suite
#                        files, --add, --put, --host-file, --kernel and --cmd
#                        (others may differ), instead of building it
#   -h, --help
#
# The guest gets SCX_ATTACH_VM=1, TMPDIR=/tmp and the host's SCX_ATTACH_*
# variables, and what a scheduler finds on a real machine: /boot/config-V,
# cgroup2 at /sys/fs/cgroup with its controllers enabled, debugfs, tracefs,
# bpffs, /dev/kmsg, /sys/kernel/btf/vmlinux (vm/guest-check.sh proves it).
# Exit status: the guest command's, or
#   2 usage, 90 host setup failed (qemu, kernel, suite files, libraries),
#   91 guest did not boot, 92 guest kernel panic, 93 whole-run timeout,
#   94 guest stopped without reporting a status, 95 the guest's machine
#   shape is not the --topology asked for (the command did not run).

set -euo pipefail

# shellcheck source=vm/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=vm/kernel.sh
. "$vm_dir/kernel.sh"
# shellcheck source=vm/initramfs.sh
. "$vm_dir/initramfs.sh"
# shellcheck source=vm/qemu.sh
. "$vm_dir/qemu.sh"
# shellcheck source=vm/topology.sh
. "$vm_dir/topology.sh"

guest_dir=/opt/scx_attach
suite_dir=$top
suite_tree=
adds=()
puts=()
host_files=()
kernel_spec=trixie-backports
kconfig_opt=
stress_ng=auto
accel=auto
cpus=2
cpus_given=0
topology=
mem=
timeout=900
boot_timeout=
probe_timeout=20
cmd=
run_user=
console_out=
keep_tmp=0
prepare=
image=
suite_args=()
tmp=

usage() {
	sed -n '4,/^$/{/^$/d;s/^# \{0,1\}//;p}' "$0"
}

cleanup() {
	stop_qemu
	if [ -n "$console_out" ] && [ -n "$tmp" ] && [ -e "$tmp/console.log" ]; then
		tr -d '\r' < "$tmp/console.log" > "$console_out" ||
			msg "cannot write $console_out"
	fi
	if [ -n "$tmp" ]; then
		if [ "$keep_tmp" = 1 ]; then
			msg "kept $tmp"
		else
			rm -rf "$tmp"
		fi
	fi
}

need_arg() {
	[ $# -ge 2 ] || die $E_USAGE "$1 needs an argument (see --help)"
}

# --topology: a shape that cannot boot stops here, before anything else.
check_topology() {
	local why avail

	if [ -z "$topology" ]; then
		mem=${mem:-1024}
		return
	fi
	[ "$cpus_given" = 0 ] ||
		die $E_USAGE "--topology $topology sets the CPUs: drop --cpus $cpus"
	why=$(topo_parse "$topology") || die $E_USAGE "$why"
	topo_parse "$topology" >/dev/null
	cpus=$topo_cpus
	mem=${mem:-$(topo_default_mem)}
	why=$(topo_mem_check "$mem") || die $E_USAGE "$why"
	avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
	if [ -n "$avail" ] && [ "$mem" -gt "$avail" ]; then
		die $E_USAGE "--topology $topology: the guest needs $mem MB, this host has $avail MB available (pass a smaller --mem)"
	fi
	topo_qemu_args "$mem"
	# Test only (docs/vm.md): qemu boots another shape than the guest is
	# told to prove, to show the exit-95 path on a real guest.
	if [ -n "${SCX_VM_TEST_BOOT_SHAPE:-}" ]; then
		local want=$topo_spec name=$topo_name

		why=$(topo_parse "$SCX_VM_TEST_BOOT_SHAPE") || die $E_USAGE "SCX_VM_TEST_BOOT_SHAPE: $why"
		topo_parse "$SCX_VM_TEST_BOOT_SHAPE" >/dev/null
		cpus=$topo_cpus
		topo_qemu_args "$mem"
		msg "SCX_VM_TEST_BOOT_SHAPE: booting $topo_spec for --topology $want (test only)"
		topo_spec=$want
		topo_name=$name
	fi
}

need_uint() {
	if ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -eq 0 ]; then
		die $E_USAGE "$1: '$2' is not a positive integer"
	fi
}

while [ $# -gt 0 ]; do
	case "$1" in
	--suite-dir)	need_arg "$@"; suite_dir=$2; shift ;;
	--add)		need_arg "$@"; adds+=("$2"); shift ;;
	--put)		need_arg "$@"; puts+=("$2"); shift ;;
	--suite-tree)	need_arg "$@"; suite_tree=$2; shift ;;
	--host-file)	need_arg "$@"; host_files+=("$2"); shift ;;
	--kernel)	need_arg "$@"; kernel_spec=$2; shift ;;
	--kernel-config) need_arg "$@"; kconfig_opt=$2; shift ;;
	--stress-ng)	stress_ng=yes ;;
	--no-stress-ng)	stress_ng=no ;;
	--accel)	need_arg "$@"; accel=$2; shift ;;
	--cpus)		need_arg "$@"; need_uint "$1" "$2"; cpus=$2; cpus_given=1; shift ;;
	--topology)	need_arg "$@"; topology=$2; shift ;;
	--mem)		need_arg "$@"; need_uint "$1" "$2"; mem=$2; shift ;;
	--timeout)	need_arg "$@"; need_uint "$1" "$2"; timeout=$2; shift ;;
	--boot-timeout)	need_arg "$@"; need_uint "$1" "$2"; boot_timeout=$2; shift ;;
	--kvm-probe-timeout) need_arg "$@"; need_uint "$1" "$2"; probe_timeout=$2; shift ;;
	--cmd)		need_arg "$@"; cmd=$2; shift ;;
	--user)		need_arg "$@"; run_user=$2; shift ;;
	--console-log)	need_arg "$@"; console_out=$2; shift ;;
	--keep-tmp)	keep_tmp=1 ;;
	--prepare)	need_arg "$@"; prepare=$2; shift ;;
	--image)	need_arg "$@"; image=$2; shift ;;
	-h|--help)	usage; exit 0 ;;
	--)		shift; suite_args=("$@"); break ;;
	*)		die $E_USAGE "unknown option '$1' (see --help)" ;;
	esac
	shift
done

check_topology
# The machine's shape for the manifest's topology= and xfail=...@SHAPE: the
# --cpus machine is one node, one LLC, one thread a core.
if [ -z "${SCX_ATTACH_TOPOLOGY:-}" ]; then
	if [ -n "$topology" ]; then
		export SCX_ATTACH_TOPOLOGY="${topo_name:+$topo_name }$topo_spec"
	else
		export SCX_ATTACH_TOPOLOGY="1n1l${cpus}c1t"
	fi
fi
case "$accel" in
auto|kvm|tcg) ;;
*) die $E_USAGE "--accel must be auto, kvm or tcg" ;;
esac
if [ -n "$run_user" ] && ! [[ $run_user =~ ^[a-z_][a-z0-9_-]{0,30}$ ]] || [ "$run_user" = root ]; then
	die $E_USAGE "--user: '$run_user' is not a valid unprivileged user name"
fi
for p in "${puts[@]}"; do
	[[ $p == ?*=?* ]] || die $E_USAGE "--put '$p': want SRC=DEST"
done
# Relative to where we were called from: cleanup runs after any cd.
[ -z "$console_out" ] || console_out=$(realpath -m -- "$console_out")
[ -z "$prepare" ] || [ -z "$image" ] || die $E_USAGE "--prepare and --image: one or the other"
[ -z "$prepare" ] || prepare=$(realpath -m -- "$prepare")
if [ -n "$image" ]; then
	[ -f "$image" ] || die $E_SETUP "--image $image: no such file"
	image=$(realpath -- "$image")
fi

command -v qemu-system-x86_64 >/dev/null ||
	die $E_SETUP "qemu-system-x86_64 not found (install qemu-system-x86)"
for t in busybox cpio ldd; do
	command -v "$t" >/dev/null || die $E_SETUP "$t not found (install busybox-static, cpio, libc-bin)"
done
[ -d "$suite_dir" ] || die $E_SETUP "suite dir '$suite_dir' does not exist"
[ -z "$suite_tree" ] || [ -d "$suite_tree" ] || die $E_SETUP "suite tree '$suite_tree' does not exist"
[ -z "$kconfig_opt" ] || [ -f "$kconfig_opt" ] || die $E_SETUP "--kernel-config $kconfig_opt: no such file"
if [ "$stress_ng" != no ] && command -v stress-ng >/dev/null; then
	host_files+=("$(command -v stress-ng)")
elif [ "$stress_ng" = yes ]; then
	die $E_SETUP "--stress-ng: stress-ng is not installed on this host"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scx-vm.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

resolve_kernel "$kernel_spec"
[ -z "$kconfig_opt" ] || kernel_config=$(realpath -- "$kconfig_opt")
if [ -z "$kernel_config" ]; then
	msg "kernel config: none came with $kernel (pass --kernel-config): no /boot/config-V" \
	    "in the guest, so libbpf's __kconfig externs will fail"
fi
if [ -n "$prepare" ]; then
	t0=$EPOCHREALTIME
	build_image "$prepare"
	msg "image built in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s: $prepare"
	exit 0
fi
nonce=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
t0=$EPOCHREALTIME
build_initramfs "$image"
msg "initramfs ${image:+from the prepared image }in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"

choose_accel "$accel"
[ "$used_accel" = kvm ] || msg "accel=tcg: the kernel's stall reports after 60 s ($TCG_STALL_ARGS)"
if [ -z "$boot_timeout" ]; then
	[ "$used_accel" = kvm ] && boot_timeout=60 || boot_timeout=240
fi

launch "$used_accel" run
watch run
