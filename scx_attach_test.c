// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach_test - does a sched_ext scheduler start, stay alive and really
 * attach to the kernel, and if not, why?
 *
 * Each variant is a scheduler and the verdict it must get:
 *  - "user": the scheduler named by SCX_ATTACH_SCHED (run_tests.sh --sched);
 *  - fault_*: the fault-injecting fixture scheduler built from fixtures/;
 *  - scx_*: the Linux tree's own tools/sched_ext schedulers, one variant
 *    for each line of scx_tree.list, which the build writes from the tree;
 *  - one variant per line of a manifest (SCX_ATTACH_MANIFEST).
 *
 * Needs CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON (root has them), and a
 * kernel with CONFIG_SCHED_CLASS_EXT=y (see ./config).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/caps.h"
#include "lib/config.h"
#include "lib/hotplug.h"
#include "lib/kmsg.h"
#include "lib/manifest.h"
#include "lib/proc.h"
#include "lib/reaper.h"
#include "lib/report.h"
#include "lib/spawn.h"
#include "lib/splat.h"
#include "lib/cgroup.h"
#include "lib/subwatch.h"
#include "lib/watch.h"

#include "kselftest_harness.h"

/* Constant SKIP reasons: CI bots key on them.  Never add PIDs or timings. */
#define SKIP_NO_CAPS	"needs CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON (root has them), to load BPF schedulers"
#define SKIP_NO_AMBIENT	"cannot pass its capabilities to the schedulers it starts (ambient set refused)"
#define SKIP_NO_KMSG	"needs the kernel's words: /dev/kmsg is not readable (CAP_SYSLOG, or kernel.dmesg_restrict=0)"
#define SKIP_NO_SYSCTL	"sets a sysctl: /proc/sys is writable by uid 0 only"
#define SKIP_NO_MEMLOCK	"locks all its memory: needs CAP_IPC_LOCK, or RLIMIT_MEMLOCK of 64 MiB (ulimit -l 65536)"
#define SKIP_NO_SCX	"kernel has no sched_ext: build with CONFIG_SCHED_CLASS_EXT=y (see config)"
#define SKIP_NO_FIXTURE	"fixture scheduler not built: the build said why (fixtures: warning)"
#define SKIP_NOT_IN_TREE "scheduler not in this kernel tree's tools/sched_ext"
#define SKIP_NO_SCHED	"no scheduler to test: set SCX_ATTACH_SCHED or run_tests.sh --sched PATH"
#define SKIP_BUSY	"another sched_ext scheduler is attached: stop it and run again"
#define SKIP_NOT_SHAPE	"not for this machine shape: the manifest line's topology= names others"
#define SKIP_NO_SUB	"kernel has no sub-schedulers: a parent with ops.sub_attach shows no sub/ (CONFIG_EXT_SUB_SCHED)"
#define SKIP_USER_IS_CHILD "the scheduler is tested as a child (--under-foreign): see user_under_foreign"
#define SKIP_NO_FOREIGN	"no scheduler is attached to test the child under (--under-foreign)"
#define SKIP_FOREIGN_NO_SUB "the attached scheduler has no sub/: it takes no sub-schedulers (no ops.sub_attach, or CONFIG_EXT_SUB_SCHED off)"
#define SKIP_NO_SUB_KILL	"kernel has no scx_bpf_sub_kill(): a parent cannot kill its child (Linux 7.3+)"
#define SKIP_NO_CGROUP	"needs a private cgroup for the child scheduler: writing under the cgroup2 mount needs uid 0 or CAP_DAC_OVERRIDE"

/* The tree's schedulers the build found, next to this binary. */
#define TREE_LIST	"scx_tree.list"

/* The manifest's lines (SCX_ATTACH_MANIFEST), read once by main(). */
static struct scx_manifest manifest;

/* A manifest hierarchy's test: the chain from the root to the child (below). */
struct mchain;
static int chain_setup(struct __test_metadata *const _metadata, struct mchain **chp,
		       const struct scx_cfg *run, const struct scx_mentry *e);
static void chain_verdict(struct __test_metadata *const _metadata, struct mchain *ch);
static void chain_teardown(struct __test_metadata *const _metadata, struct mchain *ch);

/* Known-benign kernel lines, loaded once for the suite (splat.h). */
static struct scx_splat_allow splat_allow;

/* Why the kernel log cannot be read, said once by main(); "" if it can. */
static char kmsg_why[SCX_ERR_LEN];

/* The suite's capabilities, read once by main(). */
static struct scx_caps suite_caps;

/*
 * The harness's per-test bound until main() sets each test's from its
 * windows (TEST_TIMEOUT_DEFAULT is 30 s).
 */
#define SCX_TEST_TIMEOUT_S	300

FIXTURE(scx) {
	struct scx_cfg cfg;
	struct scx_child child;
	struct scx_result res;
	char bin[PATH_MAX];
	char args[SCX_ARGS_FILE_MAX];
	char *argv[SCX_ARGS_MAX + 2];
	char cmdline[512];
	const char *ops;
	char sysctl[PATH_MAX];	/* set for the test, restored by teardown */
	char sysctl_old[64];
	struct mchain *chain;	/* a manifest child's (parent=) levels */
	bool started;
	bool skip;
	bool bed_stall;		/* this cycle's ejection was the test bed's stall */
};

FIXTURE_VARIANT(scx) {
	const char *prog;	/* next to this binary; NULL: user or manifest */
	const char *args;	/* whitespace-separated */
	const char *ops;	/* expected ops name prefix */
	enum scx_verdict expect;
	const char *reason;	/* must appear in the kernel's disable reason */
	unsigned int wall_ms;	/* wall guard for schedulers meant to hang */
	unsigned int hold_ms;	/* hold window long enough for the watchdog */
	bool load;		/* run the built-in load while it holds */
	bool on_load;		/* its fault is aimed at the load's threads: never the stress */
	bool tree;		/* one of the tree's tools/sched_ext schedulers */
	const struct scx_mentry *entry;	/* a manifest line */
	unsigned int stress_s;	/* hold under the stress load this long */
	bool hotplug;		/* offline and online a CPU while it holds */
	int restarts;		/* restarts it must have made before its verdict, if set */
	const char *splat;	/* the kernel splat it must cause (splat.h key) */
	const char *sysctl;	/* "name=value" under /proc/sys, set for the test */
	unsigned int memlock_kb;	/* mlockall()s: its RLIMIT_MEMLOCK sans CAP_IPC_LOCK */
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
	.expect = SCX_V_EJECTED, .reason = "stall", .hold_ms = 15000, .load = true, .on_load = true,
};

/* The wrong scheduler: attached, but not under the expected name. */
FIXTURE_VARIANT_ADD(scx, fault_wrong_name) {
	.prog = "scx_fault", .args = "--ops-name=other_1.0", .ops = "fault",
	.expect = SCX_V_WRONG_OPS,
};

/* Starves tasks 10 s at a time, under the watchdog's 30 s: the stress catches it. */
FIXTURE_VARIANT_ADD(scx, fault_starve) {
	.prog = "scx_fault", .args = "--fault=starve --stall-comm=scx_stress --delay-ms=10000",
	.ops = "fault", .expect = SCX_V_STARVED, .stress_s = 20,
};

/*
 * Never runs the load's threads, the watchdog at its 30 s maximum: a load
 * thread not run for longer than the max gap is starved, though the
 * kernel has said nothing yet.
 */
FIXTURE_VARIANT_ADD(scx, fault_neglect) {
	.prog = "scx_fault", .args = "--fault=neglect --stall-comm=scx_load", .ops = "fault",
	.expect = SCX_V_STARVED, .load = true, .on_load = true,
};

/* CPU hotplug: the kernel asks for a restart; the loader comes back ... */
FIXTURE_VARIANT_ADD(scx, fault_hotplug) {
	.prog = "scx_fault", .args = "--fault=none", .ops = "fault",
	.expect = SCX_V_ATTACHED, .hotplug = true,
};

/* ... or, here, exits: a failure naming the kernel's request. */
FIXTURE_VARIANT_ADD(scx, fault_hotplug_no_restart) {
	.prog = "scx_fault", .args = "--no-restart", .ops = "fault",
	.expect = SCX_V_DIED_AFTER, .hotplug = true,
};

/*
 * ... or comes back and is ejected by its own BPF code at once: the verdict
 * follows the newest exit, with the restart counted.
 */
FIXTURE_VARIANT_ADD(scx, fault_hotplug_restart_error) {
	.prog = "scx_fault", .args = "--fault=restart-error --delay-ms=0", .ops = "fault",
	.expect = SCX_V_EJECTED, .reason = "injected error", .hotplug = true, .restarts = 1,
};

/* A thread of its own in D state: the hung-task splat must be caught. */
FIXTURE_VARIANT_ADD(scx, fault_hung_task) {
	.prog = "scx_fault", .args = "--fault=hung-task", .ops = "fault",
	.expect = SCX_V_ATTACHED, .hold_ms = 8000, .splat = "hung_task",
	.sysctl = "kernel/hung_task_timeout_secs=2",
};

/*
 * The tree's schedulers as of 7.3, so that their KTAP names exist on every
 * kernel: on a tree without one it SKIPs.  Newer ones come from
 * scx_tree.list at run time, with no change here.
 */
FIXTURE_VARIANT_ADD(scx, scx_simple) {
	.prog = "scx_simple", .ops = "simple", .expect = SCX_V_ATTACHED,
	.load = true, .tree = true,
};
FIXTURE_VARIANT_ADD(scx, scx_cpu0) {
	.prog = "scx_cpu0", .ops = "cpu0", .expect = SCX_V_ATTACHED,
	.load = true, .tree = true,
};
FIXTURE_VARIANT_ADD(scx, scx_qmap) {
	.prog = "scx_qmap", .ops = "qmap", .expect = SCX_V_ATTACHED,
	.load = true, .tree = true,
};
FIXTURE_VARIANT_ADD(scx, scx_central) {
	.prog = "scx_central", .ops = "central", .expect = SCX_V_ATTACHED,
	.load = true, .tree = true,
};
FIXTURE_VARIANT_ADD(scx, scx_flatcg) {
	.prog = "scx_flatcg", .ops = "flatcg", .expect = SCX_V_ATTACHED,
	.load = true, .tree = true,
};
/* A user-space scheduler must not fault: it mlockall()s (64 MiB was enough on 7.3.4). */
FIXTURE_VARIANT_ADD(scx, scx_userland) {
	.prog = "scx_userland", .ops = "userland", .expect = SCX_V_ATTACHED,
	.load = true, .tree = true, .memlock_kb = 65536,
};
FIXTURE_VARIANT_ADD(scx, scx_pair) {
	.prog = "scx_pair", .ops = "pair", .expect = SCX_V_ATTACHED,
	.load = true, .tree = true,
};
FIXTURE_VARIANT_ADD(scx, scx_sdt) {
	.prog = "scx_sdt", .ops = "sdt", .expect = SCX_V_ATTACHED,
	.load = true, .tree = true,
};

/* The program @prog as installed next to this test binary. */
static int sibling_prog(char *buf, size_t len, const char *prog)
{
	int ret = scx_sibling_path(buf, len, prog);

	return ret ?: (access(buf, X_OK) ? -errno : 0);
}

/* scx_tree.list as main() read it: -ENOENT without one. */
static struct tree_line {
	char *prog;
	char *ops;
} *tree_lines;
static int tree_n = -ENOENT;

/* Read scx_tree.list, "<prog> <ops-name>" a line, once for the run. */
static int tree_read(void)
{
	char path[PATH_MAX], *prog, *ops;
	struct tree_line *t;
	FILE *f;

	if (scx_sibling_path(path, sizeof(path), TREE_LIST))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	tree_n = 0;
	while (fscanf(f, "%ms %ms", &prog, &ops) == 2) {
		t = realloc(tree_lines, (tree_n + 1) * sizeof(*t));
		if (!t) {
			free(prog);
			free(ops);
			fclose(f);
			return -ENOMEM;
		}
		tree_lines = t;
		tree_lines[tree_n++] = (struct tree_line){ .prog = prog, .ops = ops };
	}
	fclose(f);
	return 0;
}

/* Is @prog a line of scx_tree.list?  -ENOENT without the list. */
static int tree_lists(const char *prog)
{
	int i;

	for (i = 0; i < tree_n; i++)
		if (!strcmp(tree_lines[i].prog, prog))
			return 1;
	return tree_n < 0 ? tree_n : 0;
}

/*
 * Arguments: the variant's or the manifest line's, or for the user's
 * scheduler SCX_ATTACH_ARGS and/or an args file as ktstr's scheduler start
 * reads it (SCX_ATTACH_ARGS_FILE, missing = none).
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

/*
 * Set /proc/sys/@nv ("name=value") for the test, keeping the old value in
 * the fixture for teardown.  0 or -errno.
 */
static int sysctl_set(FIXTURE_DATA(scx) *self, const char *nv)
{
	const char *eq = strchr(nv, '=');
	ssize_t n;
	int fd;

	snprintf(self->sysctl, sizeof(self->sysctl), "/proc/sys/%.*s", (int)(eq - nv), nv);
	fd = open(self->sysctl, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, self->sysctl_old, sizeof(self->sysctl_old) - 1);
	self->sysctl_old[n > 0 ? n : 0] = '\0';
	self->sysctl_old[strcspn(self->sysctl_old, "\n")] = '\0';
	if (n <= 0 || pwrite(fd, eq + 1, strlen(eq + 1), 0) < 0) {
		n = -errno ?: -EIO;
		close(fd);
		self->sysctl[0] = '\0';
		return n;
	}
	close(fd);
	return 0;
}

