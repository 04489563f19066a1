# SPDX-License-Identifier: GPL-2.0
#
# scx_attach: does a sched_ext scheduler start, stay alive and attach?
#
# A kselftest collection: in a kernel tree (any name but sched_ext, which
# the selftests Makefile skips) it uses the tree's lib.mk and harness.  A
# standalone checkout's GNUmakefile points KSFT_DIR at a Linux tree first.

SCX_TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
KSFT_DIR ?= $(abspath $(SCX_TOP)/..)
KSRC ?= $(abspath $(KSFT_DIR)/../../..)

# _GNU_SOURCE as 6.6+'s lib.mk defines it: 6.1's does not.
CFLAGS += -Wall -O2 -g -D_GNU_SOURCE= -I$(SCX_TOP) -I$(KSFT_DIR) $(KHDR_INCLUDES)
LDLIBS += -lpthread

TEST_GEN_PROGS := scx_attach_test
TEST_GEN_FILES := unit_test sim_test fake_sched hold_test sub_test
TEST_FILES := run_tests.sh

SCX_LIB_SRCS := $(wildcard $(SCX_TOP)/lib/*.c)
SCX_LIB_HDRS := $(wildcard $(SCX_TOP)/lib/*.h)
LOCAL_HDRS += $(SCX_LIB_HDRS)

include $(KSFT_DIR)/lib.mk

# The fixture schedulers: scx_fault and every scheduler of the tree's
# tools/sched_ext, with scx_tree.list naming the latter.  fixtures/build.mk
# says what they need; without it (no clang, no vmlinux with sched_ext, no
# tools/sched_ext, or SCX_ATTACH_FIXTURES=0) the rest still builds and the
# fixture variants SKIP.
SCX_ATTACH_FIXTURES ?= 1
include $(SCX_TOP)/fixtures/build.mk
TEST_GEN_PROGS_EXTENDED += $(FIXTURE_PROGS)
TEST_GEN_FILES += $(FIXTURE_FILES)
all: $(FIXTURE_PROGS) $(FIXTURE_FILES) $(FIXTURE_WARN)
EXTRA_CLEAN += $(FIXTURE_CLEAN)

$(OUTPUT)/scx_attach_test: scx_attach_test.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
$(OUTPUT)/sim_test: selftest/sim_test.c selftest/fake_kernel.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $(filter %.c,$^) $(LDLIBS) -o $@
$(OUTPUT)/unit_test: selftest/unit_test.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $(filter %.c,$^) $(LDLIBS) -o $@
$(OUTPUT)/sub_test: selftest/sub_test.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $(filter %.c,$^) $(LDLIBS) -o $@
$(OUTPUT)/hold_test: selftest/hold_test.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $(filter %.c,$^) $(LDLIBS) -o $@
$(OUTPUT)/fake_sched: selftest/fake_sched.c
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $^ -o $@
