# SPDX-License-Identifier: GPL-2.0
#
# bench/bench.mk - the benchmarks, inside the sched_ext VM.  tools/ci.mk
# includes this; SCX_TOP is the repo top, OUTPUT the build directory.
#
#   make bench               attach benchmark: lib/'s watcher against a waiter
#                            that works the way ktstr's scheduler start does,
#                            K=30 cycles each (BENCH_K=N), then K cycles of a
#                            child scheduler beneath a parent (BENCH_SUB_K=N);
#                            writes its section of docs/benchmark.md
#   make bench-smoke         the same at K=3 and one child cycle, for CI: fails
#                            only on a broken run, never on a number; writes
#                            nothing
#   make bench-matrix        the scheduler x kernel matrix against its lower
#                            bound and a boot per scheduler, then the same over
#                            machine shapes with --jobs 1 and 2; writes its
#                            sections of docs/benchmark.md (hours under TCG)
#   make bench-matrix-smoke  one scheduler, one sched_ext kernel and one
#                            without, for CI; writes nothing
#
# BENCH_VM_ARGS go to vm/run-vm.sh (e.g. --accel tcg); BENCH_ARGS to
# attach_bench inside the guest (e.g. -v for one line per cycle);
# BENCH_DOC is the file the sections go to (empty: print only).
# BENCH_MATRIX_* knobs: see bench/matrix-bench.sh --help.

BENCH_K ?= 30
BENCH_SMOKE_K ?= 3
BENCH_REJECT ?= 10
BENCH_SUB_K ?= $(BENCH_K)
BENCH_VM_ARGS ?=
BENCH_ARGS ?=
BENCH_DOC ?= $(SCX_TOP)/docs/benchmark.md

BENCH_SRCS := $(addprefix $(SCX_TOP)/bench/,attach_bench.c cycle.c ktstr_start.c reference.c \
	stats.c subcycle.c table.c)
BENCH_HDRS := $(addprefix $(SCX_TOP)/bench/,cycle.h ktstr_start.h reference.h stats.h \
	subcycle.h table.h)

$(OUTPUT)/attach_bench: $(BENCH_SRCS) $(BENCH_HDRS) $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) -I$(SCX_TOP)/bench $(filter %.c,$^) $(LDLIBS) -lm -o $@

EXTRA_CLEAN += $(OUTPUT)/attach_bench

# scx_fault and scx_qmap (the child cycles' parent and child) come from
# fixtures/build.mk, which needs clang.
bench-build: $(OUTPUT)/attach_bench $(filter %/scx_fault %/scx_qmap,$(FIXTURE_PROGS))

bench: bench-build
	$(SCX_TOP)/bench/run.sh --build-dir $(OUTPUT) -k $(BENCH_K) --reject $(BENCH_REJECT) \
		--sub $(BENCH_SUB_K) $(if $(BENCH_DOC),--doc $(BENCH_DOC)) \
		$(if $(BENCH_VM_ARGS),--vm-args "$(BENCH_VM_ARGS)") -- $(BENCH_ARGS)

bench-smoke: bench-build
	$(SCX_TOP)/bench/run.sh --build-dir $(OUTPUT) -k $(BENCH_SMOKE_K) --reject 1 \
		--sub 1 --smoke \
		$(if $(BENCH_VM_ARGS),--vm-args "$(BENCH_VM_ARGS)") -- $(BENCH_ARGS)

# Next to `make matrix`'s results, sharing its per-kernel builds.
BENCH_MATRIX_OUT ?= $(OUTPUT)/matrix-results/bench
BENCH_MATRIX_BUILD ?= $(OUTPUT)/matrix-results/build

bench-matrix: all
	$(SCX_TOP)/bench/matrix-bench.sh --suite-dir $(OUTPUT) --out $(BENCH_MATRIX_OUT) \
		--build-dir $(BENCH_MATRIX_BUILD) \
		$(if $(BENCH_DOC),--doc $(BENCH_DOC) --readme $(SCX_TOP)/README)

bench-matrix-smoke: all
	$(SCX_TOP)/bench/matrix-bench.sh --suite-dir $(OUTPUT) --out $(BENCH_MATRIX_OUT)-smoke \
		--build-dir $(BENCH_MATRIX_BUILD) --smoke

.PHONY: bench bench-smoke bench-build bench-matrix bench-matrix-smoke