static void sysctl_restore(FIXTURE_DATA(scx) *self)
{
	int fd;

	if (!self->sysctl[0])
		return;
	fd = open(self->sysctl, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, self->sysctl_old, strlen(self->sysctl_old)) < 0)
		ksft_print_msg("could not restore %s to %s\n", self->sysctl, self->sysctl_old);
	if (fd >= 0)
		close(fd);
	self->sysctl[0] = '\0';
}

/* A test's windows: the run's, with the variant's or manifest line's over them. */
static void variant_cfg(const struct scx_cfg *run, const FIXTURE_VARIANT(scx) *v,
			struct scx_cfg *cfg)
{
	const struct scx_mentry *e = v->entry;
	struct scx_cfg_want w = { .hotplug = -1 };

	if (e) {
		w = (struct scx_cfg_want){
			.gate_ms = e->gate_ms, .attach_ms = e->attach_ms, .wall_ms = e->wall_ms,
			.hold_ms = e->hold_ms, .stress_ms = e->stress_s * 1000, .repeat = e->repeat,
			.hotplug = e->hotplug,
		};
	} else {
		w.wall_ms = v->wall_ms;
		w.hold_ms = v->hold_ms;
		w.stress_ms = v->stress_s * 1000;
		w.hotplug = v->hotplug ? 1 : -1;
		w.load = v->load;
		w.keep_load = v->on_load;
	}
	*cfg = *run;
	scx_cfg_apply(cfg, &w);
}

static enum scx_verdict variant_expect(const FIXTURE_VARIANT(scx) *v)
{
	return v->entry ? (enum scx_verdict)v->entry->expect : v->expect;
}

/* A manifest line with parent=: a child scheduler, its chain of parents first. */
static bool variant_child(const FIXTURE_VARIANT(scx) *v)
{
	return v->entry && v->entry->parent >= 0;
}

/* A manifest line's program: bin=, or tree=PROG next to this binary. */
static int entry_bin(const struct scx_mentry *e, char *buf, size_t len)
{
	if (e->tree[0])
		return sibling_prog(buf, len, e->tree);
	if (strlen(e->bin) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, e->bin);
	return 0;
}

/* SCX_ATTACH_UNDER_FOREIGN=1: the user's scheduler is a child, not a root. */
static bool under_foreign(void)
{
	const char *on = getenv("SCX_ATTACH_UNDER_FOREIGN");

	return on && !strcmp(on, "1");
}

/*
 * The constant reason a variant SKIPs for before it starts anything, or
 * NULL; @bin gets a fixture's path.  Setup and main()'s time plan share it.
 */
static const char *variant_skip(const FIXTURE_VARIANT(scx) *v, const struct scx_cfg *cfg,
				char *bin, size_t len)
{
	const char *sched = getenv("SCX_ATTACH_SCHED"), *skip = NULL;
	const struct scx_mentry *e;
	char path[PATH_MAX];
	struct rlimit rl;

	if (v->prog && !v->entry && sibling_prog(bin, len, v->prog))
		return v->tree && !tree_lists(v->prog) ? SKIP_NOT_IN_TREE : SKIP_NO_FIXTURE;
	if (!v->prog && !v->entry && (!sched || !*sched))
		return SKIP_NO_SCHED;
	/* A child's every level: its parents run in its test. */
	for (e = v->entry; e; e = e->parent >= 0 ? &manifest.e[e->parent] : NULL) {
		if (entry_bin(e, path, sizeof(path)))
			return SKIP_NOT_IN_TREE;
		if (!scx_mentry_on_shape(e, getenv(SCX_SHAPE_ENV)))
			return SKIP_NOT_SHAPE;
	}
	/* Only the kernel's "enabled" record says a child attached. */
	if (kmsg_why[0] && variant_child(v))
		return SKIP_NO_KMSG;
	if (!v->prog && !v->entry && under_foreign())
		return SKIP_USER_IS_CHILD;
	/*
	 * The kernel's words decide it: its reason, a splat, or a rejection
	 * (which can read as "died before attach" without them).
	 */
	if (kmsg_why[0] && !variant_child(v) &&
	    (v->reason || v->splat || variant_expect(v) == SCX_V_REJECTED))
		return SKIP_NO_KMSG;
	if (v->memlock_kb && !scx_caps_has(&suite_caps, CAP_IPC_LOCK) &&
	    (getrlimit(RLIMIT_MEMLOCK, &rl) ||
	     (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < v->memlock_kb * 1024ULL)))
		return SKIP_NO_MEMLOCK;
	if (v->sysctl) {
		snprintf(path, sizeof(path), "/proc/sys/%.*s", (int)strcspn(v->sysctl, "="),
			 v->sysctl);
		if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) &&
		    (errno == EACCES || errno == EPERM))
			return SKIP_NO_SYSCTL;
	}
	if (cfg->hotplug && scx_hotplug_pick(cfg->cpus, &skip) < 0)
		return skip;
	return NULL;
}

FIXTURE_SETUP(scx)
{
	const char *args = variant->args, *args_file = NULL;
	char err[SCX_ERR_LEN] = "";
	struct scx_cfg run;
	const char *skip;
	int ret;

	self->skip = false;
	self->bed_stall = false;
	self->sysctl[0] = '\0';
	self->started = false;
	self->chain = NULL;
	/* What an earlier, killed test left; and die with the suite. */
	ret = scx_suite_sweep();
	if (ret > 0)
		ksft_print_msg("stopped %d process(es) an earlier test left behind\n", ret);
	ret = scx_suite_guard();
	/* -EINVAL: no suite pidfd, already said in main(). */
	if (ret && ret != -EINVAL)
		ksft_print_msg("no guard thread (%s): if the suite is killed, this test's scheduler lives until its windows end\n",
			       strerror(-ret));
	ASSERT_EQ(0, scx_cfg_init(&run, err, sizeof(err))) TH_LOG("%s", err);
	variant_cfg(&run, variant, &self->cfg);
	self->cfg.splat_allow = &splat_allow;
	/* An expected failure logs a sched_ext error: no splat then. */
	self->cfg.splat_scx_errors = variant_expect(variant) == SCX_V_ATTACHED;
	self->ops = variant->ops;

	skip = variant_skip(variant, &self->cfg, self->bin, sizeof(self->bin));
	if (skip) {
		self->skip = true;
		SKIP(return, "%s", skip);
	}
	if (variant_child(variant)) {
		ret = chain_setup(_metadata, &self->chain, &run, variant->entry);
		self->skip = ret > 0;
		if (ret > 0)
			SKIP(return, SKIP_NO_CGROUP);
		ASSERT_EQ(0, ret);
		return;
	}
	if (variant->entry) {
		ASSERT_EQ(0, entry_bin(variant->entry, self->bin, sizeof(self->bin)));
		args = variant->entry->args;
		self->ops = variant->entry->ops;
	} else if (!variant->prog) {
		const char *sched = getenv("SCX_ATTACH_SCHED");

		ASSERT_LT(strlen(sched), sizeof(self->bin)) TH_LOG("SCX_ATTACH_SCHED is too long");
		strcpy(self->bin, sched);
		args = getenv("SCX_ATTACH_ARGS");
		args_file = getenv("SCX_ATTACH_ARGS_FILE");
		self->ops = getenv("SCX_ATTACH_OPS");
	}
	/*
	 * main() bounds each test by its windows; a bound set by hand
	 * (SCX_ATTACH_TEST_TIMEOUT_S) may be shorter.  Only a warning: a
	 * healthy scheduler takes far less than the worst case.
	 */
	if (scx_cfg_worst_ms(&self->cfg) / 1000 >= (unsigned int)_metadata->timeout)
		ksft_print_msg("the windows add up to %u s at worst, over this test's %d s harness timeout: a slow verdict may end as a harness timeout\n",
			       scx_cfg_worst_ms(&self->cfg) / 1000, _metadata->timeout);

	ret = build_argv(_metadata, self, args, args_file && *args_file ? args_file : NULL);
	ASSERT_EQ(0, ret);
	describe_cmdline(self);
	/* Last: a failed setup has no teardown to restore it. */
	if (variant->sysctl)
		ASSERT_EQ(0, sysctl_set(self, variant->sysctl))
			TH_LOG("cannot set /proc/sys/%s", variant->sysctl);
}

/*
 * The kernel went wrong while the scheduler ran (spawn to the end of the
 * stop): a failure whatever the verdict.  The last "# result:" line before
 * the KTAP line holds, so a second one says so.
 */
static void check_splats(struct __test_metadata *const _metadata, const struct scx_child *c,
			 const struct scx_result *r, const char *want)
{
	char more[64];

	if (c->pid <= 0 || (!r->splat.count && !want))
		return;
	scx_splat_print(stdout, &r->splat);
	snprintf(more, sizeof(more), "splats=%u splat=%s", r->splat.count,
		 r->splat.count ? scx_splat_kind_key(r->splat.kind) : "none");
	scx_report_result(stdout, r, more);
	/* A fixture made to cause one must cause that one. */
	if (want) {
		EXPECT_LT(0, r->splat.count) TH_LOG("no %s splat in the kernel log", want);
		EXPECT_STREQ(want, scx_splat_kind_key(r->splat.kind));
		return;
	}
	EXPECT_EQ(0, r->splat.count);
}

/*
 * Stop this cycle's scheduler and wait for sched_ext to report "disabled".
 * Said with ksft_print_msg(), not TH_LOG(): after a failed ASSERT in the
 * body the harness runs the next EXPECT's log even if it holds.
 */
static void end_cycle(struct __test_metadata *const _metadata, FIXTURE_DATA(scx) *self,
		      const char *want_splat)
{
	char detail[SCX_ERR_LEN];
	siginfo_t si = { 0 };
	int ret;

	ret = scx_finish(&self->cfg, &self->child, &self->res, detail, sizeof(detail));
	if (ret)
		ksft_print_msg("cleanup: %s\n", detail);
	EXPECT_EQ(0, ret);
	/* The ejection the test bed's stall explains is not a splat; any other is. */
	if (self->bed_stall && self->res.splat.count == 1 &&
	    self->res.splat.kind == SCX_SPLAT_SCX_ERROR)
		self->res.splat.count = 0;
	self->bed_stall = false;
	check_splats(_metadata, &self->child, &self->res, want_splat);
	/* Nothing it started may outlive the cycle. */
	ret = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) ? errno : 0;
	if (!ret)
		ksft_print_msg("a child of the test is still around: pid %d\n", si.si_pid);
	EXPECT_EQ(ECHILD, ret);
	if (self->child.orphans)
		ksft_print_msg("stopped %d descendant(s) the scheduler left behind\n",
			       self->child.orphans);
	scx_child_release(&self->child, getenv("SCX_ATTACH_KEEP_LOGS") != NULL);
}

FIXTURE_TEARDOWN(scx)
{
	if (self->chain)
		chain_teardown(_metadata, self->chain);
	if (!self->skip && self->started)
		end_cycle(_metadata, self, variant->splat);
	sysctl_restore(self);
}

/*
 * A known failure (manifest xfail=) as the harness reports it: XFAIL, or
 * XPASS when it passed.  Harnesses before XFAIL support (6.x) have no such
 * result: there it stays a plain FAIL or PASS.
 */
#ifdef XFAIL_ADD
#define SCX_KNOWN(code, fmt, ...) do {						\
	snprintf(_metadata->results->reason, sizeof(_metadata->results->reason),	\
		 fmt, ##__VA_ARGS__);						\
	_metadata->exit_code = (code);						\
	return;									\
} while (0)
#else
#define SCX_KNOWN(code, fmt, ...) TH_LOG(fmt, ##__VA_ARGS__)
#endif

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The test bed failed, no verdict on the scheduler: a result line that
 * says so, for the matrix to show ERROR in that cell rather than FAIL.
 */
static void test_bed_result(int err)
{
	printf("# result: test_bed=%s\n", err == -EAGAIN ? "machine_stall" :
	       err == -ETIMEDOUT ? "too_slow" : "error");
	fflush(stdout);
}

/* "cycles=N attach_ms_min=.. attach_ms_median=.. attach_ms_max=..". */
static void cycle_stats(char *buf, size_t len, uint64_t *t, unsigned int n)
{
	qsort(t, n, sizeof(*t), cmp_u64);
	snprintf(buf, len, "cycles=%u attach_ms_min=%llu attach_ms_median=%llu attach_ms_max=%llu",
		 n, (unsigned long long)(t[0] / NSEC_PER_MSEC),
		 (unsigned long long)(t[n / 2] / NSEC_PER_MSEC),
		 (unsigned long long)(t[n - 1] / NSEC_PER_MSEC));
}

