#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's /init (pid 1, busybox sh): set up what a scheduler finds on a
# real machine, run the command, report its exit status, power off.  It
# never exits: that would panic the guest.
#
# Kernel console: ttyS0.  Suite channel: ttyS1 (8250 probes synchronously,
# so it exists when /init starts; virtio ports may not).  The host writes
# /etc/scx-vm/: conf (nonce, guest_dir, run_user, host_epoch, shape), env,
# args, cmd, guest-shape.sh, and kconfig when the kernel came with its
# config.

# conf sets nonce, guest_dir, run_user, host_epoch, shape; the kernel command line
# and cgroup.controllers are read as words on purpose.
# shellcheck disable=SC2154,SC2013
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t devtmpfs -o mode=0755 devtmpfs /dev 2>/dev/null
exec </dev/null >/dev/console 2>&1
# shellcheck source=/dev/null
. /etc/scx-vm/conf
out=/dev/ttyS1

halt_now() {
	sync
	poweroff -f
	sleep 60
}

if [ ! -c "$out" ]; then
	echo "scx-vm: $out missing (kernel without 8250 serial?)"
	halt_now
fi
stty -F "$out" raw -echo -opost 2>/dev/null
echo "SCX_VM_BOOT_$nonce" > "$out"

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# What udev would add: devtmpfs has no /dev/stdout, and scripts that write
# to it (kselftest's runner.sh) would fill a plain file of that name.
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
case " $(cat /proc/cmdline) " in
*" scx_vm.probe=1 "*) halt_now ;;
esac
accel=unknown
for w in $(cat /proc/cmdline); do
	case "$w" in
	scx_vm.accel=*) accel=${w#scx_vm.accel=} ;;
	esac
done

mkdir -p /dev/pts /dev/shm /sys/kernel/debug /sys/kernel/tracing /sys/fs/bpf /sys/fs/cgroup
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
# With systemd's options where the kernel has them.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup 2>/dev/null ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
# As systemd leaves it: every controller available to child cgroups, so a
# scheduler's cgroup ops (cpu.weight, ...) see the cgroups it creates.
if [ -r /sys/fs/cgroup/cgroup.controllers ]; then
	for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
		echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	done
fi
# Where libbpf looks for the config of __kconfig externs.
if [ -f /etc/scx-vm/kconfig ]; then
	mkdir -p /boot
	ln -sf /etc/scx-vm/kconfig "/boot/config-$(uname -r)"
fi
ip link set lo up 2>/dev/null
hostname scx-vm
# RTC_HCTOSYS normally did this; a clock before the host's launch is wrong.
[ "$(date +%s)" -ge "$host_epoch" ] || date -s "@$host_epoch" >/dev/null

echo "SCX_VM_KERNEL_$nonce=$(uname -r) ($accel)" > "$out"

# A shape that is not the one asked for is the test bed's failure: the
# command does not run under its name.
if [ -n "$shape" ]; then
	sh /etc/scx-vm/guest-shape.sh "$shape" > /run/scx-shape.out 2>&1
	src=$?
	sed "s/^/SCX_VM_SHAPE_$nonce=/" /run/scx-shape.out > "$out"
	if [ "$src" != 0 ]; then
		printf 'SCX_VM_EXIT_%s=95\n' "$nonce" > "$out"
		halt_now
	fi
fi

# shellcheck source=/dev/null
. /etc/scx-vm/env
# shellcheck source=/dev/null
. /etc/scx-vm/args
export HOME=/root USER=root LOGNAME=root
cd "$guest_dir" || halt_now
# Own session: the suite's process-group kills must not reach pid 1.
if [ -n "$run_user" ]; then
	mkdir -p "/home/$run_user"
	chown 1000:1000 "/home/$run_user"
	export HOME="/home/$run_user" USER="$run_user" LOGNAME="$run_user"
	setsid su -p -s /bin/sh "$run_user" -c "$(cat /etc/scx-vm/cmd)" scx-vm "$@" \
		>"$out" 2>&1 </dev/null
else
	setsid sh -c "$(cat /etc/scx-vm/cmd)" scx-vm "$@" >"$out" 2>&1 </dev/null
fi
rc=$?
# Reap leftovers, so that this last open of the port is the only one:
# its close then waits until the marker has left the UART.
kill -KILL -1 2>/dev/null
sleep 0.2
printf 'SCX_VM_EXIT_%s=%s\n' "$nonce" "$rc" > "$out"
halt_now
