# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Build the guest's initramfs in two archives: the image (busybox, the
# suite's files with their libraries and interpreters, host programs, the
# kernel's config), the same for every boot of one kernel and suite, and
# the boot's own (the guest's /init, guest-init.sh, with this boot's
# configuration: nonce, clock, shape, environment, command).  The kernel
# unpacks them one after the other.  An image can be built ahead, while
# another guest runs (run-vm.sh --prepare), and serve several boots.
# Sourced by run-vm.sh.
#
# Reads: tmp, guest_dir, suite_dir, suite_tree, adds, puts, host_files, cmd,
# run_user, suite_args, kernel_config, nonce.  Writes $tmp/initrd.cpio.

# shellcheck disable=SC2154 # the globals named above come from run-vm.sh
# shellcheck source=vm/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

initrd_root=

is_elf() {
	local m

	[ -f "$1" ] && [ -r "$1" ] || return 1
	IFS= read -r -N 4 m < "$1" 2>/dev/null || true
	[ "$m" = $'\x7fELF' ]
}

# Put a host file at the same path in the guest.  The guest mirrors the
# host's merged-/usr symlinks, so ldd's paths resolve there too.
put_host_file() {
	mkdir -p "$initrd_root$(dirname "$1")"
	[ -e "$initrd_root$1" ] || cp -L -- "$1" "$initrd_root$1"
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
	if [[ $interp == /* ]] && [ ! -e "$initrd_root$interp" ]; then
		mkdir -p "$initrd_root$(dirname "$interp")"
		cp -L -- "$path" "$initrd_root$interp"
	fi
}

# put_file SRC DEST: a host file at DEST in the guest (relative to the
# suite dir), with what it needs to run.
put_file() {
	local f=$1 dest=$2

	[[ $dest == /* ]] || dest=$guest_dir/$dest
	[ -e "$f" ] || die $E_SETUP "$f: no such file (for the guest's $dest)"
	mkdir -p "$initrd_root$(dirname "$dest")"
	cp -RLp -- "$f" "$initrd_root$dest"
	if is_elf "$f"; then
		add_libs "$f" "$f"
	elif [ -f "$f" ]; then
		add_interp "$f" "$f"
	fi
}

add_suite_file() {
	put_file "$1" "$(basename "$1")"
}

# A whole tree (a kselftest install): libraries for every ELF, the shell for
# every shell script.  Perl or python would need their module trees: scripts
# for those are left to fall back (kselftest's runner.sh uses sed without perl).
add_suite_tree() {
	local f first interp prog _rest

	cp -a -- "$suite_tree"/. "$initrd_root$guest_dir/" || die $E_SETUP "cannot copy $suite_tree"
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
	rm -f -- "$initrd_root$f"
	put_host_file "$f"
	add_libs "$f" "$f"
}

shell_quote() {
	local s=$1

	printf "'%s'" "${s//\'/\'\\\'\'}"
}

# The host's top-level /bin, /lib... symlinks (merged /usr), the mount
# points, busybox.
add_skeleton() {
	local d

	mkdir -p "$initrd_root"/usr/{bin,sbin,lib,lib64}
	for d in bin sbin lib lib64; do
		if [ -L "/$d" ]; then
			ln -s "$(readlink "/$d")" "$initrd_root/$d"
		else
			mkdir -p "$initrd_root/$d"
		fi
	done
	mkdir -p "$initrd_root"/{dev,proc,sys,tmp,run,root,etc/scx-vm,home} "$initrd_root$guest_dir"
	chmod 1777 "$initrd_root/tmp"
	# An initial console for the kernel to open; /init copes without it.
	mknod -m 600 "$initrd_root/dev/console" c 5 1 2>/dev/null || true
}

add_busybox() {
	local bb p

	bb=$(command -v busybox)
	cp -L "$bb" "$initrd_root/bin/busybox"
	add_libs "$bb" "$bb"
	for p in $(busybox --list-full); do
		[ -e "$initrd_root/$p" ] || [ -L "$initrd_root/$p" ] ||
			ln -s /bin/busybox "$initrd_root/$p"
	done
}

# /etc/scx-vm/: what guest-init.sh reads, this boot's.
write_guest_conf() {
	local var q a etc=$initrd_root/etc/scx-vm

	mkdir -p "$etc"

	{
		echo "nonce=$nonce"
		echo "guest_dir=$guest_dir"
		echo "run_user=$run_user"
		echo "host_epoch=$(date +%s)"
		echo "shape=${topo_spec:-}"
	} > "$etc/conf"
	{
		echo "export SCX_ATTACH_VM=1 TMPDIR=/tmp"
		while IFS= read -r var; do
			[ "$var" = SCX_ATTACH_VM ] && continue
			q=$(shell_quote "${!var}")
			echo "export $var=$q"
		done < <(compgen -e | grep '^SCX_ATTACH_' || true)
	} > "$etc/env"
	if [ -n "$cmd" ]; then
		printf '%s\n' "$cmd" > "$etc/cmd"
	else
		# shellcheck disable=SC2016 # expanded by the guest's shell
		echo './run_tests.sh "$@"' > "$etc/cmd"
	fi
	{
		printf 'set --'
		for a in "${suite_args[@]}"; do
			printf ' %s' "$(shell_quote "$a")"
		done
		echo
	} > "$etc/args"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$initrd_root/etc/passwd"
	echo 'root:x:0:' > "$initrd_root/etc/group"
	if [ -n "$run_user" ]; then
		echo "$run_user:x:1000:1000:$run_user:/home/$run_user:/bin/sh" >> "$initrd_root/etc/passwd"
		echo "$run_user:x:1000:" >> "$initrd_root/etc/group"
	fi
}

# The files of --suite-dir that go into the guest.
suite_files() {
	local f

	for f in "$suite_dir"/* ; do
		[ -f "$f" ] || continue
		case "$(basename "$f")" in
		scx_attach_test|run_tests.sh|settings|config|scx_tree.list) echo "$f" ;;
		*) [ -x "$f" ] && is_elf "$f" && echo "$f" ;;
		esac
	done
	# A last file that is not one (a build's vmlinux) is no failure.
	return 0
}

# image_key: what an image is made of (options, file names, sizes and
# times): an image built for other files must not serve this boot.
image_key() {
	local f

	{
		printf '%s\n' "suite_dir=$suite_dir" "suite_tree=$suite_tree" "cmd=${cmd:+set}" \
			"kernel_config=$kernel_config"
		printf 'add=%s\n' "${adds[@]}"
		printf 'put=%s\n' "${puts[@]}"
		printf 'host=%s\n' "${host_files[@]}"
		{
			[ -n "$suite_tree" ] || suite_files
			for f in "$kernel_config" "${adds[@]}" "${puts[@]%%=*}" "${host_files[@]}"; do
				[ ! -e "$f" ] || echo "$f"
			done
			[ -z "$suite_tree" ] || find "$suite_tree" -type f
		} | LC_ALL=C sort | while IFS= read -r f; do
			stat -L -c '%n %s %Y' -- "$f"
		done
	} | cksum | cut -d' ' -f1
}

# pack DIR FILE: DIR's tree as a newc archive owned by root.
pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet > "$2") || die $E_SETUP "cannot build the initramfs"
}

# build_image FILE: the image, and FILE.key.
build_image() {
	local f

	initrd_root=$tmp/root
	rm -rf "$initrd_root"
	mkdir -p "$initrd_root"
	add_skeleton

	# Suite files first: they decide which libraries and interpreters go in.
	if [ -n "$suite_tree" ]; then
		add_suite_tree
	else
		while IFS= read -r f; do
			add_suite_file "$f"
		done < <(suite_files)
	fi
	for f in "${adds[@]}"; do
		add_suite_file "$f"
	done
	for f in "${puts[@]}"; do
		put_file "${f%%=*}" "${f#*=}"
	done
	for f in "${host_files[@]}"; do
		add_host_file "$f"
	done
	if [ -z "$cmd" ] && [ ! -e "$initrd_root$guest_dir/run_tests.sh" ]; then
		die $E_SETUP "no run_tests.sh in $suite_dir (build the suite, or pass --cmd)"
	fi
	add_busybox
	[ -z "$kernel_config" ] || cp -- "$kernel_config" "$initrd_root/etc/scx-vm/kconfig"
	pack "$initrd_root" "$1"
	rm -rf "$initrd_root"
	image_key > "$1.key"
}

# build_initramfs [IMAGE]: $tmp/initrd.cpio, from IMAGE (built by
# build_image for the same files) or a new image, and this boot's archive.
build_initramfs() {
	local image=${1:-}

	if [ -z "$image" ]; then
		image=$tmp/image.cpio
		build_image "$image"
	elif [ "$(cat "$image.key" 2>/dev/null)" != "$(image_key)" ]; then
		die $E_SETUP "--image $image was not built for these suite files and options (run-vm.sh --prepare with the same ones)"
	fi
	initrd_root=$tmp/boot
	mkdir -p "$initrd_root/etc/scx-vm"
	write_guest_conf
	cp -- "$vm_dir/guest-init.sh" "$initrd_root/init"
	chmod 755 "$initrd_root/init"
	cp -- "$vm_dir/guest-shape.sh" "$initrd_root/etc/scx-vm/guest-shape.sh"
	pack "$initrd_root" "$tmp/boot.cpio"
	cat -- "$image" "$tmp/boot.cpio" > "$tmp/initrd.cpio" || die $E_SETUP "cannot build the initramfs"
	rm -f "$tmp/image.cpio" "$tmp/image.cpio.key" "$tmp/boot.cpio"
}
