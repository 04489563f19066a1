# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Launch qemu on $kernel and $tmp/initrd.cpio, pick the accelerator, follow
# the guest through its serial channel and turn what happens into an exit
# status.  Sourced by run-vm.sh.
#
# Reads: tmp, kernel, cpus, mem, timeout, boot_timeout, probe_timeout, nonce,
# and from vm/topology.sh topo_smp and topo_numa when a shape was asked for.
# The guest's output goes to stdout, our messages to stderr.

# shellcheck disable=SC2154 # the globals named above come from run-vm.sh
# shellcheck source=vm/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

qpid=
qsub=
ofd=
t_launch=
used_accel=

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
	[ "$acc" = kvm ] || append+=" $TCG_STALL_ARGS $TCG_TIMER_ARGS"
	[ "$mode" = probe ] && append+=" scx_vm.probe=1"
	t_launch=$EPOCHREALTIME
	# A subshell reaps qemu: bash would report a crashed job of its own
	# ("Aborted") on our stderr.
	(
		exec {ofd}>&-
		qemu-system-x86_64 \
			-nodefaults -no-user-config -display none -no-reboot \
			-accel "$accel_opt" -cpu "$cpu" -smp "${topo_smp:-$cpus}" -m "$mem" \
			${topo_numa[@]+"${topo_numa[@]}"} \
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
	local t0=$SECONDS boot_mark=SCX_VM_BOOT_$nonce exit_mark=SCX_VM_EXIT_$nonce=
	# The kernel's version goes to stderr: stdout stays pure KTAP for parsers.
	local kernel_mark=SCX_VM_KERNEL_$nonce=
	# The guest's proof of its shape (vm/guest-shape.sh), also to stderr.
	local shape_mark=SCX_VM_SHAPE_$nonce= shape_bad=0

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
			elif [[ $line == *"$shape_mark"* ]]; then
				msg "shape ${line##*"$shape_mark"}"
				[[ ${line##*"$shape_mark"} != mismatch:* ]] || shape_bad=1
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
				elif [[ $line == *"$shape_mark"* ]]; then
					msg "shape ${line##*"$shape_mark"}"
					[[ ${line##*"$shape_mark"} != mismatch:* ]] || shape_bad=1
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
	if [ "$shape_bad" = 1 ]; then
		msg "guest's machine shape is not --topology ${topo_spec:-}: the command did not run (see the mismatch lines above; docs/vm.md says what qemu can express)"
		exit $E_SHAPE
	fi
	if ! [[ $rc =~ ^[0-9]+$ ]]; then
		msg "garbled exit status '$rc' from the guest"
		exit $E_LOST
	fi
	exit "$rc"
}

kvm_usable() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# The kernel's stall detectors count guest time, which keeps pace with the
# host's clock while TCG runs the guest many times slower (and slower still
# on a loaded host): a 2 MB page copy preempted under stress-ng held an RCU
# reader past the 21 s default, and sched_ext ejects the running scheduler
# on any RCU stall.  Scale them as the suite's emulated windows are scaled:
# RCU stall and soft lockup reports after 60 s instead of 21 s and 20 s.
TCG_STALL_ARGS="rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=30"
# The kernel's boot check that the timer reaches the IO-APIC waits a fixed
# number of loops: a 64-vCPU TCG guest on a loaded host panicked in it
# ("IO-APIC + timer doesn't work!").  Skip it as KVM guests do.
TCG_TIMER_ARGS="no_timer_check"

# choose_accel auto|kvm|tcg: set used_accel; auto boots a short KVM probe
# that must reach /init in time (a KVM that opens is not always one that
# runs guests).
choose_accel() {
	local why

	case "$1" in
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
			return
		fi
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
		;;
	esac
}
