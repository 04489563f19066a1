# SPDX-License-Identifier: GPL-2.0
#
# scx_attach: does a sched_ext scheduler start, stay alive and attach?
#
# In a kernel tree (tools/testing/selftests/<dir>, any name but sched_ext,
# which the selftests Makefile skips) this uses the tree's lib.mk and
# harness.  Standalone it uses a Linux tree that tools/setup.sh unpacks from
# Debian's linux-source package into .cache/, or KSRC=<any Linux tree>.

SCX_TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
SCX_ATTACH_CACHE ?= $(SCX_TOP)/.cache
export SCX_ATTACH_CACHE

ifneq ($(wildcard $(SCX_TOP)/../kselftest_harness.h),)
KSFT_DIR := $(abspath $(SCX_TOP)/..)
KSRC ?= $(abspath $(KSFT_DIR)/../../..)
else
KSRC ?= $(shell printf '%s\n' $(wildcard $(SCX_ATTACH_CACHE)/linux-source-*/tools/testing/selftests/lib.mk) | \
	  sort -V | tail -n 1 | sed 's|/tools/testing/selftests/lib.mk$$||')
ifeq ($(KSRC),)
$(error no Linux tree: run tools/setup.sh, or pass KSRC=<linux tree>)
endif
KSFT_DIR := $(abspath $(KSRC)/tools/testing/selftests)
endif

# _GNU_SOURCE as 6.6+'s lib.mk defines it: 6.1's does not.
CFLAGS += -Wall -O2 -g -D_GNU_SOURCE= -I$(SCX_TOP) -I$(KSFT_DIR) $(KHDR_INCLUDES)
LDLIBS += -lpthread

TEST_GEN_PROGS := scx_attach_test
TEST_GEN_FILES := sim_test fake_sched
TEST_FILES := run_tests.sh

SCX_LIB_SRCS := $(wildcard $(SCX_TOP)/lib/*.c)
SCX_LIB_HDRS := $(wildcard $(SCX_TOP)/lib/*.h)

include $(KSFT_DIR)/lib.mk

# The fixture schedulers need clang and the tree's tools/sched_ext, libbpf
# and bpftool; without either (trees before 6.12 have no tools/sched_ext)
# the suite still builds and its fixture variants SKIP.  scx_fault follows
# the 7.x tools/sched_ext API (6.12's cannot build it): SCX_ATTACH_FIXTURES=0
# builds the rest from such trees.
SCX_ATTACH_FIXTURES ?= 1
SCX_CLANG := $(firstword $(foreach c,$(CLANG) clang-22 clang-21 clang-20 clang-19 clang,\
		$(shell command -v $(c) 2>/dev/null)))
ifneq ($(and $(filter-out 0,$(SCX_ATTACH_FIXTURES)),$(SCX_CLANG),$(wildcard $(abspath $(KSRC))/tools/sched_ext/include/scx)),)
KSRC := $(abspath $(KSRC))
include $(SCX_TOP)/fixtures/build.mk
TEST_GEN_PROGS_EXTENDED += $(FIXTURE_PROGS)
all: $(FIXTURE_PROGS)
EXTRA_CLEAN += $(FX_BUILD)
endif

LOCAL_HDRS += $(SCX_LIB_HDRS)

$(OUTPUT)/scx_attach_test: scx_attach_test.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
$(OUTPUT)/sim_test: selftest/sim_test.c selftest/fake_kernel.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $(filter %.c,$^) $(LDLIBS) -o $@
$(OUTPUT)/fake_sched: selftest/fake_sched.c
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $^ -o $@

VM_ARGS ?=

# Self-tests of the harness on a SIMULATED sysfs tree: fast, no root needed.
# prove checks that the harness's TAP parses.
check-sim: $(OUTPUT)/sim_test $(OUTPUT)/fake_sched
	cd $(OUTPUT) && prove -v --exec '' ./sim_test

# The suite on REAL kernels booted under qemu (vm/check.sh says which).
vm-check: all
	$(SCX_TOP)/vm/check.sh $(OUTPUT) $(VM_ARGS)

# Fragments with one job each: the ecosystem checks, the benchmark, and
# the reliability checks (sanitizers, fuzzing, soak, kill cases).
-include $(SCX_TOP)/tools/ecosystem.mk
-include $(SCX_TOP)/bench/bench.mk
-include $(SCX_TOP)/reliability/reliability.mk

# Everything CI runs, cheapest first: simulated self-tests, sanitizers and
# fuzzing, the real-kernel suite, the kselftest ecosystem paths, the
# benchmark's smoke run.
check: check-sim check-reliability vm-check check-ecosystem bench-smoke

.PHONY: check check-sim vm-check
