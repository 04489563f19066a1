# SPDX-License-Identifier: GPL-2.0
#
# bench/bench.mk - the attach benchmark (issue 5): lib/'s evented watcher
# against a seed-faithful baseline, inside the sched_ext VM.  The top
# Makefile -includes this after lib.mk; SCX_TOP is the repo top, OUTPUT the
# build directory.
#
#   make bench         K=30 measured cycles per waiter (BENCH_K=N to change)
#   make bench-smoke   K=3, for CI: fails only on a broken run, never on a number
#
# BENCH_VM_ARGS go to vm/run-vm.sh (e.g. --accel tcg); BENCH_ARGS to
# attach_bench inside the guest (e.g. -v for one line per cycle).

BENCH_K ?= 30
BENCH_SMOKE_K ?= 3
BENCH_VM_ARGS ?=
BENCH_ARGS ?=

BENCH_SRCS := $(SCX_TOP)/bench/attach_bench.c $(SCX_TOP)/bench/baseline.c
BENCH_HDRS := $(SCX_TOP)/bench/baseline.h

$(OUTPUT)/attach_bench: $(BENCH_SRCS) $(BENCH_HDRS) $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) -I$(SCX_TOP)/bench $(filter %.c,$^) $(LDLIBS) -lm -o $@

EXTRA_CLEAN += $(OUTPUT)/attach_bench

# scx_fault comes from fixtures/build.mk, which needs clang.
bench-build: $(OUTPUT)/attach_bench $(filter %/scx_fault,$(FIXTURE_PROGS))

bench: bench-build
	$(SCX_TOP)/bench/run.sh --build-dir $(OUTPUT) -k $(BENCH_K) \
		$(if $(BENCH_VM_ARGS),--vm-args "$(BENCH_VM_ARGS)") -- $(BENCH_ARGS)

bench-smoke: bench-build
	$(SCX_TOP)/bench/run.sh --build-dir $(OUTPUT) -k $(BENCH_SMOKE_K) --smoke \
		$(if $(BENCH_VM_ARGS),--vm-args "$(BENCH_VM_ARGS)") -- $(BENCH_ARGS)

.PHONY: bench bench-smoke bench-build