TEST_F_TIMEOUT(scx, verdict, SCX_TEST_TIMEOUT_S)
{
	const struct scx_mentry *e = variant->entry;
	const char *shape = getenv(SCX_SHAPE_ENV);
	enum scx_verdict expect = variant_expect(variant);
	unsigned int cycle, n = self->cfg.repeat;
	struct scx_result *r = &self->res;
	char stats[160] = "";
	struct utsname uts;
	int known = -1, fds;
	bool again = false, reran = false;
	uint64_t *t;
	int ret;

	/* 6.1's harness runs the body even after a SKIP in setup. */
	if (self->skip)
		return;
	if (self->chain) {
		chain_verdict(_metadata, self->chain);
		return;
	}
	t = calloc(n, sizeof(*t));
	ASSERT_NE(NULL, t);
	fds = scx_proc_fd_count();
	for (cycle = 1;; cycle++) {
		self->started = true;
		ret = scx_run(&self->cfg, self->bin, self->argv, self->ops, &self->child, r);
		/* The watchdog ejected it in a vCPU stall: once, the cycle runs again. */
		if (ret == -EAGAIN && !reran) {
			ksft_print_msg("cycle %u of %u: %s; run again\n", cycle, n, r->detail);
			again = reran = self->bed_stall = true;
			end_cycle(_metadata, self, variant->splat);
			self->started = false;
			cycle--;
			continue;
		}
		if (ret)
			test_bed_result(ret);
		/* Stalled again: that ejection is no splat either, and no verdict follows. */
		self->bed_stall = ret == -EAGAIN;
		ASSERT_EQ(0, ret) TH_LOG("%s%s", r->detail, ret == -EAGAIN ?
				"; and so again on the run after the first: the machine is too slow to judge the scheduler" : "");
		if (again) {
			ksft_print_msg("run again after the test bed's stall: %s\n",
				       scx_verdict_name(r->verdict));
			again = false;
		}
		if (r->verdict == SCX_V_SYSFS_ABSENT)
			SKIP(return, SKIP_NO_SCX);
		if (r->verdict == SCX_V_BUSY && expect != SCX_V_BUSY) {
			scx_report(stdout, r, &self->child, self->cmdline);
			SKIP(return, SKIP_BUSY);
		}
		t[cycle - 1] = r->t_attach;
		if (r->verdict != expect || cycle == n)
			break;
		/* Each cycle ends clean, and the harness does not grow. */
		end_cycle(_metadata, self, variant->splat);
		self->started = false;
		ASSERT_EQ(fds, scx_proc_fd_count())
			TH_LOG("cycle %u of %u: the test's open fds grew", cycle, n);
	}
	if (n > 1 && r->verdict != expect)
		ksft_print_msg("cycle %u of %u failed; the %u before it passed\n", cycle, n,
			       cycle - 1);
	else if (n > 1)
		cycle_stats(stats, sizeof(stats), t, n);
	free(t);

	/* Expected failures are dumped too: the dump is part of what we test. */
	if (r->verdict != expect || r->verdict != SCX_V_ATTACHED)
		scx_report(stdout, r, &self->child, self->cmdline);
	else
		scx_report_summary(stdout, r);
	scx_report_result(stdout, r, stats[0] ? stats : NULL);

	if (e && !uname(&uts))
		known = scx_mentry_xfail_shape(e, uts.release, shape);
	if (known >= 0 && r->verdict == (enum scx_verdict)known)
		SCX_KNOWN(KSFT_XFAIL, "known failure on %s%s%s: %s", uts.release,
			  shape ? " as " : "", shape ? shape : "", scx_verdict_key(known));
	if (known >= 0 && r->verdict == expect)
		SCX_KNOWN(KSFT_XPASS, "known failure on %s%s%s (%s) now passes", uts.release,
			  shape ? " as " : "", shape ? shape : "", scx_verdict_key(known));

	ASSERT_EQ(expect, r->verdict)
		TH_LOG("expected \"%s\", got \"%s\"", scx_verdict_name(expect),
		       scx_verdict_name(r->verdict));
	if (variant->reason)
		EXPECT_NE(NULL, strstr(r->reason, variant->reason))
			TH_LOG("kernel reason \"%s\" lacks \"%s\"", r->reason, variant->reason);
	if (variant->restarts)
		EXPECT_EQ(variant->restarts, r->restarts);
}

/*
 * The reload path: scheduler A runs, then A is stopped and B started as
 * soon as the kernel has let A go (no idle gap beyond what sched_ext
 * needs), as a service switching schedulers does.  Each is judged on its
 * own: both must attach.
 */
FIXTURE(scx_switch) {
	struct scx_cfg cfg;
	struct scx_child a, b;
	struct scx_result ra, rb;
	char bin_a[PATH_MAX], bin_b[PATH_MAX];
	bool skip;
};

FIXTURE_VARIANT(scx_switch) {
	const char *a, *ops_a;
	const char *b, *ops_b;
};

FIXTURE_VARIANT_ADD(scx_switch, simple_to_qmap) {
	.a = "scx_simple", .ops_a = "simple", .b = "scx_qmap", .ops_b = "qmap",
};

FIXTURE_VARIANT_ADD(scx_switch, fault_to_simple) {
	.a = "scx_fault", .ops_a = "fault", .b = "scx_simple", .ops_b = "simple",
};

/* Both of a switch's schedulers are built next to this binary. */
static bool switch_built(const FIXTURE_VARIANT(scx_switch) *v, char *a, char *b, size_t len)
{
	return !sibling_prog(a, len, v->a) && !sibling_prog(b, len, v->b);
}

FIXTURE_SETUP(scx_switch)
{
	char err[SCX_ERR_LEN] = "";

	scx_child_init(&self->a, 0);
	scx_child_init(&self->b, 0);
	self->skip = !switch_built(variant, self->bin_a, self->bin_b, sizeof(self->bin_a));
	if (self->skip)
		SKIP(return, SKIP_NO_FIXTURE);
	scx_suite_sweep();
	scx_suite_guard();
	ASSERT_EQ(0, scx_cfg_init(&self->cfg, err, sizeof(err))) TH_LOG("%s", err);
	self->cfg.splat_allow = &splat_allow;
}

FIXTURE_TEARDOWN(scx_switch)
{
	char detail[SCX_ERR_LEN];

	if (self->skip)
		return;
	/* B first: A's finish waits for sched_ext to be free. */
	EXPECT_EQ(0, scx_finish(&self->cfg, &self->b, &self->rb, detail, sizeof(detail)));
	EXPECT_EQ(0, scx_finish(&self->cfg, &self->a, &self->ra, detail, sizeof(detail)));
	check_splats(_metadata, &self->a, &self->ra, NULL);
	check_splats(_metadata, &self->b, &self->rb, NULL);
	scx_child_release(&self->a, false);
	scx_child_release(&self->b, false);
}

TEST_F_TIMEOUT(scx_switch, both_attach, SCX_TEST_TIMEOUT_S)
{
	char *argv_a[] = { self->bin_a, NULL }, *argv_b[] = { self->bin_b, NULL };
	char detail[SCX_ERR_LEN], more[96];
	uint64_t t_stop, t_free;

	if (self->skip)
		return;
	ASSERT_EQ(0, scx_run(&self->cfg, self->bin_a, argv_a, variant->ops_a, &self->a, &self->ra));
	if (self->ra.verdict == SCX_V_SYSFS_ABSENT)
		SKIP(return, SKIP_NO_SCX);
	if (self->ra.verdict == SCX_V_BUSY)
		SKIP(return, SKIP_BUSY);
	ASSERT_EQ(SCX_V_ATTACHED, self->ra.verdict) {
		scx_report(stdout, &self->ra, &self->a, variant->a);
	}
	scx_report_summary(stdout, &self->ra);

	t_stop = scx_now_ns();
	ASSERT_EQ(0, scx_finish(&self->cfg, &self->a, &self->ra, detail, sizeof(detail)))
		TH_LOG("%s", detail);
	t_free = scx_now_ns();
	ASSERT_EQ(0, scx_run(&self->cfg, self->bin_b, argv_b, variant->ops_b, &self->b, &self->rb));
	if (self->rb.verdict != SCX_V_ATTACHED)
		scx_report(stdout, &self->rb, &self->b, variant->b);
	else
		scx_report_summary(stdout, &self->rb);
	ksft_print_msg("switch: %s stopped and sched_ext free in %.0f ms; %s attached %.0f ms after the stop\n",
		       variant->a, (double)(t_free - t_stop) / NSEC_PER_MSEC, variant->b,
		       (double)(self->b.t_spawn + self->rb.t_attach - t_stop) / NSEC_PER_MSEC);
	snprintf(more, sizeof(more), "a_verdict=%s handover_ms=%llu",
		 scx_verdict_key(self->ra.verdict),
		 (unsigned long long)((t_free - t_stop) / NSEC_PER_MSEC));
	scx_report_result(stdout, &self->rb, more);
	ASSERT_EQ(SCX_V_ATTACHED, self->rb.verdict)
		TH_LOG("B (%s) did not attach after A (%s)", variant->b, variant->a);
}

/*
 * Sub-schedulers: a parent started and proved attached at the root first,
 * then a child on a private cgroup beneath it ({cgroup} in its arguments),
 * each judged on its own.  docs/hierarchy.md has the kernel's side.
 */
FIXTURE(scx_sub) {
	struct scx_cfg cfg;
	struct scx_child parent, child;
	struct scx_result rp;
	struct scx_sub_result rc;
	struct scx_cgroup cg;
	char bin_p[PATH_MAX], bin_c[PATH_MAX];
	char cgpath[PATH_MAX];
	char cgparent[PATH_MAX];	/* a cgroup beside the child's: the parent's load */
	char args[SCX_ARGS_FILE_MAX];
	char *argv[SCX_ARGS_MAX + 2];
	char args_p[SCX_ARGS_FILE_MAX];
	char *argv_p[SCX_ARGS_MAX + 2];
	/* children of the child's kind attached before it, each below the one before */
	struct scx_child up[SCX_SUB_MAX_DEPTH - 1];
	struct scx_sub_result rup[SCX_SUB_MAX_DEPTH - 1];
	char upcg[SCX_SUB_MAX_DEPTH - 1][PATH_MAX];
	char *argv_up[SCX_SUB_MAX_DEPTH - 1][4];
	unsigned int nup;		/* of them started */
	bool started;
	bool skip;
};

FIXTURE_VARIANT(scx_sub) {
	const char *parent, *ops_p;
	const char *args_p;		/* the parent's arguments */
	const char *child, *ops_c;
	const char *args_c;		/* {cgroup}: the child's private cgroup */
	enum scx_sub_outcome expect;
	enum scx_sub_refusal refusal;	/* for SCX_SUB_REFUSED: which */
	enum scx_sub_cause cause;	/* the kernel's reason for the child, if it must give one */
	const char *said;		/* in the kernel's reason or message for the child */
	enum scx_sub_pfate pfate;	/* what must become of the parent while the child holds */
	unsigned int hold_ms;		/* the child's hold, long enough for its fault */
	const char *claims;		/* what its loader says, though it is not attached */
	bool stop_parent;		/* stop the parent while the child holds */
	bool parent_subs;		/* the parent implements ops.sub_attach */
	bool needs_kill;		/* the kernel's scx_bpf_sub_kill() */
	bool foreign;			/* the user's child under the attached, not ours, parent */
	/*
	 * Children of its own binary ("-c CGROUP") attached first, each in a
	 * cgroup below the one before, the child below the last: it is at
	 * level above + 1.  With @taken, on the last one's cgroup instead.
	 */
	unsigned int above;
	bool taken;
	bool rm_cgroup;			/* remove its cgroup once it held */
	const char *loader_said;	/* its loader's words on its end */
	/*
	 * No load in its hold: scx_subfault as a parent hands its children
	 * no CPU (no scx_bpf_sub_dispatch()), so a child of it that stays
	 * starves its cgroup; these cases are about the kernel's verdict.
	 */
	bool no_load;
};

FIXTURE_VARIANT_ADD(scx_sub, qmap_under_qmap) {
	.parent = "scx_qmap", .ops_p = "qmap", .child = "scx_qmap", .ops_c = "qmap",
	.args_c = "-c {cgroup}", .expect = SCX_SUB_ATTACHED, .parent_subs = true,
};

/* scx_simple has no ops.sub_attach: the kernel refuses before the link. */
FIXTURE_VARIANT_ADD(scx_sub, qmap_under_simple) {
	.parent = "scx_simple", .ops_p = "simple", .child = "scx_qmap", .ops_c = "qmap",
	.args_c = "-c {cgroup}", .expect = SCX_SUB_REFUSED,
	.refusal = SCX_SUB_REFUSED_NO_SUB_ATTACH,
};

/* The parent exits while the child holds: the child's own verdict, not its fault. */
FIXTURE_VARIANT_ADD(scx_sub, qmap_parent_exits) {
	.parent = "scx_qmap", .ops_p = "qmap", .child = "scx_qmap", .ops_c = "qmap",
	.args_c = "-c {cgroup}", .expect = SCX_SUB_PARENT_GONE, .stop_parent = true,
	.parent_subs = true,
};

/*
 * fixtures/scx_subfault on both sides: each way a hierarchy fails, as the
 * kernel does it (docs/hierarchy.md).  Faults land a second after the
 * child's attach, inside its hold.
 */

/* Its parent's ops.sub_attach() refuses it after the link. */
FIXTURE_VARIANT_ADD(scx_sub, subfault_refused_by_parent) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "--fault=refuse",
	.child = "scx_subfault", .ops_c = "subfault", .args_c = "-c {cgroup}",
	.expect = SCX_SUB_REJECTED, .cause = SCX_SUB_CAUSE_REJECTED,
	.said = "parent rejected (-13)", .parent_subs = true,
};

/* Its ops.init() fails, its attach call returned 0, and its loader says "attached". */
FIXTURE_VARIANT_ADD(scx_sub, subfault_claims_attach) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "",
	.child = "scx_subfault", .ops_c = "subfault",
	.args_c = "--fault=init-fail --claim -c {cgroup}",
	.expect = SCX_SUB_REJECTED, .cause = SCX_SUB_CAUSE_ERROR,
	.said = "ops.init() failed", .claims = "scx_subfault: attached as a child",
	.parent_subs = true,
};

/* Its own scx_bpf_error() after the attach. */
FIXTURE_VARIANT_ADD(scx_sub, subfault_child_error) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "",
	.child = "scx_subfault", .ops_c = "subfault",
	.args_c = "--fault=error --delay-ms=1500 -c {cgroup}",
	.expect = SCX_SUB_EJECTED, .cause = SCX_SUB_CAUSE_ERROR, .said = "injected",
	.hold_ms = 5000, .parent_subs = true,
};

