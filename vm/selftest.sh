#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of vm/run-vm.sh against a stand-in suite built here: boots the
# default (sched_ext) kernel and Debian trixie's kernel (no sched_ext),
# checks exit-status round trips, the failure paths and that the guest has
# what a real machine has (vm/guest-check.sh).  Prints KTAP with the Linux
# tree's kselftest/ktap_helpers.sh.
#
#   selftest.sh [run-vm.sh options...]    e.g. selftest.sh --accel tcg

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=vm/common.sh
. "$here/common.sh"
ktap=$(ktap_helpers)
# shellcheck source=/dev/null
. "$ktap"
runvm=$here/run-vm.sh
opts=("$@")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scx-vm-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

suite=$tmp/suite
mkdir -p "$suite"
cat > "$suite/run_tests.sh" <<'EOF'
#!/bin/sh
echo "TAP version 13"
echo "1..1"
if [ -r /sys/kernel/sched_ext/state ]; then
	echo "ok 1 state=$(cat /sys/kernel/sched_ext/state)"
else
	echo "ok 1 state=absent"
fi
[ -e /sys/kernel/sched_ext ] || echo "# sched_ext sysfs absent"
echo "# vm=$SCX_ATTACH_VM uid=$(id -u) args=$*"
exit "${SCX_ATTACH_STANDIN_RC:-0}"
EOF
chmod +x "$suite/run_tests.sh"

out=$tmp/out
err=$tmp/err

ok() { ktap_test_pass "$1"; }

