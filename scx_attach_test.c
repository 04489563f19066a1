// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach_test - does a sched_ext scheduler start, stay alive and really
 * attach to the kernel, and if not, why?
 *
 * Each variant is a scheduler and the verdict it must get.  The "user"
 * variant runs the scheduler named by SCX_ATTACH_SCHED (run_tests.sh
 * --sched); the others run the fault-injecting fixture scheduler built from
 * fixtures/ and the kernel tree's own scx_simple and scx_qmap.
 *
 * Needs root and a kernel with CONFIG_SCHED_CLASS_EXT=y (see ./config).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/report.h"
#include "lib/spawn.h"
#include "lib/suite.h"
#include "lib/watch.h"

#include "kselftest_harness.h"

/* Constant SKIP reasons: CI bots key on them.  Never add PIDs or timings. */
#define SKIP_NOT_ROOT	"needs root (or CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON) to load BPF schedulers"
#define SKIP_NO_SCX	"kernel has no sched_ext: build with CONFIG_SCHED_CLASS_EXT=y (see config)"
#define SKIP_NO_FIXTURE	"fixture scheduler not built: install clang, then make (see README)"
#define SKIP_NO_SCHED	"no scheduler to test: set SCX_ATTACH_SCHED or run_tests.sh --sched PATH"
#define SKIP_BUSY	"another sched_ext scheduler is attached: stop it and run again"

/*
 * Longer than any sum of windows a sane configuration gives one test.
 * reliability/ builds a short one to test what a harness timeout leaves.
 */
#ifndef TEST_TIMEOUT_S
#define TEST_TIMEOUT_S	600
#endif

FIXTURE(scx) {
	struct scx_cfg cfg;
	struct scx_child child;
	struct scx_result res;
	char bin[PATH_MAX];
	char args[SCX_ARGS_FILE_MAX];
	char *argv[SCX_ARGS_MAX + 2];
	char cmdline[512];
	const char *ops;
	bool started;
	bool skip;
};

FIXTURE_VARIANT(scx) {
	const char *prog;	/* next to this binary; NULL: the user's scheduler */
	const char *args;	/* whitespace-separated */
	const char *ops;	/* expected ops name prefix */
	enum scx_verdict expect;
	const char *reason;	/* must appear in the kernel's disable reason */
	unsigned int wall_ms;	/* wall guard for schedulers meant to hang */
	unsigned int hold_ms;	/* hold window long enough for the watchdog */
	bool load;		/* run the built-in load while it holds */
};

FIXTURE_VARIANT_ADD(scx, user) {
	.expect = SCX_V_ATTACHED,
};

FIXTURE_VARIANT_ADD(scx, fault_none) {
	.prog = "scx_fault", .args = "--fault=none", .ops = "fault",
	.expect = SCX_V_ATTACHED,
};

FIXTURE_VARIANT_ADD(scx, fault_verifier) {
	.prog = "scx_fault", .args = "--fault=verifier", .ops = "fault",
	.expect = SCX_V_DIED_EARLY,
};

FIXTURE_VARIANT_ADD(scx, fault_init_fail) {
	.prog = "scx_fault", .args = "--fault=init-fail", .ops = "fault",
	.expect = SCX_V_REJECTED,
};

FIXTURE_VARIANT_ADD(scx, fault_exit_early) {
	.prog = "scx_fault", .args = "--fault=exit-early", .ops = "fault",
	.expect = SCX_V_DIED_EARLY,
};

FIXTURE_VARIANT_ADD(scx, fault_hang) {
	.prog = "scx_fault", .args = "--fault=hang", .ops = "fault",
	.expect = SCX_V_TIMEOUT, .wall_ms = 5000,
};

FIXTURE_VARIANT_ADD(scx, fault_error) {
	.prog = "scx_fault", .args = "--fault=error --delay-ms=500", .ops = "fault",
	.expect = SCX_V_EJECTED, .reason = "injected", .hold_ms = 6000,
};

FIXTURE_VARIANT_ADD(scx, fault_ignore_term) {
	.prog = "scx_fault", .args = "--fault=ignore-term", .ops = "fault",
	.expect = SCX_V_ATTACHED,
};

