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
#                        run_tests.sh, settings, config and every ELF directly
#                        in DIR are copied into the guest
#   --add PATH           extra file for the guest's suite dir (repeatable)
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
#   --accel auto|kvm|tcg (default auto: short KVM probe boot, else TCG)
#   --cpus N             (default 2)
#   --mem MB             (default 1024)
#   --timeout SEC        whole run, boot included (default 900)
#   --boot-timeout SEC   launch to guest /init (default 240 TCG, 60 KVM)
#   --kvm-probe-timeout SEC  (default 20)
#   --cmd 'SHELL CMD'    run this in the suite dir instead of
#                        ./run_tests.sh SUITE_ARGS (SUITE_ARGS become "$@")
#   --user NAME          run the command as an unprivileged guest user
#   --console-log FILE   copy the guest's kernel console log to FILE
#   --keep-tmp           keep the private temp dir (initramfs, logs)
#   -h, --help
#
# The guest gets SCX_ATTACH_VM=1, TMPDIR=/tmp and the host's SCX_ATTACH_*
# variables.  Exit status: the guest command's, or
#   2 usage, 90 host setup failed (qemu, kernel, suite files, libraries),
#   91 guest did not boot, 92 guest kernel panic, 93 whole-run timeout,
#   94 guest stopped without reporting a status.

set -euo pipefail

readonly E_USAGE=2 E_SETUP=90 E_BOOT=91 E_PANIC=92 E_TIMEOUT=93 E_LOST=94

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SCX_ATTACH_CACHE:-$top/.cache}
guest_dir=/opt/scx_attach

suite_dir=$top
suite_tree=
adds=()
host_files=()
kernel_spec=trixie-backports
accel=auto
cpus=2
mem=1024
timeout=900
boot_timeout=
probe_timeout=20
cmd=
run_user=
console_out=
keep_tmp=0
suite_args=()

tmp=
qpid=
qsub=

usage() {
	sed -n '4,/^$/{/^$/d;s/^# \{0,1\}//;p}' "$0"
}

msg() { echo "vm: $*" >&2; }

die() {
	local rc=$1

	shift
	msg "$*"
	exit "$rc"
}

console_tail() {
	local f=$tmp/console.log

	if [ -s "$f" ]; then
		msg "last kernel console lines:"
		tr -d '\r' < "$f" | grep -v '^[[:space:]]*$' | tail -n 30 |
			awk '{ print "vm: | " $0 }' >&2
	else
		msg "kernel console: no output"
	fi
	# Our own SIGTERM is no news.
	if grep -qv 'terminating on signal' "$tmp/qemu.log" 2>/dev/null; then
		msg "qemu said:"
		grep -v 'terminating on signal' "$tmp/qemu.log" | tail -n 10 |
			awk '{ print "vm: | " $0 }' >&2
	fi
}

# A zombie still answers kill -0: read the state instead.
alive() {
	local _pid _comm state

	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	read -r _pid _comm state _ < "/proc/$1/stat" 2>/dev/null || return 1
	[ "$state" != Z ]
}

stop_qemu() {
	[ -n "$qsub" ] || return 0
	if alive "$qpid"; then
		kill -TERM "$qpid" 2>/dev/null || true
		for _ in $(seq 30); do
			alive "$qpid" || break
			sleep 0.1
		done
		alive "$qpid" && kill -KILL "$qpid" 2>/dev/null
	fi
	wait "$qsub" 2>/dev/null || true
	qpid=
	qsub=
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

need_uint() {
	if ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -eq 0 ]; then
		die $E_USAGE "$1: '$2' is not a positive integer"
	fi
}

while [ $# -gt 0 ]; do
	case "$1" in
	--suite-dir)	need_arg "$@"; suite_dir=$2; shift ;;
	--add)		need_arg "$@"; adds+=("$2"); shift ;;
	--suite-tree)	need_arg "$@"; suite_tree=$2; shift ;;
	--host-file)	need_arg "$@"; host_files+=("$2"); shift ;;
	--kernel)	need_arg "$@"; kernel_spec=$2; shift ;;
	--accel)	need_arg "$@"; accel=$2; shift ;;
	--cpus)		need_arg "$@"; need_uint "$1" "$2"; cpus=$2; shift ;;
	--mem)		need_arg "$@"; need_uint "$1" "$2"; mem=$2; shift ;;
	--timeout)	need_arg "$@"; need_uint "$1" "$2"; timeout=$2; shift ;;
	--boot-timeout)	need_arg "$@"; need_uint "$1" "$2"; boot_timeout=$2; shift ;;
	--kvm-probe-timeout) need_arg "$@"; need_uint "$1" "$2"; probe_timeout=$2; shift ;;
	--cmd)		need_arg "$@"; cmd=$2; shift ;;
	--user)		need_arg "$@"; run_user=$2; shift ;;
	--console-log)	need_arg "$@"; console_out=$2; shift ;;
	--keep-tmp)	keep_tmp=1 ;;
	-h|--help)	usage; exit 0 ;;
	--)		shift; suite_args=("$@"); break ;;
	*)		die $E_USAGE "unknown option '$1' (see --help)" ;;
	esac
	shift
