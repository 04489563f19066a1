#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Resolve a kernel spec to a bootable image and what belongs with it.
#
#   SPEC: SUITE | SUITE/METAPKG      Debian kernel, fetched by tools/deb-fetch.sh
#         linux-image-*/linux-binary-*.deb   unpacked into the cache
#         vmlinuz/bzImage file       booted as is
#
# Sourced by run-vm.sh (resolve_kernel sets kernel, kernel_root,
# kernel_config, kernel_release), or run:
#
#   kernel.sh SPEC                print image=, release=, config=, root=,
#                                 sched_ext=y|n|unknown (one per line)
#   kernel.sh --vmlinux OUT SPEC  extract the image's ELF vmlinux (with its
#                                 BTF) to OUT with the tree's extract-vmlinux
#
# A config is the one that came with the image: Debian's split packages keep
# it next to the image (usr/lib/modules/V/config), older ones as
# boot/config-V; for a bare image file, config or config-V beside it.

# shellcheck source=vm/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Split packages keep the image in usr/lib/modules/V/, older ones in /boot.
find_vmlinuz() {
	local f

	f=$(find "$1/usr/lib/modules" -mindepth 2 -maxdepth 2 -name vmlinuz 2>/dev/null | sort | tail -n1)
	[ -n "$f" ] || f=$(find "$1/boot" -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | sort | tail -n1)
	echo "$f"
}

# The release string an x86 bzImage carries (what uname -r will say).
bzimage_release() {
	local f=$1 off

	[ "$(dd if="$f" bs=1 skip=$((0x202)) count=4 status=none 2>/dev/null)" = HdrS ] || return 1
	off=$(od -An -tu2 -j $((0x20e)) -N2 "$f" 2>/dev/null | tr -d ' ')
	[ -n "$off" ] || return 1
	dd if="$f" bs=1 skip=$((off + 0x200)) count=128 status=none 2>/dev/null |
		tr '\0' '\n' | head -n1 | cut -d' ' -f1
}

# The config shipped with IMAGE, if any.
find_config() {
	local img=$1 rel=$2 d c

	d=$(dirname "$img")
	for c in "$d/config" "$d/config-$rel"; do
		if [ -n "$rel" ] && [ -f "$c" ]; then
			realpath -- "$c"
			return
		fi
	done
}

resolve_kernel() {
	local spec=$1 root='' deb name suite meta stamp bin f

	if [ -f "$spec" ] && [[ $spec == *.deb ]]; then
		deb=$(realpath -- "$spec")
		dpkg-deb --info "$deb" >/dev/null 2>&1 || die $E_SETUP "$spec is not a readable .deb"
		name=$(basename "$deb" .deb)
		root=$cache/kernels/deb-$name
		stamp="with-base $(stat -c '%s %Y' "$deb")"
		if [ "$(cat "$root/.complete" 2>/dev/null)" != "$stamp" ]; then
			rm -rf "$root"
			mkdir -p "$root"
			dpkg-deb -x "$deb" "$root" || die $E_SETUP "cannot unpack $spec"
			# Split packages: linux-image-V is empty, the image is in
			# linux-binary-V and the config in linux-base-V; take them
			# from next to the given .deb.
			for bin in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
				     sed -n 's/^ *\(linux-\(binary\|base\)-[0-9][^ ]*\).*/\1/p'); do
				for f in "$(dirname "$deb")/${bin}"_*.deb; do
					[ -f "$f" ] || continue
					dpkg-deb -x "$f" "$root" || die $E_SETUP "cannot unpack $f"
				done
			done
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
	kernel_root=$root
	kernel_release=$(bzimage_release "$kernel" || true)
	if [ -z "$kernel_release" ] && [[ $kernel == */lib/modules/*/vmlinuz ]]; then
		kernel_release=$(basename "$(dirname "$kernel")")
	fi
	kernel_config=$(find_config "$kernel" "$kernel_release")
}

# y, n, or unknown without a config.
kernel_sched_ext() {
	if [ -z "$kernel_config" ]; then
		echo unknown
	elif grep -q '^CONFIG_SCHED_CLASS_EXT=y' "$kernel_config"; then
		echo y
	else
		echo n
	fi
}

# extract_vmlinux OUT: the ELF vmlinux of $kernel, for BTF (vmlinux.h).
extract_vmlinux() {
	local out=$1 tree

	tree=$(linux_tree) || die $E_SETUP "no Linux tree for scripts/extract-vmlinux (run tools/setup.sh)"
	if [ -s "$out" ] && [ "$out" -nt "$kernel" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$out")"
	# It exits 0 even when it finds nothing: check the result.
	sh "$tree/scripts/extract-vmlinux" "$kernel" > "$out.tmp" 2>/dev/null
	if ! [ -s "$out.tmp" ]; then
		rm -f "$out.tmp"
		die $E_SETUP "cannot extract vmlinux from $kernel (zstd installed?)"
	fi
	mv "$out.tmp" "$out"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	out=
	if [ "${1:-}" = --vmlinux ]; then
		[ $# -eq 3 ] || die $E_USAGE "usage: kernel.sh --vmlinux OUT SPEC"
		out=$2
		shift 2
	fi
	[ $# -eq 1 ] || die $E_USAGE "usage: kernel.sh [--vmlinux OUT] SPEC"
	resolve_kernel "$1"
	if [ -n "$out" ]; then
		extract_vmlinux "$out"
	else
		printf 'image=%s\nrelease=%s\nconfig=%s\nroot=%s\nsched_ext=%s\n' \
			"$kernel" "$kernel_release" "$kernel_config" "$kernel_root" "$(kernel_sched_ext)"
	fi
fi