/* Its parent kills it with scx_bpf_sub_kill(). */
FIXTURE_VARIANT_ADD(scx_sub, subfault_killed_by_parent) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "--fault=kill --delay-ms=1000",
	.child = "scx_subfault", .ops_c = "subfault", .args_c = "-c {cgroup}",
	.expect = SCX_SUB_EJECTED, .cause = SCX_SUB_CAUSE_KILLED,
	.said = "killed by parent scheduler", .hold_ms = 5000, .parent_subs = true,
	.needs_kill = true,
};

/*
 * Refused before the link, its cgroup taken: another child of the same
 * parent is on it already.  The kernel's attach call returns EBUSY.
 */
FIXTURE_VARIANT_ADD(scx_sub, subfault_cgroup_taken) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "",
	.child = "scx_subfault", .ops_c = "subfault", .args_c = "-c {cgroup}",
	.expect = SCX_SUB_REFUSED, .refusal = SCX_SUB_REFUSED_BUSY, .parent_subs = true,
	.above = 1, .taken = true,
};

/*
 * Nested deeper than the kernel allows (SCX_SUB_MAX_DEPTH 4): at level 4,
 * below three children.  The kernel links it first, then refuses it.
 */
FIXTURE_VARIANT_ADD(scx_sub, subfault_too_deep) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "",
	.child = "scx_subfault", .ops_c = "subfault", .args_c = "-c {cgroup}",
	.expect = SCX_SUB_REJECTED, .cause = SCX_SUB_CAUSE_TOO_DEEP,
	.said = "max nesting depth 4 violated", .parent_subs = true, .above = 3,
};

/* Its cgroup removed under it: the kernel takes it down as the cgroup goes offline. */
FIXTURE_VARIANT_ADD(scx_sub, subfault_cgroup_gone) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "",
	.child = "scx_subfault", .ops_c = "subfault", .args_c = "-c {cgroup}",
	.expect = SCX_SUB_EJECTED, .cause = SCX_SUB_CAUSE_KERN,
	.said = "unregistered from the main kernel", .loader_said = "going offline",
	.parent_subs = true, .rm_cgroup = true, .no_load = true,
};

/* Its loader killed (SIGKILL) after the attach: the kernel unregisters it. */
FIXTURE_VARIANT_ADD(scx_sub, subfault_child_dies) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "",
	.child = "scx_subfault", .ops_c = "subfault",
	.args_c = "--fault=die --delay-ms=1000 -c {cgroup}",
	.expect = SCX_SUB_DIED, .cause = SCX_SUB_CAUSE_UNREG,
	.said = "unregistered from user space", .hold_ms = 5000, .parent_subs = true,
	.no_load = true,
};

/* Its parent's loader killed (SIGKILL) while it holds: the parent is named. */
FIXTURE_VARIANT_ADD(scx_sub, subfault_parent_killed) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "--fault=die --delay-ms=1000",
	.child = "scx_subfault", .ops_c = "subfault", .args_c = "-c {cgroup}",
	.expect = SCX_SUB_PARENT_GONE, .cause = SCX_SUB_CAUSE_PARENT_EXIT,
	.said = "parent exiting", .pfate = SCX_SUB_PFATE_DIED, .hold_ms = 5000,
	.parent_subs = true,
};

/* Its parent is ejected (scx_bpf_error()) while it holds: the parent is named. */
FIXTURE_VARIANT_ADD(scx_sub, subfault_parent_ejected) {
	.parent = "scx_subfault", .ops_p = "subfault", .args_p = "--fault=error --delay-ms=1000",
	.child = "scx_subfault", .ops_c = "subfault", .args_c = "-c {cgroup}",
	.expect = SCX_SUB_PARENT_GONE, .cause = SCX_SUB_CAUSE_PARENT_EXIT,
	.said = "parent exiting", .pfate = SCX_SUB_PFATE_EJECTED, .hold_ms = 5000,
	.parent_subs = true,
};

static bool sub_built(const FIXTURE_VARIANT(scx_sub) *v, char *p, char *c, size_t len)
{
	if (v->foreign) {
		snprintf(c, len, "%s", v->child);
		return true;
	}
	return !sibling_prog(p, len, v->parent) && !sibling_prog(c, len, v->child);
}

/* The child's argv: @args with each {cgroup} replaced by @cg. */
static int sub_argv(FIXTURE_DATA(scx_sub) *self, const char *args, const char *cg)
{
	int n = scx_args_subst(self->args, sizeof(self->args), args, "{cgroup}", cg);

	if (n)
		return n;
	self->argv[0] = self->bin_c;
	n = scx_args_split(self->args, self->argv + 1, SCX_ARGS_MAX);
	if (n < 0)
		return n;
	self->argv[n + 1] = NULL;
	return 0;
}

/*
 * The cgroups below the test's own: "u1", "u1/u2", ... for the children
 * above it, then the child's own below the last ("child" without them; the
 * last one's with @taken), then "parent" for the parent's load where there
 * is room.  @names holds them.
 */
static void sub_cgroups(const FIXTURE_VARIANT(scx_sub) *v, char names[][64], const char *subs[])
{
	unsigned int i, n = 0;
	size_t off = 0;

	for (i = 0; i < v->above; i++, n++) {
		snprintf(names[n], 64, "%.*s%su%u", (int)off, n ? names[n - 1] : "", n ? "/" : "",
			 i + 1);
		off = strlen(names[n]);
	}
	if (!v->taken) {
		snprintf(names[n], 64, "%.*s%schild", (int)off, n ? names[n - 1] : "",
			 n ? "/" : "");
		n++;
	}
	if (n < SCX_CGROUP_SUBS)
		snprintf(names[n++], 64, "parent");
	for (i = 0; i < n; i++)
		subs[i] = names[i];
	subs[n] = NULL;
}

FIXTURE_SETUP(scx_sub)
{
	char names[SCX_CGROUP_SUBS][64], err[SCX_ERR_LEN] = "";
	const char *subs[SCX_CGROUP_SUBS + 1];
	const char *mine;
	unsigned int i;
	int ret;

	scx_child_init(&self->parent, 0);
	scx_child_init(&self->child, 0);
	for (i = 0; i < ARRAY_SIZE(self->up); i++)
		scx_child_init(&self->up[i], 0);
	self->nup = 0;
	self->cg.path[0] = '\0';
	self->started = false;
	ASSERT_GE(ARRAY_SIZE(self->up), variant->above);
	ASSERT_TRUE(!variant->taken || variant->above);
	self->skip = !sub_built(variant, self->bin_p, self->bin_c, sizeof(self->bin_p));
	if (self->skip)
		SKIP(return, SKIP_NO_FIXTURE);
	scx_suite_sweep();
	scx_suite_guard();
	ASSERT_EQ(0, scx_cfg_init(&self->cfg, err, sizeof(err))) TH_LOG("%s", err);
	self->cfg.splat_allow = &splat_allow;
	self->cfg.splat_scx_errors = variant->expect == SCX_SUB_ATTACHED;
	sub_cgroups(variant, names, subs);
	ret = scx_cgroup_create(&self->cg, SCX_STRESS_CGROUP, subs, err, sizeof(err));
	if (ret) {
		self->skip = true;
		ksft_print_msg("%s\n", err);
		SKIP(return, SKIP_NO_CGROUP);
	}
	for (i = 0; i < variant->above && !ret; i++) {
		if (snprintf(self->upcg[i], PATH_MAX, "%s/%s", self->cg.path, subs[i]) >= PATH_MAX)
			ret = -ENAMETOOLONG;
		self->argv_up[i][0] = self->bin_c;
		self->argv_up[i][1] = "-c";
		self->argv_up[i][2] = self->upcg[i];
		self->argv_up[i][3] = NULL;
	}
	mine = subs[variant->taken ? variant->above - 1 : variant->above];
	self->cgparent[0] = '\0';
	if (snprintf(self->cgpath, sizeof(self->cgpath), "%s/%s", self->cg.path, mine) >=
	    (int)sizeof(self->cgpath) ||
	    (!variant->above &&
	     snprintf(self->cgparent, sizeof(self->cgparent), "%s/parent", self->cg.path) >=
	     (int)sizeof(self->cgparent)))
		ret = -ENAMETOOLONG;
	else
		ret = ret ?: sub_argv(self, variant->args_c, self->cgpath);
	if (!ret && !variant->foreign) {
		snprintf(self->args_p, sizeof(self->args_p), "%s", variant->args_p ?: "");
		self->argv_p[0] = self->bin_p;
		ret = scx_args_split(self->args_p, self->argv_p + 1, SCX_ARGS_MAX);
		if (ret >= 0)
			self->argv_p[ret + 1] = NULL;
		ret = ret < 0 ? ret : 0;
	}
	if (ret) {
		scx_cgroup_remove(&self->cg, self->cfg.grace_ms);
		ASSERT_EQ(0, ret) TH_LOG("the schedulers' arguments are too long");
	}
}

FIXTURE_TEARDOWN(scx_sub)
{
	char detail[SCX_ERR_LEN];
	unsigned int i;
	int ret;

	if (self->skip)
		return;
	/* Children stop before parents. */
	if (self->started) {
		if (scx_sub_finish(&self->cfg, &self->child, &self->rc, detail, sizeof(detail)))
			ksft_print_msg("cleanup: child: %s\n", detail);
		for (i = self->nup; i-- > 0;)
			if (scx_sub_finish(&self->cfg, &self->up[i], &self->rup[i], detail,
					   sizeof(detail)))
				ksft_print_msg("cleanup: the child at level %u: %s\n", i + 1,
					       detail);
		/* A foreign parent is left exactly as found. */
		if (!variant->foreign &&
		    scx_finish(&self->cfg, &self->parent, &self->rp, detail, sizeof(detail)))
			ksft_print_msg("cleanup: parent: %s\n", detail);
		if (!variant->foreign)
			check_splats(_metadata, &self->parent, &self->rp, NULL);
	}
	/* Not TH_LOG(): after a failed ASSERT it would print though this holds. */
	ret = scx_cgroup_remove(&self->cg, self->cfg.grace_ms);
	if (ret)
		ksft_print_msg("cleanup: the test's cgroup tree %s would not go: %s\n",
			       self->cg.path, strerror(-ret));
	EXPECT_EQ(0, ret);
	scx_child_release(&self->child, getenv("SCX_ATTACH_KEEP_LOGS") != NULL);
	for (i = 0; i < ARRAY_SIZE(self->up); i++)
		scx_child_release(&self->up[i], getenv("SCX_ATTACH_KEEP_LOGS") != NULL);
	scx_child_release(&self->parent, getenv("SCX_ATTACH_KEEP_LOGS") != NULL);
}

/* @len bytes of @text, a "# " line each: nothing raw reaches stdout. */
static void print_lines(const char *text, size_t len, const char *indent)
{
	const char *p = text, *end = text + len, *nl;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (nl > p)
			ksft_print_msg("%s%.*s\n", indent, (int)(nl - p), p);
	}
}

/* Which child a report is of: its name, its parent's, its level. */
struct sub_who {
	const char *child;
	const char *parent;	/* for people */
	const char *parent_key;	/* the result line's parent= */
	int level;
	bool parent_stopped;	/* the test stopped the parent on purpose */
};

/*
 * What was seen of a child, as "# " lines, and its result line (@more:
 * key=value pairs after the others), which @out gets too (NULL: not
 * wanted).
 */
static void sub_report_of(const struct scx_sub_result *r, struct scx_child *c,
			  const struct sub_who *w, const char *more, char *out, size_t outlen)
{
	bool fate = r->pfate != SCX_SUB_PFATE_INTACT && !w->parent_stopped;
	char tail[1024], res[512];

	ksft_print_msg("child %s under %s: %s\n", w->child, w->parent,
		       scx_sub_outcome_name(r->outcome));
	ksft_print_msg("what: %s\n", r->detail);
	if (r->outcome != SCX_SUB_ATTACHED) {
		ksft_print_msg("child output tail:\n");
		print_lines(tail, scx_log_tail(&c->log, tail, sizeof(tail)), "  | ");
		if (r->klog.len) {
			ksft_print_msg("kernel sched_ext lines:\n");
			print_lines(r->klog.lines, r->klog.len, "  ");
		}
	}
	if (r->stressed) {
		char line[SCX_REASON_LEN];
		int i;

		for (i = 0; scx_stress_line(&r->stress, i, line, sizeof(line)); i++)
			ksft_print_msg("child's stress: %s\n", line);
	} else if (r->loaded) {
		ksft_print_msg("child's load: %s\n", r->load_child);
		if (r->load_parent[0])
			ksft_print_msg("parent's load: %s\n", r->load_parent);
	}
	ksft_print_msg("root: state %s ops \"%s\" enable_seq %lld (before the child: %s \"%s\" %lld)\n",
		       scx_state_name(r->root_last.state), r->root_last.ops,
		       r->root_last.enable_seq, scx_state_name(r->root_before.state),
		       r->root_before.ops, r->root_before.enable_seq);
	if (fate)
		ksft_print_msg("parent %s: %s while its child was judged%s%s%s%s%s\n", w->parent,
			       scx_sub_pfate_name(r->pfate),
			       r->preason[0] ? "; kernel: disabled (" : "", r->preason,
			       r->preason[0] ? ")" : "", r->pmsg[0] ? ": " : "", r->pmsg);
	snprintf(res, sizeof(res), "verdict=%s attach_ms=%llu level=%d parent=%s%s%s%s%s",
		 scx_sub_outcome_key(r->outcome), (unsigned long long)(r->t_attach / NSEC_PER_MSEC),
		 w->level, w->parent_key, fate ? " parent_fate=" : "",
		 fate ? scx_sub_pfate_key(r->pfate) : "", more ? " " : "", more ? more : "");
	printf("# result: %s\n", res);
	fflush(stdout);
	if (out)
		snprintf(out, outlen, "%s", res);
}

