#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Machine shapes: a SPEC (NnLlCcTt, or a name from vm/topology-presets)
# checked and turned into qemu's -smp and -numa options.  Sourced by
# run-vm.sh and matrix.sh; run alone it checks a SPEC before anything boots:
#
#   topology.sh SPEC [MEM_MB]    name=, spec=, nodes=, llcs=, cores=, threads=,
#                                cpus=, mem= lines; exit 2 with a message
#                                naming --topology when SPEC cannot be booted
#
# How a shape maps onto qemu 7.2 under TCG (docs/vm.md): the guest sees
# the L3 cache shared per socket, so an LLC is a socket (-smp
# sockets=L,cores=C,threads=T, CPUs numbered socket by socket) and a NUMA
# node is a group of L/N consecutive sockets with an equal share of memory.

# shellcheck source=vm/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

topo_presets=$vm_dir/topology-presets
# Below this a node's memory does not hold the guest's share of the
# initramfs and the kernel's per-node structures.
TOPO_MIN_NODE_MB=128
# qemu's pc machine without an IOMMU: xAPIC IDs 0-254.
TOPO_MAX_APIC_ID=254

# Bits qemu gives a field of N values in the APIC ID.
topo_bits() {
	local n=$1 b=0

	while [ $((1 << b)) -lt "$n" ]; do
		b=$((b + 1))
	done
	echo "$b"
}

# The memory a shape gets when --mem is not given: ktstr's 64 MB a CPU,
# at least the runner's 1024 MB.
topo_default_mem() {
	local m=$((topo_cpus * 64))

	[ "$m" -ge 1024 ] || m=1024
	echo "$m"
}

# topo_parse SPEC: set topo_name, topo_spec, topo_nodes, topo_llcs,
# topo_cores, topo_threads, topo_cpus; on a SPEC that cannot be booted,
# print why (naming --topology) and return 1.
topo_parse() {
	local spec=$1 line name s apic

	topo_name=
	s=$spec
	if ! [[ $spec =~ ^[0-9] ]]; then
		line=$(awk -v n="$spec" '!/^#/ && $1 == n { print $2; exit }' "$topo_presets")
		if [ -z "$line" ]; then
			name=$(awk '!/^#/ && NF { printf "%s%s", sep, $1; sep = ", " }' "$topo_presets")
			echo "--topology '$spec': not NnLlCcTt (e.g. 2n4l4c1t) nor a preset name ($name)"
			return 1
		fi
		topo_name=$spec
		s=$line
	fi
	if ! [[ $s =~ ^([0-9]+)n([0-9]+)l([0-9]+)c([0-9]+)t$ ]]; then
		echo "--topology '$spec': want NnLlCcTt (NUMA nodes, LLCs in all, cores per LLC, threads per core), e.g. 2n4l4c1t"
		return 1
	fi
	topo_nodes=$((10#${BASH_REMATCH[1]}))
	topo_llcs=$((10#${BASH_REMATCH[2]}))
	topo_cores=$((10#${BASH_REMATCH[3]}))
	topo_threads=$((10#${BASH_REMATCH[4]}))
	if [ "$topo_nodes" = 0 ] || [ "$topo_llcs" = 0 ] || [ "$topo_cores" = 0 ] ||
	   [ "$topo_threads" = 0 ]; then
		echo "--topology '$spec': every count must be at least 1"
		return 1
	fi
	if [ $((topo_llcs % topo_nodes)) != 0 ]; then
		echo "--topology '$spec': $topo_llcs LLCs do not divide among $topo_nodes NUMA nodes (LLCs must be a multiple of nodes)"
		return 1
	fi
	topo_spec=${topo_nodes}n${topo_llcs}l${topo_cores}c${topo_threads}t
	[ -n "$topo_name" ] ||
		topo_name=$(awk -v s="$topo_spec" '!/^#/ && $2 == s { print $1; exit }' "$topo_presets")
	topo_cpus=$((topo_llcs * topo_cores * topo_threads))
	# The highest APIC ID qemu gives: socket, core and thread fields.
	apic=$(( ((topo_llcs - 1) << ($(topo_bits "$topo_cores") + $(topo_bits "$topo_threads"))) |
		 ((topo_cores - 1) << $(topo_bits "$topo_threads")) | (topo_threads - 1) ))
	if [ "$apic" -gt "$TOPO_MAX_APIC_ID" ]; then
		echo "--topology '$spec': $topo_cpus CPUs need APIC ID $apic, above the $TOPO_MAX_APIC_ID this runner's qemu machine (no IOMMU, no x2APIC) can boot"
		return 1
	fi
}

# topo_mem_check MEM_MB: does each node get enough memory?
topo_mem_check() {
	local mem=$1

	if [ $((mem / topo_nodes)) -lt "$TOPO_MIN_NODE_MB" ]; then
		echo "--topology $topo_spec with --mem $mem: $((mem / topo_nodes)) MB per NUMA node, want at least $TOPO_MIN_NODE_MB (raise --mem)"
		return 1
	fi
}

# topo_qemu_args MEM_MB: set topo_smp (the -smp value) and topo_numa (an
# array of -object/-numa options; empty for one node).
topo_qemu_args() {
	local mem=$1 per n s size

	topo_smp="cpus=$topo_cpus,sockets=$topo_llcs,cores=$topo_cores,threads=$topo_threads"
	topo_numa=()
	[ "$topo_nodes" -gt 1 ] || return 0
	per=$((mem / topo_nodes))
	for ((n = 0; n < topo_nodes; n++)); do
		size=$per
		# qemu wants the nodes' sizes to add up to -m.
		[ "$n" != 0 ] || size=$((mem - per * (topo_nodes - 1)))
		topo_numa+=(-object "memory-backend-ram,id=scxmem$n,size=${size}M"
			    -numa "node,nodeid=$n,memdev=scxmem$n")
	done
	for ((s = 0; s < topo_llcs; s++)); do
		topo_numa+=(-numa "cpu,node-id=$((s / (topo_llcs / topo_nodes))),socket-id=$s")
	done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	[ $# -ge 1 ] && [ $# -le 2 ] || die $E_USAGE "usage: topology.sh SPEC [MEM_MB]"
	why=$(topo_parse "$1") || die $E_USAGE "$why"
	topo_parse "$1" >/dev/null
	mem=${2:-$(topo_default_mem)}
	why=$(topo_mem_check "$mem") || die $E_USAGE "$why"
	printf 'name=%s\nspec=%s\nnodes=%s\nllcs=%s\ncores=%s\nthreads=%s\ncpus=%s\nmem=%s\n' \
		"$topo_name" "$topo_spec" "$topo_nodes" "$topo_llcs" "$topo_cores" "$topo_threads" \
		"$topo_cpus" "$mem"
fi