FIXTURE_VARIANT_ADD(scx, fault_daemonize) {
	.prog = "scx_fault", .args = "--fault=daemonize", .ops = "fault",
	.expect = SCX_V_DIED_EARLY,
};

FIXTURE_VARIANT_ADD(scx, fault_stall) {
	.prog = "scx_fault", .args = "--fault=stall", .ops = "fault",
	.expect = SCX_V_EJECTED, .reason = "stall", .hold_ms = 15000, .load = true,
};

FIXTURE_VARIANT_ADD(scx, scx_simple) {
	.prog = "scx_simple", .ops = "simple", .expect = SCX_V_ATTACHED,
};

FIXTURE_VARIANT_ADD(scx, scx_qmap) {
	.prog = "scx_qmap", .ops = "qmap", .expect = SCX_V_ATTACHED,
};

/* The fixture @prog as installed next to this test binary. */
static int fixture_path(char *buf, size_t len, const char *prog)
{
	int ret = scx_sibling_path(buf, len, prog);

	return ret ?: (access(buf, X_OK) ? -errno : 0);
}

/*
 * Arguments: the variant's, or for the user's scheduler SCX_ATTACH_ARGS
 * and/or the seed's args file (SCX_ATTACH_ARGS_FILE, missing = none).
 */
static int build_argv(struct __test_metadata *const _metadata, FIXTURE_DATA(scx) *self,
		      const char *args, const char *args_file)
{
	char err[SCX_ERR_LEN] = "";
	size_t used = 0;
	int n = 0, ret;

	self->argv[n++] = self->bin;
	if (args_file) {
		ret = scx_args_read(args_file, self->args, sizeof(self->args), err, sizeof(err));
		if (ret) {
			TH_LOG("%s", err);
			return ret;
		}
		used = strlen(self->args) + 1;
		ret = scx_args_split(self->args, self->argv + n, SCX_ARGS_MAX);
		if (ret < 0) {
			TH_LOG("args file %s: more than %d arguments", args_file, SCX_ARGS_MAX);
			return ret;
		}
		n += ret;
	}
	if (args) {
		if (strlen(args) >= sizeof(self->args) - used) {
			TH_LOG("arguments longer than %zu bytes", sizeof(self->args));
			return -E2BIG;
		}
		strcpy(self->args + used, args);
		ret = scx_args_split(self->args + used, self->argv + n, SCX_ARGS_MAX + 1 - n);
		if (ret < 0) {
			TH_LOG("more than %d arguments", SCX_ARGS_MAX);
			return ret;
		}
		n += ret;
	}
	self->argv[n] = NULL;
	return 0;
}

static void describe_cmdline(FIXTURE_DATA(scx) *self)
{
	size_t off = 0;
	int i;

	self->cmdline[0] = '\0';
	for (i = 0; self->argv[i] && off < sizeof(self->cmdline); i++)
		off += snprintf(self->cmdline + off, sizeof(self->cmdline) - off, "%s%s",
				i ? " " : "", self->argv[i]);
}

FIXTURE_SETUP(scx)
{
	const char *args = variant->args, *args_file = NULL;
	char err[SCX_ERR_LEN] = "";
	int ret;

	self->skip = false;
	self->started = false;
	/* What an earlier, killed test left; and die with the suite. */
	ret = scx_suite_sweep();
	if (ret > 0)
		ksft_print_msg("stopped %d process(es) an earlier test left behind\n", ret);
	scx_suite_guard();
	ASSERT_EQ(0, scx_cfg_init(&self->cfg, err, sizeof(err))) TH_LOG("%s", err);
	if (variant->wall_ms)
		self->cfg.wall_ms = scx_max(variant->wall_ms, self->cfg.gate_ms);
	if (variant->hold_ms)
		self->cfg.hold_ms = scx_max(variant->hold_ms, self->cfg.hold_ms);
	if (variant->load)
		self->cfg.load = true;
	self->ops = variant->ops;

	if (variant->prog) {
		if (fixture_path(self->bin, sizeof(self->bin), variant->prog)) {
			self->skip = true;
			SKIP(return, SKIP_NO_FIXTURE);
		}
	} else {
		const char *sched = getenv("SCX_ATTACH_SCHED");

		if (!sched || !*sched) {
			self->skip = true;
			SKIP(return, SKIP_NO_SCHED);
		}
		ASSERT_LT(strlen(sched), sizeof(self->bin)) TH_LOG("SCX_ATTACH_SCHED is too long");
		strcpy(self->bin, sched);
		args = getenv("SCX_ATTACH_ARGS");
		args_file = getenv("SCX_ATTACH_ARGS_FILE");
		self->ops = getenv("SCX_ATTACH_OPS");
	}

	ret = build_argv(_metadata, self, args, args_file && *args_file ? args_file : NULL);
	ASSERT_EQ(0, ret);
	describe_cmdline(self);
}