/* The child's level: below the root and the children above it. */
static int sub_level(const FIXTURE_VARIANT(scx_sub) *v)
{
	return v->taken ? v->above : v->above + 1;
}

static void sub_report(FIXTURE_DATA(scx_sub) *self, const FIXTURE_VARIANT(scx_sub) *v,
		       const char *more)
{
	const struct scx_sub_result *r = &self->rc;
	bool up = sub_level(v) > 1;
	const struct sub_who w = {
		.child = v->child,
		.parent = v->foreign ? r->root_before.ops : up ? v->child : v->parent,
		.parent_key = v->foreign ? r->root_before.ops : up ? v->ops_c : v->ops_p,
		.level = sub_level(v), .parent_stopped = v->stop_parent,
	};

	sub_report_of(r, &self->child, &w, more, NULL, 0);
}

/* Wait up to @ms for @text in @c's output; true once it is there. */
static bool wait_output(struct scx_child *c, const char *text, unsigned int ms)
{
	uint64_t dl = scx_now_ns() + (uint64_t)ms * NSEC_PER_MSEC, now;
	char tail[1024];
	struct pollfd pfd = { .fd = c->log.out_fd, .events = POLLIN };

	for (;;) {
		scx_log_drain(&c->log);
		scx_log_tail(&c->log, tail, sizeof(tail));
		now = scx_now_ns();
		if (strstr(tail, text) || now >= dl || pfd.fd < 0)
			return strstr(tail, text) != NULL;
		if (poll(&pfd, 1, (dl - now) / NSEC_PER_MSEC + 1) < 0 && errno != EINTR)
			return false;
		/* Its end: one last drain above, then no more waiting. */
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			pfd.fd = -1;
	}
}

/* Does the running kernel's BTF name @name (a kfunc, a type)? */
static bool kernel_btf_names(const char *name)
{
	char buf[65536], key[128];
	size_t klen = strlen(name) + 2, keep = 0, len;
	bool found = false;
	ssize_t n;
	int fd;

	if (klen > sizeof(key))
		return false;
	key[0] = '\0';
	memcpy(key + 1, name, klen - 2);
	key[klen - 1] = '\0';
	fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while (!found && (n = read(fd, buf + keep, sizeof(buf) - keep)) > 0) {
		len = keep + n;
		found = memmem(buf, len, key, klen) != NULL;
		/* A name may straddle two reads. */
		keep = scx_min(len, klen - 1);
		memmove(buf, buf + len - keep, keep);
	}
	close(fd);
	return found;
}

/* The attached root scheduler has sub/: this kernel takes children. */
static bool parent_takes_children(const struct scx_cfg *cfg)
{
	struct scx_sub_list l = { 0 };
	struct scx_sysfs sys;

	if (scx_sysfs_open(&sys, cfg->sysfs))
		return false;
	scx_sub_read(sys.dfd, "root", &l);
	scx_sysfs_close(&sys);
	return l.has_sub;
}

/*
 * The user's child under a parent that is attached and not ours: only
 * looked at, never signalled.  The child is the new sub-<id> under it that
 * names its ops, in our cgroup ({cgroup}) or in one of the user's own.
 */
static void sub_foreign(struct __test_metadata *const _metadata, FIXTURE_DATA(scx_sub) *self,
			const FIXTURE_VARIANT(scx_sub) *variant)
{
	/* Only in our cgroup is the child's load known to be the child's. */
	bool mine = strstr(variant->args_c, "{cgroup}");
	struct scx_sub_loads loads = { .child_cg = self->cgpath };
	struct scx_sub_list l = { 0 };
	struct scx_sysfs sys;
	struct scx_snap root;
	struct stat st;

	if (scx_sysfs_open(&sys, self->cfg.sysfs))
		SKIP(return, SKIP_NO_SCX);
	scx_sysfs_read(&sys, &root);
	scx_sub_read(sys.dfd, "root", &l);
	scx_sysfs_close(&sys);
	if (root.state != SCX_STATE_ENABLED || !root.root)
		SKIP(return, SKIP_NO_FOREIGN);
	if (!l.has_sub)
		SKIP(return, SKIP_FOREIGN_NO_SUB);
	ksft_print_msg("parent: the attached \"%s\" (not ours: never signalled)\n", root.ops);
	self->started = true;
	ASSERT_EQ(0, stat(self->cgpath, &st));
	ASSERT_EQ(0, scx_sub_run_loaded(&self->cfg, "root", NULL, self->bin_c, self->argv,
					variant->ops_c, mine ? st.st_ino : 0, mine ? &loads : NULL,
					&self->child, &self->rc))
		TH_LOG("%s", self->rc.detail);
	sub_report(self, variant, NULL);
	ASSERT_EQ(SCX_SUB_ATTACHED, self->rc.outcome)
		TH_LOG("child: expected \"attached\", got \"%s\"",
		       scx_sub_outcome_name(self->rc.outcome));
}

/*
 * Until the root is attached again, as @ops, past @before (a restart), or
 * @ms: 0 or -ETIMEDOUT.
 */
static int root_back(const struct scx_cfg *cfg, const struct scx_snap *before, const char *ops,
		     unsigned int ms)
{
	uint64_t dl = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct scx_waiter w;
	struct scx_snap now;
	int ret = -ETIMEDOUT;

	if (scx_waiter_open(&w, cfg, NULL))
		return -ENODEV;
	for (;;) {
		if (!scx_sysfs_read(&w.sys, &now) && scx_snap_attached(&now, before, ops)) {
			ret = 0;
			break;
		}
		if (scx_now_ns() >= dl)
			break;
		scx_waiter_wait(&w, dl);
	}
	scx_waiter_close(&w);
	return ret;
}

/* The kernel's record of the parent's own end in the child's log, or NULL. */
static const char *parent_disabled_line(const struct scx_sub_result *r, char *buf, size_t len)
{
	const char *p = strstr(r->klog.lines, "BPF scheduler \"");

	if (!p || !strstr(p, "disabled ("))
		return NULL;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
	return buf;
}

/*
 * --hotplug for a child: a CPU offline and back online while it holds.
 * The kernel may exit the parent for the CPU change (a root without
 * cpu_offline/cpu_online is "unregistered from the main kernel"); its
 * children go with it ("parent exiting"), which is not the child's fault:
 * then the parent's loader must attach again and the child, started again
 * beneath it, must attach again.  self->rc holds the child's verdict after it all.
 */
static void sub_hotplug(struct __test_metadata *const _metadata, FIXTURE_DATA(scx_sub) *self,
			const FIXTURE_VARIANT(scx_sub) *variant, const struct scx_sub_loads *loads,
			unsigned long long cgid)
{
	uint64_t dl = scx_now_ns() + self->cfg.wall_ms * NSEC_PER_MSEC;
	struct scx_snap before = self->rc.root_last;
	struct scx_hotplug_op op = { 0 };
	char detail[SCX_ERR_LEN], why[SCX_REASON_LEN];
	const char *skip = NULL, *pline;
	struct scx_hotplug hp;
	int ret;

	scx_hotplug_init(&hp);
	ret = scx_hotplug_open(&hp, self->cfg.cpus, &skip);
	if (ret == -ENODEV && skip)
		SKIP(return, "%s", skip);
	if (ret)
		test_bed_result(ret);
	ASSERT_EQ(0, ret) TH_LOG("the test bed's CPU hotplug could not start: %s",
				 skip ?: strerror(-ret));
	ASSERT_EQ(0, scx_hotplug_request(&hp, false));
	ret = scx_hotplug_wait(&hp, dl, &op);
	if (ret == 1 && !op.err)
		ksft_print_msg("hotplug: cpu%d offline in %llu ms\n", hp.cpu,
			       (unsigned long long)((op.t_done - op.t_start) / NSEC_PER_MSEC));
	EXPECT_TRUE(ret == 1 && !op.err) TH_LOG("cpu%d could not go offline: %s", hp.cpu,
						 ret == 1 ? strerror(-op.err) : "no answer");
	/* Stays, or the kernel's reason for taking it down. */
	scx_sub_judge_end(&self->cfg, &self->child, &self->rc);
	ASSERT_EQ(0, scx_hotplug_request(&hp, true));
	ret = scx_hotplug_wait(&hp, scx_now_ns() + self->cfg.wall_ms * NSEC_PER_MSEC, &op);
	EXPECT_TRUE(ret == 1 && !op.err) TH_LOG("cpu%d could not go online again", hp.cpu);
	if (ret == 1 && !op.err)
		ksft_print_msg("hotplug: cpu%d online in %llu ms\n", hp.cpu,
			       (unsigned long long)((op.t_done - op.t_start) / NSEC_PER_MSEC));
	EXPECT_EQ(0, scx_hotplug_close(&hp, self->cfg.grace_ms));
	if (self->rc.outcome == SCX_SUB_ATTACHED) {
		/* Through the offline; the hold again after the online. */
		ksft_print_msg("hotplug: the child stayed attached through cpu%d offline and online\n",
			       hp.cpu);
		return;
	}
	pline = parent_disabled_line(&self->rc, why, sizeof(why));
	ksft_print_msg("hotplug: the child: %s; the parent: %s\n", self->rc.detail,
		       pline ?: "no record of its end");
	if (self->rc.outcome != SCX_SUB_PARENT_GONE)
		return;
	/* The parent's exit took it: the parent must come back, and the child under it. */
	ASSERT_EQ(0, root_back(&self->cfg, &before, variant->ops_p, self->cfg.wall_ms))
		TH_LOG("the parent did not attach again within %u ms after the kernel exited it for the CPU change",
		       self->cfg.wall_ms);
	ksft_print_msg("hotplug: the parent attached again; starting the child again under it\n");
	EXPECT_EQ(0, scx_sub_finish(&self->cfg, &self->child, &self->rc, detail, sizeof(detail)))
		TH_LOG("%s", detail);
	scx_child_release(&self->child, false);
	self->cfg.hotplug = false;
	ASSERT_EQ(0, scx_sub_run_loaded(&self->cfg, "root", &self->parent, self->bin_c,
					self->argv, variant->ops_c, cgid, loads, &self->child,
					&self->rc))
		TH_LOG("%s", self->rc.detail);
	if (self->rc.outcome == SCX_SUB_ATTACHED)
		ksft_print_msg("hotplug: the child attached again under the restarted parent in %llu ms\n",
			       (unsigned long long)(self->rc.t_attach / NSEC_PER_MSEC));
}

/*
 * The children above the child (@v->above), each its binary on its cgroup
 * below the one before, proved attached with a result line of its own.
 * @dir and @pc: the child's parent's sysfs directory and loader.
 */
static void sub_above(struct __test_metadata *const _metadata, FIXTURE_DATA(scx_sub) *self,
		      const FIXTURE_VARIANT(scx_sub) *v, char *dir, size_t len,
		      struct scx_child **pc)
{
	unsigned long long cgids[SCX_SUB_MAX_DEPTH];
	struct scx_cfg ucfg = self->cfg;
	unsigned int i;
	struct stat st;

	/* Each only needs to be there: attached, no hold of its own. */
	ucfg.hold_ms = 0;
	ucfg.stress_ms = 0;
	ucfg.hotplug = false;
	*pc = &self->parent;
	ASSERT_EQ(0, scx_sub_dir(dir, len, cgids, 0));
	for (i = 0; i < v->above; i++) {
		ASSERT_EQ(0, stat(self->upcg[i], &st));
		cgids[i] = st.st_ino;
		self->nup = i + 1;
		ASSERT_EQ(0, scx_sub_run_loaded(&ucfg, dir, *pc, self->bin_c, self->argv_up[i],
						v->ops_c, cgids[i], NULL, &self->up[i],
						&self->rup[i]))
			TH_LOG("%s", self->rup[i].detail);
		sub_report_of(&self->rup[i], &self->up[i], &(struct sub_who){
			.child = v->child, .parent = i ? v->child : v->parent,
			.parent_key = i ? v->ops_c : v->ops_p, .level = i + 1 }, NULL, NULL, 0);
		ASSERT_EQ(SCX_SUB_ATTACHED, self->rup[i].outcome)
			TH_LOG("the child at level %u, on %s, did not attach: the test cannot place its child",
			       i + 1, self->upcg[i]);
		/* With @taken the child goes beside the last one, on its cgroup. */
		if (v->taken && i == v->above - 1)
			break;
		*pc = &self->up[i];
		ASSERT_EQ(0, scx_sub_dir(dir, len, cgids, i + 1));
	}
}

