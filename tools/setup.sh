#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One-time setup on a Debian 12 machine, as root: the build and VM packages
# from the system's own suites, then Debian's linux-source tree (harness
# headers, lib.mk, libbpf, bpftool, sched_ext headers) and a sched_ext
# kernel into the cache through a private apt state, then a build.
#
#   tools/setup.sh [--no-build]
#
# The system's apt sources are never changed.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
fetch=$top/tools/deb-fetch.sh

packages=(
	# build: lib/, the test, the fixture schedulers and the tree's libbpf/bpftool
	make gcc libc6-dev clang-22 libelf-dev zlib1g-dev
	python3 rsync
	# VM runner: qemu under TCG, a busybox initramfs; stress-ng for the
	# stress hold (the guest gets the host's)
	qemu-system-x86 busybox-static cpio zstd xz-utils kmod file stress-ng
	# TAP consumers: prove (perl), tappy (python3-tap, as LKFT parses)
	perl python3-tap
	# selftest/start_test.sh: file capabilities (setpriv is util-linux's)
	libcap2-bin
	# tools/check-ecosystem.sh: kconfig (merge_config.sh), DEBUG_INFO_BTF
	# (PAHOLE_VERSION), virtme-ng's guest devices
	flex bison pahole udev
	# reliability/: ASan, UBSan and libFuzzer runtimes for clang-19
	clang-19 libclang-rt-19-dev
)

if [ "$(id -u)" != 0 ]; then
	echo "setup.sh: run as root (apt-get install)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The kernels of the default matrix (vm/matrix.sh) and the Linux trees of
# those with sched_ext: the newest (the build's default tree and vmlinux),
# sid's, and trixie's 6.12 without sched_ext.  Versions are resolved now:
# the archive moves.
"$fetch" update
for suite in trixie-backports sid; do
	echo "setup.sh: $suite: Linux tree $("$fetch" source "$suite")"
	echo "setup.sh: $suite: kernel $("$fetch" kernel "$suite")"
done
echo "setup.sh: trixie: kernel $("$fetch" kernel trixie)"

# trixie's virtme-ng is pure Python and installs on Debian 12 with its
# dependencies from bookworm; only this one .deb comes from trixie.
if ! command -v vng >/dev/null; then
	apt-get install -y -q --no-install-recommends "$("$fetch" get trixie virtme-ng)"
fi

if [ "${1:-}" != --no-build ]; then
	make -C "$top" -j"$(nproc)"
fi