done

case "$accel" in
auto|kvm|tcg) ;;
*) die $E_USAGE "--accel must be auto, kvm or tcg" ;;
esac
if [ -n "$run_user" ] && ! [[ $run_user =~ ^[a-z_][a-z0-9_-]{0,30}$ ]] || [ "$run_user" = root ]; then
	die $E_USAGE "--user: '$run_user' is not a valid unprivileged user name"
fi
# Relative to where we were called from: cleanup runs after any cd.
[ -z "$console_out" ] || console_out=$(realpath -m -- "$console_out")

command -v qemu-system-x86_64 >/dev/null ||
	die $E_SETUP "qemu-system-x86_64 not found (install qemu-system-x86)"
for t in busybox cpio ldd; do
	command -v "$t" >/dev/null || die $E_SETUP "$t not found (install busybox-static, cpio, libc-bin)"
done
[ -d "$suite_dir" ] || die $E_SETUP "suite dir '$suite_dir' does not exist"
[ -z "$suite_tree" ] || [ -d "$suite_tree" ] || die $E_SETUP "suite tree '$suite_tree' does not exist"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scx-vm.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- kernel

# Split packages keep the image in usr/lib/modules/V/, older ones in /boot.
find_vmlinuz() {
	local f

	f=$(find "$1/usr/lib/modules" -mindepth 2 -maxdepth 2 -name vmlinuz 2>/dev/null | sort | tail -n1)
	[ -n "$f" ] || f=$(find "$1/boot" -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | sort | tail -n1)
	echo "$f"
}

resolve_kernel() {
	local spec=$1 root deb name suite meta stamp bin f

	if [ -f "$spec" ] && [[ $spec == *.deb ]]; then
		deb=$(realpath -- "$spec")
		dpkg-deb --info "$deb" >/dev/null 2>&1 || die $E_SETUP "$spec is not a readable .deb"
		name=$(basename "$deb" .deb)
		root=$cache/kernels/deb-$name
		stamp=$(stat -c '%s %Y' "$deb")
		if [ "$(cat "$root/.complete" 2>/dev/null)" != "$stamp" ]; then
			rm -rf "$root"
			mkdir -p "$root"
			dpkg-deb -x "$deb" "$root" || die $E_SETUP "cannot unpack $spec"
			# Split packages: linux-image-V is empty, the image is in
			# linux-binary-V; take it from next to the given .deb.
			if [ -z "$(find_vmlinuz "$root")" ]; then
				for bin in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
					     sed -n 's/^ *\(linux-binary-[^ ]*\).*/\1/p'); do
					for f in "$(dirname "$deb")/${bin}"_*.deb; do
						[ -f "$f" ] || continue
						dpkg-deb -x "$f" "$root" || die $E_SETUP "cannot unpack $f"
					done
				done
			fi
			echo "$stamp" > "$root/.complete"
		fi
		kernel=$(find_vmlinuz "$root")
		[ -n "$kernel" ] ||
			die $E_SETUP "$spec holds no vmlinuz (split kernel? pass its linux-binary-* .deb)"
	elif [ -f "$spec" ]; then
		kernel=$(realpath -- "$spec")
	elif [[ $spec == */* || $spec == .* || $spec == *.deb ]] && ! [[ $spec =~ ^[a-z0-9-]+/[a-z0-9.+-]+$ ]]; then
		die $E_SETUP "--kernel $spec: no such file"
	else
		suite=${spec%%/*}
		meta=
		[[ $spec == */* ]] && meta=${spec#*/}
		root=$("$top/tools/deb-fetch.sh" kernel "$suite" ${meta:+"$meta"}) ||
			die $E_SETUP "cannot fetch kernel '$spec' (deb-fetch.sh failed, see above)"
		kernel=$(find_vmlinuz "$root")
		[ -n "$kernel" ] || die $E_SETUP "kernel '$spec' unpacked to $root, but it holds no vmlinuz"
	fi
	[ -s "$kernel" ] || die $E_SETUP "kernel image $kernel is empty"
}