TEST_F_TIMEOUT(scx_sub, verdict, SCX_TEST_TIMEOUT_S)
{
	struct scx_sub_loads loads = { .child_cg = self->cgpath,
				       .parent_cg = self->cgparent[0] ? self->cgparent : NULL };
	char words[2 * SCX_REASON_LEN + 4], pdir[SCX_SUB_DIR_LEN];
	struct scx_child *pc;
	char detail[SCX_ERR_LEN], stats[160] = "";
	unsigned int cycle, n = 1;
	struct scx_cfg pcfg;
	struct stat st;
	uint64_t *t;

	if (self->skip)
		return;
	if (variant->foreign) {
		sub_foreign(_metadata, self, variant);
		return;
	}
	if (variant->needs_kill && !kernel_btf_names("scx_bpf_sub_kill_bstr"))
		SKIP(return, SKIP_NO_SUB_KILL);
	self->started = true;
	/* The parent proves itself plainly; the run's stress and hotplug are the child's. */
	pcfg = self->cfg;
	pcfg.stress_ms = 0;
	pcfg.hotplug = false;
	ASSERT_EQ(0, scx_run(&pcfg, self->bin_p, self->argv_p, variant->ops_p,
			     &self->parent, &self->rp));
	if (self->rp.verdict == SCX_V_SYSFS_ABSENT)
		SKIP(return, SKIP_NO_SCX);
	if (self->rp.verdict == SCX_V_BUSY)
		SKIP(return, SKIP_BUSY);
	/* The parent first: a child proves nothing under a parent that did not attach. */
	ASSERT_EQ(SCX_V_ATTACHED, self->rp.verdict) {
		scx_report(stdout, &self->rp, &self->parent, variant->parent);
	}
	scx_report_summary(stdout, &self->rp);
	/* Each level its own result line; the child's, last, is the test's. */
	scx_report_result(stdout, &self->rp, "level=0");
	if (variant->parent_subs && !parent_takes_children(&self->cfg))
		SKIP(return, SKIP_NO_SUB);
	ASSERT_EQ(0, stat(self->cgpath, &st));
	sub_above(_metadata, self, variant, pdir, sizeof(pdir), &pc);
	/* The parent has held its window: the child's own, long enough for its fault. */
	self->cfg.hold_ms = scx_max(self->cfg.hold_ms, variant->hold_ms);
	/* --repeat: the child attached, proved and detached N times under the same parent. */
	if (variant->expect == SCX_SUB_ATTACHED && !variant->stop_parent)
		n = self->cfg.repeat ?: 1;
	t = calloc(n, sizeof(*t));
	ASSERT_NE(NULL, t);
	for (cycle = 1;; cycle++) {
		ASSERT_EQ(0, scx_sub_run_loaded(&self->cfg, pdir, pc, self->bin_c, self->argv,
						variant->ops_c, st.st_ino,
						variant->no_load ? NULL : &loads, &self->child,
						&self->rc))
			TH_LOG("%s", self->rc.detail);
		t[cycle - 1] = self->rc.t_attach;
		if (self->rc.outcome != variant->expect || cycle >= n)
			break;
		ksft_print_msg("cycle %u of %u: child attached in %llu ms%s%s\n", cycle, n,
			       (unsigned long long)(self->rc.t_attach / NSEC_PER_MSEC),
			       self->rc.loaded ? "; its load: " : "",
			       self->rc.loaded ? self->rc.load_child : "");
		ASSERT_EQ(0, scx_sub_finish(&self->cfg, &self->child, &self->rc, detail,
					    sizeof(detail)))
			TH_LOG("cycle %u of %u: %s", cycle, n, detail);
		scx_child_release(&self->child, false);
		/* Its parent holds on through each of its children's comings and goings. */
		ASSERT_EQ(0, scx_child_poll(&self->parent))
			TH_LOG("cycle %u of %u: the parent died after its child detached", cycle, n);
	}
	if (n > 1 && self->rc.outcome != variant->expect)
		ksft_print_msg("cycle %u of %u failed; the %u before it passed\n", cycle, n,
			       cycle - 1);
	else if (n > 1)
		cycle_stats(stats, sizeof(stats), t, n);
	free(t);
	if (variant->stop_parent && self->rc.outcome == SCX_SUB_ATTACHED) {
		ksft_print_msg("child attached in %llu ms; stopping the parent under it\n",
			       (unsigned long long)(self->rc.t_attach / NSEC_PER_MSEC));
		EXPECT_EQ(0, scx_finish(&self->cfg, &self->parent, &self->rp, detail,
					sizeof(detail))) TH_LOG("%s", detail);
		scx_sub_judge_end(&self->cfg, &self->child, &self->rc);
	}
	if (variant->rm_cgroup && self->rc.outcome == SCX_SUB_ATTACHED) {
		/* Empty now: its load has stopped. */
		ASSERT_EQ(0, rmdir(self->cgpath))
			TH_LOG("cannot remove the child's cgroup %s: %s", self->cgpath,
			       strerror(errno));
		ksft_print_msg("child attached in %llu ms and held; removed its cgroup %s\n",
			       (unsigned long long)(self->rc.t_attach / NSEC_PER_MSEC),
			       self->cgpath);
		scx_sub_judge_end(&self->cfg, &self->child, &self->rc);
	}
	if (variant->loader_said)
		EXPECT_TRUE(wait_output(&self->child, variant->loader_said, self->cfg.grace_ms))
			TH_LOG("the child's loader never said \"%s\" of its end",
			       variant->loader_said);
	/* The trap: the loader says it attached (its attach call returned 0). */
	if (variant->claims) {
		EXPECT_TRUE(wait_output(&self->child, variant->claims, self->cfg.grace_ms))
			TH_LOG("the child's loader never said \"%s\": the test did not set its trap",
			       variant->claims);
		ksft_print_msg("child's loader says \"%s\" and is %s: not taken for an attach\n",
			       variant->claims, scx_child_poll(&self->child) ? "gone" : "alive");
	}
	if (self->cfg.hotplug && variant->expect == SCX_SUB_ATTACHED &&
	    self->rc.outcome == SCX_SUB_ATTACHED)
		sub_hotplug(_metadata, self, variant, &loads, st.st_ino);
	sub_report(self, variant, stats[0] ? stats : NULL);
	/* A parent that broke under its child is the test's failure, and named first. */
	if (!variant->stop_parent)
		ASSERT_EQ(variant->pfate, self->rc.pfate)
			TH_LOG("parent %s: %s while its child held%s%s%s (expected: %s)",
			       variant->parent, scx_sub_pfate_name(self->rc.pfate),
			       self->rc.preason[0] ? "; kernel: disabled (" : "",
			       self->rc.preason, self->rc.preason[0] ? ")" : "",
			       scx_sub_pfate_name(variant->pfate));
	ASSERT_EQ(variant->expect, self->rc.outcome)
		TH_LOG("child: expected \"%s\", got \"%s\"", scx_sub_outcome_name(variant->expect),
		       scx_sub_outcome_name(self->rc.outcome));
	if (variant->cause)
		EXPECT_EQ(variant->cause, self->rc.obs.cause)
			TH_LOG("child: the kernel's reason is \"%s\", expected \"%s\"",
			       scx_sub_cause_name(self->rc.obs.cause),
			       scx_sub_cause_name(variant->cause));
	snprintf(words, sizeof(words), "%s: %s", self->rc.reason, self->rc.msg);
	if (variant->said)
		EXPECT_NE(NULL, strstr(words, variant->said))
			TH_LOG("child: the kernel said \"%s\", expected \"%s\" in it", words,
			       variant->said);
	if (variant->expect == SCX_SUB_REFUSED)
		EXPECT_EQ(variant->refusal, self->rc.refusal)
			TH_LOG("refused, but not for the expected reason: %s",
			       scx_sub_refusal_hint(self->rc.refusal));
	/* Which of EBUSY's two causes: the one on its cgroup, seen before it. */
	if (variant->taken)
		EXPECT_NE(NULL, strstr(self->rc.detail, "a scheduler on its cgroup, was there"))
			TH_LOG("the refusal does not name the scheduler on its cgroup: %s",
			       self->rc.detail);
	if (variant->expect == SCX_SUB_ATTACHED) {
		EXPECT_STREQ(self->rp.last.ops, self->rc.root_last.ops);
		EXPECT_EQ(self->rc.root_before.enable_seq, self->rc.root_last.enable_seq);
		EXPECT_EQ(0, scx_child_poll(&self->parent)) TH_LOG("the parent died");
	}
}

/*
 * Manifest hierarchies: a line with parent=NAME is a child scheduler.  Its
 * test runs the chain from the root down: the root line's scheduler,
 * proved attached at the root, then each level beneath the one above on a
 * private cgroup of its own ({cgroup} in its args), each with its own
 * result line; the last is the child's, the test's verdict.  A parent is
 * not held on its own: it must stay attached while the levels below it
 * attach and hold.
 */
struct mlevel {
	const struct scx_mentry *e;
	struct scx_cfg cfg;
	struct scx_child c;
	struct scx_result r;		/* level 0 */
	struct scx_sub_result sr;	/* below the root */
	char bin[PATH_MAX];
	char args[SCX_MANIFEST_LINE_MAX + SCX_CGROUP_SUBS * PATH_MAX];
	char *argv[SCX_ARGS_MAX + 2];
	char cgpath[PATH_MAX];
	bool started;
};

struct mchain {
	int n;				/* levels, the root's included */
	struct mlevel l[SCX_SUB_MAX_DEPTH];
	struct scx_cgroup cg;
	char last[512];			/* the last result line's fields: the test's */
};

/*
 * A level's windows: its line's over the run's; a parent's without a hold,
 * proved plainly (no stress, one cycle).  The child's stress and repeat
 * are its own, as in the fixed sub tests; hotplug is not for a chain (the
 * manifest refuses it on a child's line).
 */
static void level_cfg(const struct scx_cfg *run, const struct scx_mentry *e, bool last,
		      struct scx_cfg *cfg)
{
	variant_cfg(run, &(FIXTURE_VARIANT(scx)){ .entry = e }, cfg);
	cfg->hotplug = false;
	if (!last) {
		cfg->stress_ms = 0;
		cfg->repeat = 1;
		cfg->hold_ms = 0;
		cfg->load = false;
	}
}

/* @e's chain, root first, into @l; the count. */
static int chain_of(const struct scx_mentry *e, const struct scx_mentry *l[SCX_SUB_MAX_DEPTH])
{
	int n = e->depth + 1, i;

	for (i = n - 1; i >= 0; i--, e = e->parent >= 0 ? &manifest.e[e->parent] : NULL)
		l[i] = e;
	return n;
}

/* What a child's test can take: every level once. */
static void chain_budget(const struct scx_cfg *run, const struct scx_mentry *e,
			 struct scx_budget *b)
{
	const struct scx_mentry *l[SCX_SUB_MAX_DEPTH];
	unsigned long long worst = 0, least = 0;
	struct scx_cfg cfg;
	int i, n = chain_of(e, l);

	for (i = 0; i < n; i++) {
		level_cfg(run, l[i], i == n - 1, &cfg);
		worst += scx_cfg_worst_ms(&cfg);
		least += scx_cfg_least_ms(&cfg);
	}
	scx_budget_add(b, worst, e->expect == SCX_SUB_ATTACHED ? least : 0);
}

/* @e's known failure on this kernel and machine shape (xfail=), or -1; @rel the release. */
static int known_failure(const struct scx_mentry *e, char *rel, size_t len)
{
	struct utsname uts;

	if (uname(&uts))
		return -1;
	snprintf(rel, len, "%s", uts.release);
	return scx_mentry_xfail_shape(e, uts.release, getenv(SCX_SHAPE_ENV));
}

/*
 * The levels, their programs and arguments, and the private cgroups:
 * CG/A for the root's child A, CG/A/B for B beneath it, ...  0, 1 when
 * the cgroups cannot be made (SKIP), -errno.
 */
static int chain_setup(struct __test_metadata *const _metadata, struct mchain **chp,
		       const struct scx_cfg *run, const struct scx_mentry *e)
{
	const struct scx_mentry *l[SCX_SUB_MAX_DEPTH];
	const char *subs[SCX_SUB_MAX_DEPTH] = { NULL };
	char names[SCX_SUB_MAX_DEPTH][PATH_MAX];
	char err[SCX_ERR_LEN] = "";
	bool known = false;
	struct mlevel *lv;
	struct mchain *ch;
	int i, ret;

	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	*chp = ch;
	ch->n = chain_of(e, l);
	/* An expected failure logs a sched_ext error: no splat then, a known one neither. */
	for (i = 0; i < ch->n; i++)
		known |= known_failure(l[i], err, sizeof(err)) >= 0;
	for (i = 0; i < ch->n; i++) {
		lv = &ch->l[i];
		lv->e = l[i];
		scx_child_init(&lv->c, 0);
		lv->sr.klog.fd = -1;
		level_cfg(run, l[i], i == ch->n - 1, &lv->cfg);
		lv->cfg.splat_allow = &splat_allow;
		lv->cfg.splat_scx_errors = e->expect == SCX_SUB_ATTACHED && !known;
		ret = entry_bin(l[i], lv->bin, sizeof(lv->bin));
		if (ret) {
			TH_LOG("%s: no program: %s", l[i]->name, strerror(-ret));
			return ret;
		}
		/* Each below the one above: the kernel nests a child in its parent's cgroup. */
		if (i)
			snprintf(names[i], sizeof(names[i]), "%.1000s%s%s", i > 1 ? names[i - 1] : "",
				 i > 1 ? "/" : "", l[i]->name);
		if (i)
			subs[i - 1] = names[i];
	}
	ret = scx_cgroup_create(&ch->cg, SCX_STRESS_CGROUP, subs, err, sizeof(err));
	if (ret) {
		ksft_print_msg("%s\n", err);
		return 1;
	}
	for (i = 0; i < ch->n; i++) {
		lv = &ch->l[i];
		ret = 0;
		if (i && scx_cgroup_file(&ch->cg, NULL, names[i], lv->cgpath, sizeof(lv->cgpath)))
			ret = -ENAMETOOLONG;
		ret = ret ?: scx_args_subst(lv->args, sizeof(lv->args), lv->e->args, "{cgroup}",
					    lv->cgpath);
		lv->argv[0] = lv->bin;
		if (!ret) {
			ret = scx_args_split(lv->args, lv->argv + 1, SCX_ARGS_MAX);
			lv->argv[ret < 0 ? 1 : ret + 1] = NULL;
			ret = ret < 0 ? ret : 0;
		}
		if (ret) {
			TH_LOG("%s: arguments too long or too many", lv->e->name);
			return ret;
		}
	}
	return 0;
}