not_ok() {
	ktap_test_fail "$1"
	shift
	[ $# -eq 0 ] || echo "# $*"
	sed 's/^/# stdout: /' "$out"
	sed 's/^/# stderr: /' "$err"
}

# vm ARGS...: run run-vm.sh; rc, secs set.
vm() {
	local t0=$SECONDS

	rc=0
	"$runvm" "${opts[@]}" "$@" >"$out" 2>"$err" || rc=$?
	# From launch: building the initramfs (slow on a busy host) is not the boot's.
	prep=$(sed -n 's/^vm: initramfs .*in \([0-9]*\)\.[0-9]s$/\1/p' "$err" | head -n1)
	secs=$((SECONDS - t0 - ${prep:-0}))
	grep -h -e '^vm: booted in' -e '^vm: run took' -e '^vm: accel=' -e '^vm: kernel' "$err" |
		sed "s/^/# /" || true
}

has() { grep -q -e "$1" "$2"; }

ktap_print_header
ktap_set_plan 12

# 1-3: sched_ext kernel, exit status round trip.
for want in 0 4 1; do
	name="sched_ext kernel boots, state disabled, exit $want round-trips"
	export SCX_ATTACH_STANDIN_RC=$want
	vm --suite-dir "$suite" -- a 'b c'
	unset SCX_ATTACH_STANDIN_RC
	if [ "$rc" != "$want" ]; then
		not_ok "$name" "exit status $rc"
	elif ! grep -Eq '^vm: kernel [^ ]+ \((tcg|kvm)\)$' "$err"; then
		not_ok "$name" "no kernel version line on stderr"
	elif ! has '^ok 1 state=disabled$' "$out" || ! has '^# vm=1 uid=0 args=a b c$' "$out"; then
		not_ok "$name" "unexpected suite output"
	elif has 'SCX_VM_' "$out"; then
		not_ok "$name" "marker leaked into the output"
	else
		ok "$name"
	fi
done

# 4: a kernel without sched_ext: the sysfs dir is absent.
name="trixie kernel (no sched_ext) boots, sched_ext sysfs absent"
vm --suite-dir "$suite" --kernel trixie
if [ "$rc" != 0 ]; then
	not_ok "$name" "exit status $rc"
elif ! has '^ok 1 state=absent$' "$out" || ! has '^# sched_ext sysfs absent$' "$out"; then
	not_ok "$name" "sched_ext present: $(head -n1 "$out")"
else
	ok "$name"
fi

# 5: a suite binary whose library is missing: clear error, no boot.
name="missing library is named before booting"
cc=$(command -v cc || command -v gcc || true)
if [ -z "$cc" ]; then
	ktap_test_skip "$name"
	echo "# no C compiler"
else
	bad=$tmp/badsuite
	mkdir -p "$bad"
	cp "$suite/run_tests.sh" "$bad/"
	echo 'int scx_gone(void) { return 0; }' > "$tmp/gone.c"
	echo 'int scx_gone(void); int main(void) { return scx_gone(); }' > "$tmp/main.c"
	"$cc" -shared -fPIC -o "$tmp/libscxgone.so" "$tmp/gone.c"
	"$cc" -o "$bad/scx_needs_gone" "$tmp/main.c" -L"$tmp" -lscxgone
	rm "$tmp/libscxgone.so"
	vm --suite-dir "$bad"
	if [ "$rc" = 0 ] || [ "$rc" = 4 ] || [ "$rc" = 1 ]; then
		not_ok "$name" "exit status $rc"
	elif ! has 'scx_needs_gone needs libscxgone.so' "$err"; then
		not_ok "$name" "error does not name binary and library"
	elif has '^vm: booted' "$err"; then
		not_ok "$name" "booted anyway"
	else
		ok "$name"
	fi
fi

# 6: not a kernel at all.
name="text file as kernel gives a boot failure"
echo "this is not a kernel" > "$tmp/bogus"
vm --suite-dir "$suite" --kernel "$tmp/bogus" --boot-timeout 20
if [ "$rc" = 0 ] || [ "$rc" = 4 ] || [ "$rc" = 1 ]; then
	not_ok "$name" "exit status $rc"
elif ! has '^vm: guest did not boot' "$err"; then
	not_ok "$name" "no boot-failure message"
elif [ "$secs" -gt 30 ]; then
	not_ok "$name" "took ${secs}s from launch, boot timeout 20s"
else
	ok "$name"
fi

# 7: a corrupt image: the decompressor halts, the boot deadline fires and
# the console tail says why.
name="corrupt kernel image hits the boot timeout with console tail"
root=$("$top/tools/deb-fetch.sh" kernel trixie-backports 2>/dev/null || true)
img=$(find "$root/usr/lib/modules" -mindepth 2 -maxdepth 2 -name vmlinuz 2>/dev/null | head -n1)
if [ -z "$img" ]; then
	not_ok "$name" "cannot find the trixie-backports vmlinuz"
else
	cp "$img" "$tmp/vmlinuz-bad"
	size=$(stat -c %s "$tmp/vmlinuz-bad")
	head -c 4096 /dev/zero | dd of="$tmp/vmlinuz-bad" bs=1 seek=$((size / 2)) conv=notrunc status=none
	vm --suite-dir "$suite" --kernel "$tmp/vmlinuz-bad" --boot-timeout 15
	if [ "$rc" = 0 ] || [ "$rc" = 4 ] || [ "$rc" = 1 ]; then
		not_ok "$name" "exit status $rc"
	elif ! has '^vm: guest did not boot' "$err" || ! has '^vm: | ' "$err"; then
		not_ok "$name" "no boot-failure message with console tail"
	elif [ "$secs" -gt 30 ]; then
		not_ok "$name" "took ${secs}s from launch, boot timeout 15s"
	else
		ok "$name"
	fi
fi

# 8: a guest kernel panic is reported as such.
name="guest kernel panic is detected"
vm --suite-dir "$suite" --cmd 'echo c > /proc/sysrq-trigger'
if [ "$rc" = 0 ] || [ "$rc" = 4 ] || [ "$rc" = 1 ]; then
	not_ok "$name" "exit status $rc"
elif ! has '^vm: guest kernel panic: Kernel panic - not syncing: sysrq' "$err"; then
	not_ok "$name" "panic not reported"
else
	ok "$name"
fi

# 9: --user runs the command unprivileged.
name="--user runs the suite as an unprivileged user"
vm --suite-dir "$suite" --user scxtest
if [ "$rc" != 0 ]; then
	not_ok "$name" "exit status $rc"
elif ! has '^# vm=1 uid=1000 args=$' "$out"; then
	not_ok "$name" "not run as uid 1000"
else
	ok "$name"
fi

# 10: a whole tree (a kselftest install), a host program over busybox's
# applet (runner.sh runs /usr/bin/timeout --foreground, which busybox's
# lacks; its shell still prefers the applet for a bare "timeout"), and
# /dev/stdout as udev makes it.
name="--suite-tree ships subdirectories, --host-file shadows busybox"
tree=$tmp/tree
mkdir -p "$tree/sub/deeper"
cat > "$tree/sub/deeper/hello.sh" <<'EOF'
#!/bin/bash
echo "hello from ${BASH_VERSION:+bash in }$(basename "$(dirname "$0")")"
EOF
chmod +x "$tree/sub/deeper/hello.sh"
vm --suite-tree "$tree" --host-file "$(command -v timeout)" \
	--cmd './sub/deeper/hello.sh && /usr/bin/timeout --foreground 5 true && echo "gnu timeout" && echo appended >> /dev/stdout'
if [ "$rc" != 0 ]; then
	not_ok "$name" "exit status $rc"
elif ! has '^hello from bash in deeper$' "$out" || ! has '^gnu timeout$' "$out" ||
     ! has '^appended$' "$out"; then
	not_ok "$name" "unexpected output"
else
	ok "$name"
fi

# 11: what a scheduler finds on a real machine, each item checked inside
# the guest, with a CPU count and memory size other than the defaults.
name="the guest has the kernel config, cgroup2, BTF, debugfs, tracefs, kmsg, --cpus, --mem"
stress=()
command -v stress-ng >/dev/null && stress=(--stress-ng)
vm --suite-dir "$suite" --cpus 3 --mem 1536 --add "$ktap" --add "$here/guest-check.sh" \
	--cmd "./guest-check.sh --cpus 3 --mem 1536 ${stress[*]}"
if [ "$rc" != 0 ]; then
	not_ok "$name" "guest-check.sh exited $rc; missing: $(grep '^# .*: ' "$out" | tr '\n' ' ')"
elif plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out") &&
     [ "$plan" -lt "$((9 + ${#stress[@]}))" ] || [ "$(grep -c '^ok ' "$out")" != "$plan" ]; then
	# Nine checks everywhere, stress-ng's where it is, TCG's where it ran.
	not_ok "$name" "not every check ran"
else
	sed 's/^/# guest: /' "$out"
	ok "$name"
fi

# 12: an image without its config: the runner says so, the guest has none.
name="a bare kernel image without config is reported, no /boot/config in the guest"
rc=0
if [ -n "$img" ]; then
	cp "$img" "$tmp/vmlinuz-bare"
	# shellcheck disable=SC2016 # expanded in the guest
	vm --suite-dir "$suite" --kernel "$tmp/vmlinuz-bare" --cmd 'test ! -e "/boot/config-$(uname -r)"'
fi
if [ -z "$img" ]; then
	not_ok "$name" "cannot find the trixie-backports vmlinuz"
elif [ "$rc" != 0 ]; then
	not_ok "$name" "exit status $rc"
elif ! has '^vm: kernel config: none came with' "$err"; then
	not_ok "$name" "no message about the missing config"
else
	ok "$name"
fi

ktap_finished