FIXTURE_TEARDOWN(scx)
{
	char detail[SCX_ERR_LEN];
	siginfo_t si = { 0 };
	int ret;

	if (self->skip || !self->started)
		return;
	ret = scx_finish(&self->cfg, &self->child, detail, sizeof(detail));
	EXPECT_EQ(0, ret) TH_LOG("cleanup: %s", detail);
	/* Nothing it started may outlive the test. */
	EXPECT_EQ(-1, waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT));
	EXPECT_EQ(ECHILD, errno) TH_LOG("a child of the test is still around: pid %d", si.si_pid);
	if (self->child.orphans)
		ksft_print_msg("stopped %d descendant(s) the scheduler left behind\n",
			       self->child.orphans);
	scx_child_release(&self->child, getenv("SCX_ATTACH_KEEP_LOGS") != NULL);
}

TEST_F_TIMEOUT(scx, verdict, TEST_TIMEOUT_S)
{
	struct scx_result *r = &self->res;
	int ret;

	/* 6.1's harness runs the body even after a SKIP in setup. */
	if (self->skip)
		return;
	self->started = true;
	ret = scx_run(&self->cfg, self->bin, self->argv, self->ops, &self->child, r);
	ASSERT_EQ(0, ret) TH_LOG("%s", r->detail);

	if (r->verdict == SCX_V_SYSFS_ABSENT)
		SKIP(return, SKIP_NO_SCX);
	if (r->verdict == SCX_V_BUSY && variant->expect != SCX_V_BUSY) {
		scx_report(stdout, r, &self->child, self->cmdline);
		SKIP(return, SKIP_BUSY);
	}

	/* Expected failures are dumped too: the dump is part of what we test. */
	if (r->verdict != variant->expect || r->verdict != SCX_V_ATTACHED)
		scx_report(stdout, r, &self->child, self->cmdline);
	else
		scx_report_summary(stdout, r);
	ASSERT_EQ(variant->expect, r->verdict)
		TH_LOG("expected \"%s\", got \"%s\"", scx_verdict_name(variant->expect),
		       scx_verdict_name(r->verdict));
	if (variant->reason)
		EXPECT_NE(NULL, strstr(r->reason, variant->reason))
			TH_LOG("kernel reason \"%s\" lacks \"%s\"", r->reason, variant->reason);
}

int main(int argc, char **argv)
{
	char err[SCX_ERR_LEN];
	struct scx_cfg cfg;
	struct stat st;

	/* KTAP parsers want the version line even for "1..0 # SKIP". */
	if (scx_cfg_init(&cfg, err, sizeof(err))) {
		ksft_print_header();
		ksft_exit_fail_msg("%s\n", err);
	}
	if (geteuid() != 0) {
		ksft_print_header();
		ksft_exit_skip(SKIP_NOT_ROOT "\n");
	}
	if (stat(cfg.sysfs, &st) || !S_ISDIR(st.st_mode)) {
		ksft_print_header();
		ksft_exit_skip(SKIP_NO_SCX "\n");
	}
	/* Schedulers must not outlive the suite, however it ends: lib/suite.h. */
	scx_suite_init();
	return test_harness_run(argc, argv);
}