/*
 * A level above the child did not attach: the child cannot be judged.  Its
 * result says which parent failed; a known failure of that parent on this
 * kernel makes it an XFAIL.
 */
static void chain_parent_failed(struct __test_metadata *const _metadata, struct mchain *ch,
				int level, int got)
{
	const struct scx_mentry *f = ch->l[level].e, *c = ch->l[ch->n - 1].e;
	const char *key = level ? scx_sub_outcome_key(got) : scx_verdict_key(got);
	char rel[256] = "";

	snprintf(ch->last, sizeof(ch->last),
		 "verdict=parent_failed attach_ms=- level=%d parent=%s failed=%s failed_verdict=%s",
		 ch->n - 1, ch->l[ch->n - 2].e->name, f->name, key);
	printf("# result: %s\n", ch->last);
	fflush(stdout);
	if (known_failure(f, rel, sizeof(rel)) == got)
		SCX_KNOWN(KSFT_XFAIL, "parent %s: known failure on %s: %s", f->name, rel, key);
	ASSERT_TRUE(0)
		TH_LOG("%s: its parent %s (level %d) got \"%s\", not attached: the child was not started",
		       c->name, f->name, level, key);
}

static void chain_verdict(struct __test_metadata *const _metadata, struct mchain *ch)
{
	struct mlevel *root = &ch->l[0], *lv = NULL, *up;
	unsigned long long cgids[SCX_SUB_MAX_DEPTH];
	const struct scx_mentry *e = ch->l[ch->n - 1].e;
	char dir[SCX_SUB_DIR_LEN], more[4 * SCX_MANIFEST_NAME_MAX + 192], rel[256] = "";
	char detail[SCX_ERR_LEN], stats[160];
	struct scx_sub_list subs = { 0 };
	struct scx_sub_loads loads = { 0 };
	unsigned int cycle, n;
	struct scx_sysfs sys;
	struct stat st;
	int i, known;
	uint64_t *t;

	for (i = 0, more[0] = '\0'; i < ch->n; i++)
		snprintf(more + strlen(more), sizeof(more) - strlen(more), "%s%s", i ? " > " : "",
			 ch->l[i].e->name);
	ksft_print_msg("hierarchy: %s, each level beneath the one before\n", more);
	root->started = true;
	ASSERT_EQ(0, scx_run(&root->cfg, root->bin, root->argv, root->e->ops, &root->c, &root->r))
		TH_LOG("%s", root->r.detail);
	if (root->r.verdict == SCX_V_SYSFS_ABSENT)
		SKIP(return, SKIP_NO_SCX);
	if (root->r.verdict == SCX_V_BUSY)
		SKIP(return, SKIP_BUSY);
	if (root->r.verdict != SCX_V_ATTACHED)
		scx_report(stdout, &root->r, &root->c, root->bin);
	else
		scx_report_summary(stdout, &root->r);
	snprintf(more, sizeof(more), "level=0 name=%s", root->e->name);
	scx_report_result(stdout, &root->r, more);
	if (root->r.verdict != SCX_V_ATTACHED) {
		chain_parent_failed(_metadata, ch, 0, root->r.verdict);
		return;
	}
	/* No sub/ under a parent that attached: the kernel's lack, or the parent's. */
	if (!scx_sysfs_open(&sys, root->cfg.sysfs)) {
		scx_sub_read(sys.dfd, "root", &subs);
		scx_sysfs_close(&sys);
	}
	if (!subs.has_sub && !scx_sub_kernel_has("/proc/kallsyms"))
		SKIP(return, SKIP_NO_SUB);
	for (i = 1; i < ch->n; i++) {
		lv = &ch->l[i];
		up = &ch->l[i - 1];
		ASSERT_EQ(0, stat(lv->cgpath, &st));
		cgids[i - 1] = st.st_ino;
		ASSERT_EQ(0, scx_sub_dir(dir, sizeof(dir), cgids, i - 1));
		lv->started = true;
		/* Its hold runs a load in its cgroup, as a fixed sub test's does. */
		loads.child_cg = lv->cgpath;
		/* repeat=: the child attached, proved and detached N times under its parent. */
		n = i == ch->n - 1 && e->expect == SCX_SUB_ATTACHED ? lv->cfg.repeat ?: 1 : 1;
		t = calloc(n, sizeof(*t));
		ASSERT_NE(NULL, t);
		for (cycle = 1;; cycle++) {
			ASSERT_EQ(0, scx_sub_run_loaded(&lv->cfg, dir, &up->c, lv->bin, lv->argv,
							lv->e->ops, st.st_ino, &loads, &lv->c,
							&lv->sr))
				TH_LOG("%s", lv->sr.detail);
			t[cycle - 1] = lv->sr.t_attach;
			if (lv->sr.outcome != SCX_SUB_ATTACHED || cycle >= n)
				break;
			ksft_print_msg("cycle %u of %u: %s attached in %llu ms%s%s\n", cycle, n,
				       lv->e->name,
				       (unsigned long long)(lv->sr.t_attach / NSEC_PER_MSEC),
				       lv->sr.loaded ? "; its load: " : "",
				       lv->sr.loaded ? lv->sr.load_child : "");
			ASSERT_EQ(0, scx_sub_finish(&lv->cfg, &lv->c, &lv->sr, detail,
						    sizeof(detail)))
				TH_LOG("cycle %u of %u: %s", cycle, n, detail);
			scx_child_release(&lv->c, false);
			ASSERT_EQ(0, scx_child_poll(&up->c))
				TH_LOG("cycle %u of %u: %s died after its child detached", cycle, n,
				       up->e->name);
		}
		stats[0] = '\0';
		if (n > 1 && lv->sr.outcome != SCX_SUB_ATTACHED)
			ksft_print_msg("cycle %u of %u failed; the %u before it passed\n", cycle, n,
				       cycle - 1);
		else if (n > 1)
			cycle_stats(stats, sizeof(stats), t, n);
		free(t);
		snprintf(more, sizeof(more), "name=%s%s%s", lv->e->name, stats[0] ? " " : "",
			 stats);
		sub_report_of(&lv->sr, &lv->c, &(struct sub_who){
				.child = lv->e->name, .parent = up->e->name,
				.parent_key = up->e->name, .level = i,
			      }, more, ch->last, sizeof(ch->last));
		if (i < ch->n - 1 && lv->sr.outcome != SCX_SUB_ATTACHED) {
			chain_parent_failed(_metadata, ch, i, lv->sr.outcome);
			return;
		}
	}
	known = known_failure(e, rel, sizeof(rel));
	if (known >= 0 && lv->sr.outcome == known)
		SCX_KNOWN(KSFT_XFAIL, "known failure on %s: %s", rel, scx_sub_outcome_key(known));
	if (known >= 0 && lv->sr.outcome == e->expect)
		SCX_KNOWN(KSFT_XPASS, "known failure on %s (%s) now passes", rel,
			  scx_sub_outcome_key(known));
	ASSERT_EQ(e->expect, lv->sr.outcome)
		TH_LOG("%s under %s: expected \"%s\", got \"%s\"", e->name,
		       ch->l[ch->n - 2].e->name, scx_sub_outcome_name(e->expect),
		       scx_sub_outcome_name(lv->sr.outcome));
	if (e->expect == SCX_SUB_ATTACHED) {
		EXPECT_STREQ(root->r.last.ops, lv->sr.root_last.ops);
		EXPECT_EQ(lv->sr.root_before.enable_seq, lv->sr.root_last.enable_seq);
		EXPECT_EQ(0, scx_child_poll(&root->c)) TH_LOG("the root scheduler died");
	}
}

/*
 * A splat while the chain ran (the root's log window covers every level):
 * a failure, said again on the test's own result line, the last level's.
 */
static void chain_splats(struct __test_metadata *const _metadata, struct mchain *ch)
{
	struct mlevel *root = &ch->l[0];

	if (!ch->last[0]) {
		check_splats(_metadata, &root->c, &root->r, NULL);
		return;
	}
	if (!root->r.splat.count)
		return;
	scx_splat_print(stdout, &root->r.splat);
	printf("# result: %s splats=%u splat=%s\n", ch->last, root->r.splat.count,
	       scx_splat_kind_key(root->r.splat.kind));
	fflush(stdout);
	EXPECT_EQ(0, root->r.splat.count);
}

/* Children stop before parents; then the cgroups go. */
static void chain_teardown(struct __test_metadata *const _metadata, struct mchain *ch)
{
	bool keep = getenv("SCX_ATTACH_KEEP_LOGS") != NULL;
	char detail[SCX_ERR_LEN];
	struct mlevel *lv;
	siginfo_t si = { 0 };
	int i, ret;

	for (i = ch->n - 1; i > 0; i--) {
		lv = &ch->l[i];
		if (lv->started &&
		    scx_sub_finish(&lv->cfg, &lv->c, &lv->sr, detail, sizeof(detail)))
			ksft_print_msg("cleanup: %s: %s\n", lv->e->name, detail);
	}
	lv = &ch->l[0];
	if (lv->started) {
		ret = scx_finish(&lv->cfg, &lv->c, &lv->r, detail, sizeof(detail));
		if (ret)
			ksft_print_msg("cleanup: %s: %s\n", lv->e->name, detail);
		EXPECT_EQ(0, ret);
		chain_splats(_metadata, ch);
	}
	if (ch->cg.path[0])
		EXPECT_EQ(0, scx_cgroup_remove(&ch->cg, lv->cfg.grace_ms))
			TH_LOG("the children's cgroups %s would not go", ch->cg.path);
	/* Nothing it started may outlive the test. */
	ret = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) ? errno : 0;
	if (!ret)
		ksft_print_msg("a child of the test is still around: pid %d\n", si.si_pid);
	EXPECT_EQ(ECHILD, ret);
	for (i = ch->n - 1; i >= 0; i--)
		scx_child_release(&ch->l[i].c, keep);
	free(ch);
}

/* Is a variant called @name registered already? */
static bool variant_taken(const char *name)
{
	struct __fixture_variant_metadata *v;

	for (v = _scx_fixture_object.variant; v; v = v->next)
		if (!strcmp(v->name, name))
			return true;
	return false;
}

/* Register a variant at run time, as FIXTURE_VARIANT_ADD() does at build time. */
static int add_variant(const char *name, const FIXTURE_VARIANT(scx) *data)
{
	struct __fixture_variant_metadata *v = calloc(1, sizeof(*v));
	FIXTURE_VARIANT(scx) *d = malloc(sizeof(*d));
	char *copy = strdup(name);

	if (!v || !d || !copy) {
		free(copy);
		free(v);
		free(d);
		return -ENOMEM;
	}
	v->name = copy;
	*d = *data;
	v->data = d;
	__register_fixture_variant(&_scx_fixture_object, v);
	return 0;
}

/* The tree's schedulers this build knows beyond the 7.3 set above. */
static int add_tree_variants(void)
{
	int i, ret = tree_read();

	for (i = 0; !ret && i < tree_n; i++) {
		if (variant_taken(tree_lines[i].prog))
			continue;
		ret = add_variant(tree_lines[i].prog, &(FIXTURE_VARIANT(scx)){
			.prog = tree_lines[i].prog, .ops = tree_lines[i].ops,
			.expect = SCX_V_ATTACHED, .load = true, .tree = true,
		});
	}
	return ret;
}

/*
 * SCX_ATTACH_UNDER_FOREIGN=1: the user's scheduler (SCX_ATTACH_SCHED, its
 * args and ops) as a child under whatever is attached at the root.
 */
static int add_foreign_variant(void)
{
	const char *sched = getenv("SCX_ATTACH_SCHED"), *args = getenv("SCX_ATTACH_ARGS");
	const char *ops = getenv("SCX_ATTACH_OPS");
	struct __fixture_variant_metadata *v;
	FIXTURE_VARIANT(scx_sub) *d;

	if (!under_foreign() || !sched || !*sched)
		return 0;
	v = calloc(1, sizeof(*v));
	d = calloc(1, sizeof(*d));
	if (!v || !d) {
		free(v);
		free(d);
		return -ENOMEM;
	}
	*d = (FIXTURE_VARIANT(scx_sub)){
		.child = sched, .ops_c = ops, .args_c = args ? args : "",
		.expect = SCX_SUB_ATTACHED, .foreign = true,
	};
	v->name = "user_under_foreign";
	v->data = d;
	__register_fixture_variant(&_scx_sub_fixture_object, v);
	return 0;
}

/* One variant per manifest line; any error stops the run before a spawn. */
static int add_manifest_variants(const char *path, char *err, size_t errlen)
{
	struct scx_manifest *m = &manifest;
	int i, ret;

	ret = scx_manifest_load(m, path, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < m->n; i++) {
		if (variant_taken(m->e[i].name)) {
			snprintf(err, errlen, "%s:%d: name %s is taken by a built-in test: pick another",
				 path, m->e[i].line, m->e[i].name);
			return -EEXIST;
		}
		ret = add_variant(m->e[i].name, &(FIXTURE_VARIANT(scx)){ .entry = &m->e[i] });
		if (ret)
			return ret;
	}
	return 0;
}

/* Which of the four kinds of test a variant is (SCX_ATTACH_ONLY). */
static const char *group_of(const struct __fixture_variant_metadata *v)
{
	const FIXTURE_VARIANT(scx) *d = v->data;

	if (d->entry)
		return "manifest";
	if (d->tree)
		return "tree";
	return d->prog ? "fixtures" : "user";
}

static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