# ------------------------------------------------------------- initramfs

root=$tmp/root
nonce=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
boot_mark=SCX_VM_BOOT_$nonce
exit_mark=SCX_VM_EXIT_$nonce=
# The kernel's version goes to stderr: stdout stays pure KTAP for parsers.
kernel_mark=SCX_VM_KERNEL_$nonce=

is_elf() {
	local m

	[ -f "$1" ] && [ -r "$1" ] || return 1
	IFS= read -r -N 4 m < "$1" 2>/dev/null || true
	[ "$m" = $'\x7fELF' ]
}

# Put a host file at the same path in the guest.  The guest mirrors the
# host's merged-/usr symlinks, so ldd's paths resolve there too.
put_host_file() {
	mkdir -p "$root$(dirname "$1")"
	[ -e "$root$1" ] || cp -L -- "$1" "$root$1"
}

# Check and copy the shared libraries of an ELF (name for messages).
add_libs() {
	local elf=$1 name=$2 out line lib path

	out=$(ldd "$elf" 2>&1) || true
	case "$out" in
	*"not a dynamic executable"*|*"statically linked"*) return 0 ;;
	esac
	while IFS= read -r line; do
		line=${line#"${line%%[![:space:]]*}"}
		case "$line" in
		*"=> not found"*)
			lib=${line%% *}
			die $E_SETUP "$name needs $lib, which is not found on this host: cannot run it in the guest"
			;;
		*" => /"*)
			path=${line#* => }
			path=${path%% (*}
			;;
		/*)
			path=${line%% (*}
			;;
		*)
			continue
			;;
		esac
		[ -e "$path" ] || die $E_SETUP "$name needs $path, which does not exist"
		put_host_file "$path"
	done <<< "$out"
}

# Scripts: make sure the interpreter exists in the guest (bash, mostly).
add_interp() {
	local f=$1 name=$2 first interp prog rest path

	IFS= read -r first < "$f" 2>/dev/null || return 0
	[[ $first == '#!'* ]] || return 0
	read -r interp prog rest <<< "${first#'#!'}"
	[ -n "$interp" ] || return 0
	if [ "$(basename "$interp")" = env ] && [ -n "$prog" ]; then
		interp=$prog
	fi
	if busybox --list | grep -qx -- "$(basename "$interp")" &&
	   { [ "$(basename "$interp")" = sh ] || [ "$(basename "$interp")" = ash ] ||
	     ! command -v "$interp" >/dev/null; }; then
		return 0
	fi
	path=$(command -v "$interp" 2>/dev/null || true)
	if [ -z "$path" ] || ! is_elf "$(realpath "$path")"; then
		die $E_SETUP "$name needs interpreter '$interp', which is not on this host"
	fi
	put_host_file "$path"
	add_libs "$path" "$path"
	# Also put it where the shebang names it (e.g. #!/usr/bin/bash).
	if [[ $interp == /* ]] && [ ! -e "$root$interp" ]; then
		mkdir -p "$root$(dirname "$interp")"
		cp -L -- "$path" "$root$interp"
	fi
}

add_suite_file() {
	local f=$1 dest

	dest=$root$guest_dir/$(basename "$f")
	[ -e "$f" ] || die $E_SETUP "--add $f: no such file"
	cp -RLp -- "$f" "$dest"
	if is_elf "$f"; then
		add_libs "$f" "$f"
	elif [ -f "$f" ]; then
		add_interp "$f" "$f"
	fi
}

# A whole tree (a kselftest install): libraries for every ELF, the shell for
# every shell script.  Perl or python would need their module trees: scripts
# for those are left to fall back (kselftest's runner.sh uses sed without perl).
add_suite_tree() {
	local f first interp prog _rest

	cp -a -- "$suite_tree"/. "$root$guest_dir/" || die $E_SETUP "cannot copy $suite_tree"
	while IFS= read -r -d '' f; do
		if is_elf "$f"; then
			add_libs "$f" "$f"
			continue
		fi
		IFS= read -r first < "$f" 2>/dev/null || continue
		[[ $first == '#!'* ]] || continue
		read -r interp prog _rest <<< "${first#'#!'}"
		[ "$(basename "${interp:-x}")" = env ] && interp=$prog
		case "$(basename "${interp:-x}")" in
		sh|ash|bash|dash) add_interp "$f" "$f" ;;
		esac
	done < <(find "$suite_tree" -type f -print0)
}

# A host program at its own path, shadowing busybox's applet of that name.
add_host_file() {
	local f=$1

	if [[ $f != /* ]] || ! is_elf "$f"; then
		die $E_SETUP "--host-file $f: not an absolute path to an ELF program"
	fi
	rm -f -- "$root$f"
	put_host_file "$f"
	add_libs "$f" "$f"
}

shell_quote() {
	local s=$1

	printf "'%s'" "${s//\'/\'\\\'\'}"
}

build_initramfs() {
	local d f bb p var q

	mkdir -p "$root"
	# Mirror the host's top-level /bin, /lib... symlinks (merged /usr).
	mkdir -p "$root"/usr/{bin,sbin,lib,lib64}
	for d in bin sbin lib lib64; do
		if [ -L "/$d" ]; then
			ln -s "$(readlink "/$d")" "$root/$d"
		else
			mkdir -p "$root/$d"
		fi
	done
	mkdir -p "$root"/{dev,proc,sys,tmp,run,root,etc/scx-vm,home} "$root$guest_dir"
	chmod 1777 "$root/tmp"
	# An initial console for the kernel to open; /init copes without it.
	mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

	# Suite files first: they decide which libraries and interpreters go in.
	if [ -n "$suite_tree" ]; then
		add_suite_tree
	else
		for f in "$suite_dir"/* ; do
			[ -f "$f" ] || continue
			case "$(basename "$f")" in
			scx_attach_test|run_tests.sh|settings|config) add_suite_file "$f" ;;
			*) [ -x "$f" ] && is_elf "$f" && add_suite_file "$f" ;;
			esac
		done
	fi
	for f in "${adds[@]}"; do
		add_suite_file "$f"
	done
	for f in "${host_files[@]}"; do
		add_host_file "$f"
	done
	if [ -z "$cmd" ] && [ ! -e "$root$guest_dir/run_tests.sh" ]; then
		die $E_SETUP "no run_tests.sh in $suite_dir (build the suite, or pass --cmd)"
	fi

	bb=$(command -v busybox)
	cp -L "$bb" "$root/bin/busybox"
	add_libs "$bb" "$bb"
	for p in $(busybox --list-full); do
		[ -e "$root/$p" ] || [ -L "$root/$p" ] || ln -s /bin/busybox "$root/$p"
	done

	# Guest configuration: plain shell, sourced by /init.
	{
		echo "nonce=$nonce"
		echo "guest_dir=$guest_dir"
		echo "run_user=$run_user"
		echo "host_epoch=$(date +%s)"
	} > "$root/etc/scx-vm/conf"
	{
		echo "export SCX_ATTACH_VM=1 TMPDIR=/tmp"
		while IFS= read -r var; do
			[ "$var" = SCX_ATTACH_VM ] && continue
			q=$(shell_quote "${!var}")
			echo "export $var=$q"
		done < <(compgen -e | grep '^SCX_ATTACH_' || true)
	} > "$root/etc/scx-vm/env"
	if [ -n "$cmd" ]; then
		printf '%s\n' "$cmd" > "$root/etc/scx-vm/cmd"
	else
		# shellcheck disable=SC2016 # expanded by the guest's shell
		echo './run_tests.sh "$@"' > "$root/etc/scx-vm/cmd"
	fi
	{
		printf 'set --'
		for a in "${suite_args[@]}"; do
			printf ' %s' "$(shell_quote "$a")"
		done
		echo
	} > "$root/etc/scx-vm/args"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
	echo 'root:x:0:' > "$root/etc/group"
	if [ -n "$run_user" ]; then
		echo "$run_user:x:1000:1000:$run_user:/home/$run_user:/bin/sh" >> "$root/etc/passwd"
		echo "$run_user:x:1000:" >> "$root/etc/group"
	fi

	write_init > "$root/init"
	chmod 755 "$root/init"

	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet > "$tmp/initrd.cpio") ||
		die $E_SETUP "cannot build the initramfs"
}

# The guest's pid 1.  Kernel console: ttyS0.  Suite channel: ttyS1 (8250
# probes synchronously, so it exists when /init starts; virtio ports may not).
write_init() {
	cat <<'EOF'
#!/bin/sh
# scx_attach VM init: pid 1, never exits (that would panic the guest).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t devtmpfs -o mode=0755 devtmpfs /dev 2>/dev/null
exec </dev/null >/dev/console 2>&1
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
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up 2>/dev/null
hostname scx-vm
# RTC_HCTOSYS normally did this; a clock before the host's launch is wrong.
[ "$(date +%s)" -ge "$host_epoch" ] || date -s "@$host_epoch" >/dev/null

echo "SCX_VM_KERNEL_$nonce=$(uname -r) ($accel)" > "$out"

. /etc/scx-vm/env
. /etc/scx-vm/args
export HOME=/root USER=root LOGNAME=root
cd "$guest_dir"
# Own session: the suite's process-group kills must not reach pid 1.
if [ -n "$run_user" ]; then
	mkdir -p "/home/$run_user"
	chown 1000:1000 "/home/$run_user"
	export HOME=/home/$run_user USER=$run_user LOGNAME=$run_user
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
EOF
}

# ------------------------------------------------------------------ qemu

# launch ACCEL MODE: start qemu in the background; MODE probe or run.
launch() {
	local acc=$1 mode=$2 cpu append accel_opt

	rm -f "$tmp/out.fifo" "$tmp/console.log" "$tmp/qemu.log" "$tmp/qemu.pid" "$tmp/qemu.rc"
	mkfifo "$tmp/out.fifo"
	# Read-write: never blocks, and qemu's open for writing never blocks.
	exec {ofd}<>"$tmp/out.fifo"
	case "$acc" in
	kvm) cpu=host; accel_opt=kvm ;;
	# Multi-threaded TCG (qemu 7.2) races with the guest's int3-based code
	# patching: sched_ext flips static branches on enable, and a vCPU ran
	# into a half-patched __schedule ("Oops: int3"), panicking the guest
	# once in a few dozen enables.  One TCG thread serialises the vCPUs.
	*) cpu=max; accel_opt=tcg,thread=single ;;
	esac
	append="console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 quiet rdinit=/init scx_vm.accel=$acc"
	[ "$mode" = probe ] && append+=" scx_vm.probe=1"
	t_launch=$EPOCHREALTIME
	# A subshell reaps qemu: bash would report a crashed job of its own
	# ("Aborted") on our stderr.
	(
		exec {ofd}>&-
		qemu-system-x86_64 \
			-nodefaults -no-user-config -display none -no-reboot \
			-accel "$accel_opt" -cpu "$cpu" -smp "$cpus" -m "$mem" \
			-kernel "$kernel" -initrd "$tmp/initrd.cpio" -append "$append" \
			-serial "file:$tmp/console.log" \
			-chardev "file,id=suite,path=$tmp/out.fifo" -serial chardev:suite \
			</dev/null &
		echo $! > "$tmp/qemu.pid.new"
		mv "$tmp/qemu.pid.new" "$tmp/qemu.pid"
		wait $! && st=0 || st=$?
		echo "$st" > "$tmp/qemu.rc"
	) >"$tmp/qemu.log" 2>&1 &
	qsub=$!
	while [ ! -e "$tmp/qemu.pid" ]; do
		sleep 0.01
	done
	qpid=$(< "$tmp/qemu.pid")
}

elapsed() {
	local now=$EPOCHREALTIME s

	# EPOCHREALTIME follows the locale's decimal point.
	s=$(( (${now//[.,]/} - ${t_launch//[.,]/}) / 100000 ))
	printf '%d.%d' $((s / 10)) $((s % 10))
}

panicked() {
	[ -e "$tmp/console.log" ] && grep -q 'Kernel panic' "$tmp/console.log"
}

# The panic line itself: a long trace pushes it out of the console tail.
panic_line() {
	grep -a -m1 'Kernel panic' "$tmp/console.log" | tr -d '\r' | sed 's/^.*Kernel panic/Kernel panic/'
}

# watch MODE: follow the guest.  probe: return 0 once /init is up, 1 if
# not within probe_timeout.  run: stream the suite, exit with its status.
watch() {
	local mode=$1 buf='' chunk line st deadline now rc='' booted=0 pre
	local t0=$SECONDS

	while :; do
		if IFS= read -r -t 1 -u "$ofd" chunk; then
			line=${buf}${chunk%$'\r'}
			buf=
			if [[ $line == *"$boot_mark"* ]]; then
				booted=1
				pre=${line%%"$boot_mark"*}
				[ -z "$pre" ] || printf '%s\n' "$pre"
				[ "$mode" = probe ] && return 0
				msg "booted in $(elapsed)s"
			elif [[ $line == *"$kernel_mark"* ]]; then
				msg "kernel ${line##*"$kernel_mark"}"
			elif [[ $line == *"$exit_mark"* ]]; then
				rc=${line##*"$exit_mark"}
				pre=${line%%"$exit_mark"*}
				[ -z "$pre" ] || printf '%s\n' "$pre"
				break
			elif [ "$mode" = run ]; then
				printf '%s\n' "$line"
			fi
			# No continue: a chatty guest must still meet its deadlines.
		else
			st=$?
			[ "$st" -gt 128 ] && buf+=$chunk
		fi

		now=$SECONDS
		if ! alive "$qpid"; then
			# Whatever is still in the pipe came before the exit.
			while IFS= read -r -t 0.2 -u "$ofd" chunk; do
				line=${buf}${chunk%$'\r'}
				buf=
				if [[ $line == *"$exit_mark"* ]]; then
					rc=${line##*"$exit_mark"}
					line=${line%%"$exit_mark"*}
				elif [[ $line == *"$boot_mark"* ]]; then
					booted=1
					continue
				elif [[ $line == *"$kernel_mark"* ]]; then
					msg "kernel ${line##*"$kernel_mark"}"
					continue
				fi
				[ "$mode" = run ] && [ -n "$line" ] && printf '%s\n' "$line"
			done
			buf+=$chunk
			[ -n "$rc" ] && break
			[ "$mode" = run ] && [ -n "$buf" ] && printf '%s\n' "$buf"
			[ "$mode" = probe ] && return 1
			stop_qemu
			st=$(cat "$tmp/qemu.rc" 2>/dev/null || echo '?')
			if panicked; then
				msg "guest kernel panic$([ $booted = 1 ] || echo ' before /init started'): $(panic_line)"
				console_tail
				exit $E_PANIC
			fi
			if [ $booted = 0 ]; then
				msg "guest did not boot: qemu exited (status $st) before /init started"
				console_tail
				exit $E_BOOT
			fi
			msg "guest stopped (qemu status $st) without reporting the command's exit status"
			console_tail
			exit $E_LOST
		fi
		if [ $booted = 0 ]; then
			[ "$mode" = probe ] && deadline=$probe_timeout || deadline=$boot_timeout
			if [ $((now - t0)) -ge "$deadline" ]; then
				[ "$mode" = probe ] && return 1
				stop_qemu
				if panicked; then
					msg "guest kernel panic before /init started: $(panic_line)"
					console_tail
					exit $E_PANIC
				fi
				msg "guest did not boot: no sign of /init within ${deadline}s ($used_accel)"
				console_tail
				exit $E_BOOT
			fi
		fi
		if [ "$mode" = run ] && [ $((now - t0)) -ge "$timeout" ]; then
			stop_qemu
			msg "whole-run timeout: guest still running after ${timeout}s, killed"
			panicked && msg "(the guest kernel panicked: $(panic_line))"
			console_tail
			exit $E_TIMEOUT
		fi
	done

	# Marker seen: give the guest a moment to power itself off.
	for _ in $(seq 100); do
		alive "$qpid" || break
		sleep 0.1
	done
	stop_qemu
	msg "run took $(elapsed)s"
	if ! [[ $rc =~ ^[0-9]+$ ]]; then
		msg "garbled exit status '$rc' from the guest"
		exit $E_LOST
	fi
	exit "$rc"
}

kvm_usable() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

resolve_kernel "$kernel_spec"
build_initramfs

case "$accel" in
tcg)
	used_accel=tcg
	msg "accel=tcg (requested)"
	;;
kvm)
	kvm_usable || die $E_SETUP "--accel kvm: /dev/kvm is missing or not accessible"
	used_accel=kvm
	msg "accel=kvm (requested)"
	;;
auto)
	if ! kvm_usable; then
		used_accel=tcg
		msg "accel=tcg (no usable /dev/kvm)"
	else
		launch kvm probe
		if watch probe; then
			used_accel=kvm
			msg "accel=kvm (kvm probe: /init up in $(elapsed)s)"
		elif alive "$qpid"; then
			used_accel=tcg
			msg "accel=tcg (kvm probe: no marker within ${probe_timeout}s)"
		else
			used_accel=tcg
			why=$(grep -v '^$' "$tmp/qemu.log" | head -n1 | cut -c1-120)
			msg "accel=tcg (kvm probe: qemu exited${why:+: $why})"
		fi
		stop_qemu
		exec {ofd}>&-
	fi
	;;
esac
if [ -z "$boot_timeout" ]; then
	[ "$used_accel" = kvm ] && boot_timeout=60 || boot_timeout=240
fi

launch "$used_accel" run
watch run