/* Add "-v NAME" for @v if the list names it or its group. */
static int only_add(char **nargv, int n, const struct __fixture_variant_metadata *v,
		    const char *group, const char *only)
{
	if (!in_list(only, group) && !in_list(only, v->name))
		return n;
	nargv[n++] = "-v";
	nargv[n++] = (char *)v->name;
	return n;
}

/*
 * SCX_ATTACH_ONLY=WORD[,WORD]: a word is a group (user, fixtures, tree,
 * manifest) or a test's variant name.  Each selected variant becomes the
 * harness's own filter (-v), ahead of the caller's arguments.
 */
static char **only_groups(const char *only, int *argc, char **argv, char *err, size_t errlen)
{
	struct __fixture_variant_metadata *v;
	int n = 0, i, max = *argc + 1;
	char **nargv;

	for (v = _scx_fixture_object.variant; v; v = v->next)
		max += 2;
	for (v = _scx_switch_fixture_object.variant; v; v = v->next)
		max += 2;
	for (v = _scx_sub_fixture_object.variant; v; v = v->next)
		max += 2;
	nargv = calloc(max, sizeof(*nargv));
	if (!nargv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	nargv[n++] = argv[0];
	for (v = _scx_fixture_object.variant; v; v = v->next)
		n = only_add(nargv, n, v, group_of(v), only);
	/* The scheduler switches run on the fixtures. */
	for (v = _scx_switch_fixture_object.variant; v; v = v->next)
		n = only_add(nargv, n, v, "fixtures", only);
	/* Sub-schedulers: the tree's schedulers as parent and child. */
	for (v = _scx_sub_fixture_object.variant; v; v = v->next)
		n = only_add(nargv, n, v,
			     ((const FIXTURE_VARIANT(scx_sub) *)v->data)->foreign ? "user" : "sub",
			     only);
	if (n == 1) {
		snprintf(err, errlen,
			 "SCX_ATTACH_ONLY=%.64s selects no test: use user, fixtures, tree, manifest, sub or test names (-l lists them)",
			 only);
		free(nargv);
		return NULL;
	}
	for (i = 1; i < *argc; i++)
		nargv[n++] = argv[i];
	*argc = n;
	return nargv;
}

/* Listing and help need neither privileges nor sched_ext. */
static bool only_listing(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

#ifdef FIXTURE_TEARDOWN_PARENT
/* 6.9+ harnesses: their own filters (-v, -t, -r, ...) decide what runs. */
static bool will_run(int argc, char **argv, struct __fixture_metadata *f,
		     struct __fixture_variant_metadata *v)
{
	int was = opterr;
	bool on;

	opterr = 0;	/* test_harness_run() reports bad options */
	on = test_enabled(argc, argv, f, v, f->tests);
	opterr = was;
	optind = 1;
	return on;
}
#else
/* 6.1's harness runs every test; 6.2 to 6.8 filter, and the plan counts all. */
static bool will_run(int argc, char **argv, struct __fixture_metadata *f,
		     struct __fixture_variant_metadata *v)
{
	return true;
}
#endif

/* The harness's timeout of @f's tests (one here): its variants share it. */
static void set_test_timeout(struct __fixture_metadata *f, unsigned int s)
{
	struct __test_metadata *t;

	for (t = f->tests; t; t = t->next)
		t->timeout = scx_min(s, (unsigned int)INT_MAX);
}

/* The kselftest runner's timeout for the whole binary: runner.sh exports it. */
static unsigned int runner_timeout_s(void)
{
	const char *s = getenv("kselftest_timeout");
	unsigned int n;

	return s && !scx_parse_count(s, SCX_TEST_TIMEOUT_MAX_S, &n) ? n : 0;
}

static void budget_join(struct scx_budget *all, const struct scx_budget *b)
{
	all->tests += b->tests;
	all->least_ms += b->least_ms;
	all->worst_ms += b->worst_ms;
	all->bound_s = scx_max(all->bound_s, b->bound_s);
}

/*
 * Before anything starts: bound each test by what its windows can take,
 * and say whether the run fits the kselftest runner's timeout.
 */
static void plan_time(int argc, char **argv, const struct scx_cfg *run)
{
	struct scx_budget verdict = { 0 }, sw = { 0 }, sub = { 0 }, all = { 0 };
	unsigned int runner_s = runner_timeout_s();
	struct __fixture_variant_metadata *v;
	char bin[PATH_MAX], msg[512];
	const FIXTURE_VARIANT(scx_sub) *sv;
	struct scx_cfg cfg, child, up;
	unsigned int least;

	for (v = _scx_fixture_object.variant; v; v = v->next) {
		variant_cfg(run, v->data, &cfg);
		if (!will_run(argc, argv, &_scx_fixture_object, v) ||
		    variant_skip(v->data, &cfg, bin, sizeof(bin)))
			continue;
		if (variant_child(v->data)) {
			chain_budget(run, ((const FIXTURE_VARIANT(scx) *)v->data)->entry, &verdict);
			continue;
		}
		/* Expected failures end early: only what attaches must hold. */
		least = variant_expect(v->data) == SCX_V_ATTACHED ? scx_cfg_least_ms(&cfg) : 0;
		scx_budget_add(&verdict, scx_cfg_worst_ms(&cfg), least);
	}
	/* A switch runs two schedulers one after the other, once each. */
	cfg = *run;
	cfg.repeat = 1;
	for (v = _scx_switch_fixture_object.variant; v; v = v->next) {
		if (!will_run(argc, argv, &_scx_switch_fixture_object, v) ||
		    !switch_built(v->data, bin, bin, sizeof(bin)))
			continue;
		scx_budget_add(&sw, 2ULL * scx_cfg_worst_ms(&cfg), 2ULL * scx_cfg_least_ms(&cfg));
	}
	/* A sub-scheduler test: its parent once, plainly held; its child each cycle. */
	cfg.stress_ms = 0;
	cfg.hotplug = false;
	for (v = _scx_sub_fixture_object.variant; v; v = v->next) {
		if (!will_run(argc, argv, &_scx_sub_fixture_object, v) ||
		    !sub_built(v->data, bin, bin, sizeof(bin)))
			continue;
		sv = v->data;
		child = *run;
		child.hold_ms = scx_max(run->hold_ms, sv->hold_ms);
		/* The children above it only attach, no hold. */
		up = cfg;
		up.hold_ms = 0;
		scx_budget_add(&sub, (unsigned long long)scx_cfg_worst_ms(&cfg) +
			       scx_cfg_worst_ms(&child) + sv->above * scx_cfg_worst_ms(&up),
			       (unsigned long long)scx_cfg_least_ms(&cfg) + scx_cfg_least_ms(&child) +
			       sv->above * scx_cfg_least_ms(&up));
	}
	if (verdict.tests)
		set_test_timeout(&_scx_fixture_object, run->test_timeout_s ?: verdict.bound_s);
	if (sub.tests)
		set_test_timeout(&_scx_sub_fixture_object, run->test_timeout_s ?: sub.bound_s);
	if (sw.tests)
		set_test_timeout(&_scx_switch_fixture_object, run->test_timeout_s ?: sw.bound_s);
	budget_join(&all, &verdict);
	budget_join(&all, &sw);
	budget_join(&all, &sub);
	if (!all.tests)
		return;
	if (runner_s)
		snprintf(msg, sizeof(msg), "the kselftest runner's timeout %u s", runner_s);
	else
		snprintf(msg, sizeof(msg), "no whole-run timeout (not under the kselftest runner)");
	ksft_print_msg("time: %u test%s to run: they hold at least %llu s (those that attach), take %llu s at worst; each test's harness timeout up to %u s%s; %s\n",
		       all.tests, all.tests == 1 ? "" : "s", (all.least_ms + 999) / 1000, (all.worst_ms + 999) / 1000,
		       run->test_timeout_s ?: all.bound_s,
		       run->test_timeout_s ? " (SCX_ATTACH_TEST_TIMEOUT_S)" : "", msg);
	if (!scx_budget_check(&all, runner_s, msg, sizeof(msg))) {
		fflush(stdout);
		return;
	}
	ksft_print_msg("%s\n", msg);
	ksft_print_msg("time: to run them all, raise the runner's timeout over %llu s (run_kselftest.sh --override-timeout SECS, or kselftest_override_timeout=SECS for make run_tests; %llu s covers every window at its longest), or use ./run_tests.sh (no whole-run timeout); or run fewer or shorter tests (run_tests.sh --only, --stress, --repeat, --hold)\n",
		       (all.least_ms + 999) / 1000, (all.worst_ms + 999) / 1000);
	fflush(stdout);
}

/*
 * What this run may do as it is: said once, before any test.  The SKIPs
 * and notes of the parts concerned say it again, constant.
 */
static void say_privileges(const struct scx_caps *caps, const struct scx_cfg *cfg)
{
	char names[SCX_CAP_NAMES_LEN], lacks[512] = "";
	size_t off = 0;

	if (scx_kmsg_access(cfg->kmsg, kmsg_why, sizeof(kmsg_why)))
		ksft_print_msg("kernel log: cannot read %s: failure reports lack the kernel's sched_ext lines and reasons, a rejected enable may read as \"died before attach\", kernel splats go unchecked, and the tests that check the kernel's words SKIP\n",
			       kmsg_why);
	if (caps->euid && !scx_caps_has(caps, CAP_DAC_OVERRIDE))
		off += snprintf(lacks + off, sizeof(lacks) - off, "; without uid 0 or CAP_DAC_OVERRIDE, CPU hotplug SKIPs and the stress load leaves out its cgroup moves");
	if (caps->euid && off < sizeof(lacks))
		off += snprintf(lacks + off, sizeof(lacks) - off, "; without uid 0, tests that set a sysctl SKIP");
	if (!scx_caps_has(caps, CAP_IPC_LOCK) && off < sizeof(lacks))
		off += snprintf(lacks + off, sizeof(lacks) - off, "; without CAP_IPC_LOCK, a scheduler that locks its memory (mlockall) gets RLIMIT_MEMLOCK only");
	if (!scx_caps_has(caps, CAP_SYS_NICE) && off < sizeof(lacks))
		off += snprintf(lacks + off, sizeof(lacks) - off, "; without CAP_SYS_NICE, the load and the stress load have no SCHED_FIFO reference (vCPU stalls count against the scheduler)");
	if (!off)
		return;
	scx_caps_names(caps->eff, names, sizeof(names));
	ksft_print_msg("privileges: uid %d, effective capabilities %016llx (%s)%s\n",
		       (int)caps->euid, (unsigned long long)caps->eff, names, lacks);
}

int main(int argc, char **argv)
{
	const char *manifest = getenv("SCX_ATTACH_MANIFEST");
	const char *only = getenv("SCX_ATTACH_ONLY");
	char err[SCX_ERR_LEN + PATH_MAX];
	char names[SCX_CAP_NAMES_LEN];
	struct scx_caps *caps = &suite_caps;
	struct scx_cfg cfg;
	struct stat st;
	int ret;

	/* KTAP parsers want the version line even for "1..0 # SKIP". */
	if (scx_cfg_init(&cfg, err, sizeof(err))) {
		ksft_print_header();
		ksft_exit_fail_msg("%s\n", err);
	}
	ret = add_tree_variants() ?: add_foreign_variant();
	if (!ret && manifest && *manifest)
		ret = add_manifest_variants(manifest, err, sizeof(err));
	else if (ret)
		snprintf(err, sizeof(err), "cannot add the tree's schedulers: %s", strerror(-ret));
	if (!ret && only && *only) {
		argv = only_groups(only, &argc, argv, err, sizeof(err));
		ret = argv ? 0 : -EINVAL;
	}
	if (ret) {
		ksft_print_header();
		ksft_exit_fail_msg("%s\n", err);
	}
	if (only_listing(argc, argv))
		return test_harness_run(argc, argv);
	if (scx_splat_allow_default(&splat_allow, err, sizeof(err))) {
		ksft_print_header();
		ksft_exit_fail_msg("%s\n", err);
	}

	/* Capabilities, not uid 0: bpf() checks them, in the initial user namespace. */
	ret = scx_caps_get(caps);
	if (ret || !scx_caps_can_load(caps)) {
		scx_caps_names(caps->eff, names, sizeof(names));
		ksft_print_header();
		ksft_print_msg("uid %d, effective capabilities %016llx (%s)%s\n", (int)caps->euid,
			       (unsigned long long)caps->eff, names,
			       caps->init_ns ? "" : ", in a user namespace of its own");
		ksft_exit_skip(SKIP_NO_CAPS "\n");
	}
	if (stat(cfg.sysfs, &st) || !S_ISDIR(st.st_mode)) {
		ksft_print_header();
		ksft_exit_skip(SKIP_NO_SCX "\n");
	}
	/* As non-root, a scheduler keeps only the ambient set across execve(). */
	ret = scx_caps_keep_on_exec();
	if (ret) {
		ksft_print_header();
		ksft_print_msg("raising the ambient capabilities: %s\n", strerror(-ret));
		ksft_exit_skip(SKIP_NO_AMBIENT "\n");
	}
	say_privileges(caps, &cfg);
	plan_time(argc, argv, &cfg);
	/* Schedulers must not outlive the suite, however it ends: lib/reaper.h. */
	ret = scx_suite_init();
	if (ret)
		ksft_print_msg("suite reaper incomplete (%s): a killed suite may leave a scheduler to the next run's sweep\n",
			       strerror(-ret));
	/* A killed suite's private cgroup trees (a child scheduler's), before any test. */
	ret = scx_cgroup_sweep(SCX_STRESS_CGROUP, cfg.grace_ms);
	if (ret > 0)
		ksft_print_msg("removed %d private cgroup tree(s) a killed run left behind\n", ret);
	return test_harness_run(argc, argv);
}
