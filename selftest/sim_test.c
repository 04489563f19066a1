// SPDX-License-Identifier: GPL-2.0
/*
 * sim_test - the harness's own tests, on a SIMULATED sched_ext.
 *
 * lib/ runs unchanged against a fake sysfs tree and kernel log kept by
 * fake_kernel.c (a thread replaying the sequences a real 7.3 kernel showed),
 * with fake_sched playing the scheduler.  These tests pin down the timing
 * and classification logic deterministically and without root; that lib/
 * is right on a real kernel is proven by scx_attach_test in a VM.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/proc.h"
#include "lib/report.h"
#include "lib/spawn.h"
#include "lib/sysfs.h"
#include "lib/vref.h"
#include "lib/watch.h"
#include "selftest/fake_kernel.h"

#include "kselftest_harness.h"

static char fake_sched_path[PATH_MAX];

FIXTURE(sim) {
	struct fake_kernel fk;
	struct scx_cfg cfg;
	struct scx_child child;
	struct scx_result res;
	char *argv[4];
	bool ran;
};

FIXTURE_VARIANT(sim) {
	const char *mode;
	enum scx_verdict expect;
	const char *detail;	/* must appear in the verdict's detail line */
	const char *reason;	/* must appear in the kernel's reason */
	unsigned int attach_ms;	/* CPU budget, 0: default */
	unsigned int wall_ms;	/* wall guard, 0: default */
	bool no_pidfd;		/* the pre-5.3 path: waitid() at a 50 ms cadence */
	bool capped_log;	/* output over the cap: the file stops, the tail goes on */
	bool needs_sigkill;	/* ignores SIGTERM: the stop must end in SIGKILL */
	const char *ops;	/* expected ops prefix, default "fake" */
	int restarts;		/* restarts the kernel asked for and got */
	unsigned int hold_ms;	/* 0: the default; longer where the fake kernel acts late */
	const char *hint;	/* must appear in the failure dump's hint */
	/*
	 * Restarts wait for the fake kernel's lines, which a loaded host
	 * can delay past the default 500 ms: the grace bounds that wait.
	 */
	unsigned int grace_ms;
};

/*
 * A hold that ends at the event it waits for (an exit, an ejection, a
 * re-attach that never comes) costs nothing for being long, and a loaded
 * host (load 30) delayed the fake kernel's act past 3 s.
 */
#define SIM_HOLD_TO_EVENT_MS	10000

FIXTURE_VARIANT_ADD(sim, healthy) {
	.mode = "healthy", .expect = SCX_V_ATTACHED, .detail = "fake_1.0.0",
};

/* Slow in wall time, cheap in CPU: a loaded host must not fail it. */
FIXTURE_VARIANT_ADD(sim, slow_but_healthy) {
	.mode = "slow", .expect = SCX_V_ATTACHED, .attach_ms = 300, .wall_ms = 8000,
};

/* The wall guard far off: on a loaded host 300 ms of CPU can take seconds. */
FIXTURE_VARIANT_ADD(sim, spin_cpu_budget) {
	.mode = "spin", .expect = SCX_V_TIMEOUT, .detail = "CPU budget",
	.attach_ms = 300, .wall_ms = 30000,
};

FIXTURE_VARIANT_ADD(sim, never_wall_guard) {
	.mode = "never", .expect = SCX_V_TIMEOUT, .detail = "wall-clock guard",
	.wall_ms = 1500,
};

FIXTURE_VARIANT_ADD(sim, reject_after_ops) {
	.mode = "reject", .expect = SCX_V_REJECTED, .reason = "runtime error: ops.init() failed",
};

FIXTURE_VARIANT_ADD(sim, reject_alive) {
	.mode = "reject-stay", .expect = SCX_V_REJECTED, .detail = "fell back to disabled",
};

/* Only the kernel's record tells: the files never left "disabled". */
FIXTURE_VARIANT_ADD(sim, reject_unseen) {
	.mode = "reject-unseen", .expect = SCX_V_REJECTED, .reason = "ops.init() failed",
	.wall_ms = 4000,
};

/* The fake kernel acts 0.5-0.7 s after "enabled": hold well past that. */
FIXTURE_VARIANT_ADD(sim, eject_in_hold) {
	.mode = "eject", .expect = SCX_V_EJECTED, .reason = "injected error",
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
};

FIXTURE_VARIANT_ADD(sim, die_before_attach) {
	.mode = "die-early", .expect = SCX_V_DIED_EARLY, .detail = "signal 6",
};

FIXTURE_VARIANT_ADD(sim, die_after_attach) {
	.mode = "die-after", .expect = SCX_V_DIED_AFTER, .detail = "signal 11",
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
};

FIXTURE_VARIANT_ADD(sim, exit0_at_once) {
	.mode = "exit0", .expect = SCX_V_DIED_EARLY, .detail = "exited with status 0",
};

FIXTURE_VARIANT_ADD(sim, ignore_sigterm) {
	.mode = "ignore-term", .expect = SCX_V_ATTACHED, .needs_sigkill = true,
};

FIXTURE_VARIANT_ADD(sim, daemonize) {
	.mode = "daemonize", .expect = SCX_V_DIED_EARLY, .detail = "exited with status 0",
};

FIXTURE_VARIANT_ADD(sim, healthy_no_pidfd) {
	.mode = "healthy", .expect = SCX_V_ATTACHED, .no_pidfd = true,
};

FIXTURE_VARIANT_ADD(sim, die_after_no_pidfd) {
	.mode = "die-after", .expect = SCX_V_DIED_AFTER, .detail = "signal 11", .no_pidfd = true,
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
};

/*
 * 11 MB of output before the attach: on a loaded host writing and reading it
 * took over 5 s of wall clock, so the wall guard is the harness's default
 * (3 x the CPU budget), not the simulation's short one.
 */
FIXTURE_VARIANT_ADD(sim, flood_log) {
	.mode = "flood", .expect = SCX_V_ATTACHED, .capped_log = true, .wall_ms = 30000,
};

/* A healthy scheduler, but not the one asked for: a FAIL, never a SKIP. */
FIXTURE_VARIANT_ADD(sim, wrong_name) {
	.mode = "healthy", .ops = "rusty", .expect = SCX_V_WRONG_OPS,
	.detail = "sched_ext enabled \"fake_1.0.0_gdeadbeef\" after the spawn, expected \"rusty\"",
};

/* The kernel asks for a restart (hotplug): coming back is no failure. */
FIXTURE_VARIANT_ADD(sim, restart_when_asked) {
	.grace_ms = 2000,
	.mode = "restart", .expect = SCX_V_ATTACHED, .detail = "restarted 1 time when the kernel asked",
	.restarts = 1, .hold_ms = 3000,
};

FIXTURE_VARIANT_ADD(sim, no_restart_when_asked) {
	.grace_ms = 2000,
	.mode = "no-restart", .expect = SCX_V_DIED_AFTER, .hold_ms = SIM_HOLD_TO_EVENT_MS,
	.detail = "the kernel asked it to restart (unregistered from the main kernel), and the process exited with status 0",
};

FIXTURE_VARIANT_ADD(sim, stuck_restart) {
	.grace_ms = 2000,
	.mode = "stuck-restart", .expect = SCX_V_EJECTED, .wall_ms = 1500,
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
	.detail = "did not attach again within the attach window",
};

/*
 * Every order of events the hold can see after a restart the kernel asked
 * for: the newest exit decides, and the restarts before it are counted,
 * even when the attach after a restart came and went between two looks.
 */
FIXTURE_VARIANT_ADD(sim, restart_then_error_unseen) {
	.grace_ms = 2000,
	.mode = "restart-error-unseen", .expect = SCX_V_EJECTED, .restarts = 1,
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
	.detail = "restarted 1 time, then ejected: scx_bpf_error: fake.bpf.c:42: fault: injected error after 0 ms",
	.hint = "calling scx_bpf_error() at fake.bpf.c:42",
};

/* The kernel's lines come after the process is gone. */
FIXTURE_VARIANT_ADD(sim, restart_then_error_late) {
	.grace_ms = 2000,
	.mode = "restart-error-late", .expect = SCX_V_EJECTED, .restarts = 1,
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
	.detail = "restarted 1 time, then ejected: scx_bpf_error: fake.bpf.c:42",
};

/* No kernel line for the second exit: no reason is made up. */
FIXTURE_VARIANT_ADD(sim, restart_then_error_unlogged) {
	.grace_ms = 2000,
	.mode = "restart-error-unlogged", .expect = SCX_V_DIED_AFTER, .restarts = 1,
	.detail = "restarted 1 time, then the process exited with status 0",
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
};

FIXTURE_VARIANT_ADD(sim, restart_then_eject) {
	.grace_ms = 2000,
	.mode = "restart-eject", .expect = SCX_V_EJECTED, .restarts = 1,
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
	.detail = "restarted 1 time, then ejected: runtime error: fault: injected error",
};

/* The hint follows the last exit, not what the loader said on its way back. */
FIXTURE_VARIANT_ADD(sim, restart_then_die) {
	.grace_ms = 2000,
	.mode = "restart-die", .expect = SCX_V_DIED_AFTER, .restarts = 1,
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
	.detail = "restarted 1 time, then the process was killed by signal 11",
	.hint = "# hint: the loader died while attached",
};

/* Both restarts must fall in the hold, however slow the host makes the first. */
FIXTURE_VARIANT_ADD(sim, restart_twice) {
	.grace_ms = 2000,
	.mode = "restart-twice", .expect = SCX_V_ATTACHED, .restarts = 2, .hold_ms = 8000,
	.detail = "restarted 2 times when the kernel asked",
};

FIXTURE_VARIANT_ADD(sim, restart_twice_unseen) {
	.grace_ms = 2000,
	.mode = "restart-twice-unseen", .expect = SCX_V_ATTACHED, .restarts = 2, .hold_ms = 3000,
	.detail = "restarted 2 times when the kernel asked",
};

FIXTURE_VARIANT_ADD(sim, restart_twice_then_exit) {
	.grace_ms = 2000,
	.mode = "restart-twice-exit", .expect = SCX_V_DIED_AFTER, .restarts = 1,
	.hold_ms = SIM_HOLD_TO_EVENT_MS,
	.detail = "restarted 1 time, then the kernel asked it to restart (unregistered from the main kernel), and the process exited with status 0 instead",
};

/* The last scheduler's "disabled" line, logged after the spawn, is not this one's exit. */
FIXTURE_VARIANT_ADD(sim, late_line_of_another) {
	.mode = "late-line", .expect = SCX_V_ATTACHED, .hold_ms = 2000,
};

/* A sysfs read that fails is not "loading": a death after it is no rejection. */
FIXTURE_VARIANT_ADD(sim, read_fails_then_dies) {
	.mode = "glitch-die", .expect = SCX_V_DIED_EARLY, .detail = "exited with status 1",
};

/* Nor is it a detach. */
FIXTURE_VARIANT_ADD(sim, read_fails_while_held) {
	.mode = "glitch-hold", .expect = SCX_V_ATTACHED, .hold_ms = 3000,
};

/* Quick windows: the fake kernel is quick too. */
static int sim_cfg(struct scx_cfg *cfg, const struct fake_kernel *fk)
{
	char err[SCX_ERR_LEN];
	int ret;

	ret = scx_cfg_init(cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "# %s\n", err);
		return ret;
	}
	cfg->gate_ms = 300;
	cfg->attach_ms = 10000;
	cfg->wall_ms = 5000;
	cfg->hold_ms = 800;
	cfg->grace_ms = 500;
	cfg->settle_ms = 2000;
	cfg->poll_ms = 500;
	cfg->log_cap = 64 * 1024;
	/* A real kernel's uevents have nothing to do with the fake one. */
	cfg->uevent = false;
	cfg->load = false;
	strcpy(cfg->sysfs, fk->sys);
	strcpy(cfg->kmsg, fk->kmsg);
	return 0;
}

FIXTURE_SETUP(sim)
{
	self->ran = false;
	ASSERT_EQ(0, fk_start(&self->fk));
	ASSERT_EQ(0, sim_cfg(&self->cfg, &self->fk));
	if (variant->attach_ms)
		self->cfg.attach_ms = variant->attach_ms;
	if (variant->wall_ms)
		self->cfg.wall_ms = variant->wall_ms;
	if (variant->hold_ms)
		self->cfg.hold_ms = variant->hold_ms;
	if (variant->grace_ms)
		self->cfg.grace_ms = variant->grace_ms;
	self->cfg.pidfd = !variant->no_pidfd;
	self->argv[0] = fake_sched_path;
	self->argv[1] = self->fk.dir;
	self->argv[2] = (char *)variant->mode;
	self->argv[3] = NULL;
}

FIXTURE_TEARDOWN(sim)
{
	char detail[SCX_ERR_LEN], state[32] = "";
	siginfo_t si = { 0 };
	pid_t dpid;

	if (self->ran) {
		EXPECT_EQ(0, scx_finish(&self->cfg, &self->child, &self->res, detail, sizeof(detail)))
			TH_LOG("%s", detail);
		/* Nothing may be left: no child, no zombie, no daemon. */
		EXPECT_EQ(-1, waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT));
		EXPECT_EQ(ECHILD, errno) TH_LOG("left behind: pid %d", si.si_pid);
		if (self->child.pid > 0)
			EXPECT_EQ(-1, kill(self->child.pid, 0));
		dpid = fk_daemon_pid(&self->fk);
		if (dpid > 0) {
			EXPECT_EQ(-1, kill(dpid, 0)) TH_LOG("daemon %d survived", dpid);
			EXPECT_LE(1, self->child.orphans);
		}
		/* Wait for the fake kernel to notice the link went away. */
		EXPECT_EQ(0, fk_state(&self->fk, state, sizeof(state)));
		EXPECT_STREQ("disabled", state);
		scx_child_release(&self->child, false);
	}
	fk_stop(&self->fk);
}

TEST_F_TIMEOUT(sim, verdict, 60)
{
	struct scx_result *r = &self->res;

	self->ran = true;
	ASSERT_EQ(0, scx_run(&self->cfg, fake_sched_path, self->argv, variant->ops ?: "fake",
			     &self->child, r));
	if (r->verdict != variant->expect)
		scx_report(stdout, r, &self->child, variant->mode);
	else
		scx_report_summary(stdout, r);
	ASSERT_EQ(variant->expect, r->verdict)
		TH_LOG("expected \"%s\", got \"%s\"", scx_verdict_name(variant->expect),
		       scx_verdict_name(r->verdict));
	if (variant->detail)
		EXPECT_NE(NULL, strstr(r->detail, variant->detail))
			TH_LOG("detail \"%s\" lacks \"%s\"", r->detail, variant->detail);
	if (variant->reason)
		EXPECT_NE(NULL, strstr(r->reason, variant->reason))
			TH_LOG("reason \"%s\" lacks \"%s\"", r->reason, variant->reason);
	if (variant->hint) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ASSERT_NE(NULL, f);
		scx_report(f, r, &self->child, variant->mode);
		fclose(f);
		EXPECT_NE(NULL, strstr(buf, variant->hint)) TH_LOG("%s", buf);
		free(buf);
	}

	if (r->verdict == SCX_V_ATTACHED) {
		/* Attached means the kernel's word, not root/ops alone. */
		EXPECT_EQ(SCX_STATE_ENABLED, r->last.state);
		EXPECT_LT(r->before.enable_seq, r->last.enable_seq);
		/* max(gate, attach), not gate + attach. */
		EXPECT_GE(r->t_verdict, self->cfg.gate_ms * NSEC_PER_MSEC);
		EXPECT_LE(r->t_attach, r->t_verdict);
	}
	EXPECT_EQ(variant->no_pidfd, self->child.pidfd < 0);
	EXPECT_EQ(variant->restarts, r->restarts);
	/* A fake scheduler holds no BPF link: the dump must not claim one. */
	if (r->verdict == SCX_V_WRONG_OPS)
		EXPECT_NE(NULL, strstr(r->owner, "holds no struct_ops link")) TH_LOG("%s", r->owner);
	if (variant->capped_log) {
		char tail[SCX_TAIL_LEN + 1];

		EXPECT_LE(self->child.log.logged, self->cfg.log_cap);
		EXPECT_LT(0, self->child.log.dropped);
		scx_log_tail(&self->child.log, tail, sizeof(tail));
		EXPECT_NE(NULL, strstr(tail, "done flooding"));
	}
	if (variant->needs_sigkill) {
		char detail[SCX_ERR_LEN];

		EXPECT_EQ(0, scx_finish(&self->cfg, &self->child, &self->res, detail, sizeof(detail)));
		EXPECT_EQ(CLD_KILLED, self->child.code);
		EXPECT_EQ(SIGKILL, self->child.status);
	}
}

/*
 * Runs fake_sched MODE to its end as a test does and dumps its report into
 * *buf (the caller frees it).  -1 when a step fails.
 */
static int run_and_dump(const char *mode, struct scx_result *r, char **buf)
{
	struct fake_kernel fk;
	struct scx_child c;
	struct scx_cfg cfg;
	char *argv[] = { fake_sched_path, NULL, (char *)mode, NULL };
	char detail[SCX_ERR_LEN], title[64];
	size_t len = 0;
	int ret = -1;
	FILE *f;

	if (fk_start(&fk))
		return -1;
	argv[1] = fk.dir;
	if (sim_cfg(&cfg, &fk) || scx_run(&cfg, fake_sched_path, argv, "fake", &c, r))
		goto out;
	if (scx_finish(&cfg, &c, r, detail, sizeof(detail)))
		fprintf(stderr, "# finish: %s\n", detail);
	else
		ret = 0;
	f = open_memstream(buf, &len);
	if (!f)
		ret = -1;
	else {
		snprintf(title, sizeof(title), "fake_sched %s", mode);
		scx_report(f, r, &c, title);
		fclose(f);
	}
	scx_child_release(&c, false);
out:
	fk_stop(&fk);
	return ret;
}

/* The failure dump must carry the fingerprint and the kernel's lines. */
TEST(dump_has_fingerprint_and_kernel_lines)
{
	struct scx_result r;
	char *buf = NULL;

	ASSERT_EQ(0, run_and_dump("reject", &r, &buf));
	EXPECT_NE(NULL, strstr(buf, "# verdict: rejected by the kernel: "));
	EXPECT_NE(NULL, strstr(buf, "# fingerprint: EXIT: rejected"));
	EXPECT_NE(NULL, strstr(buf, "# | sched_ext: BPF scheduler \"fake_1.0.0_gdeadbeef\" disabled (runtime error)"));
	EXPECT_NE(NULL, strstr(buf, "# hint: "));
	/* Every line is a TAP diagnostic. */
	for (char *p = buf; *p; p = strchr(p, '\n') + 1)
		ASSERT_EQ('#', *p);
	free(buf);
}

/*
 * Refused while its process lives: the loader learns it from its attach
 * call and says why on its way out.  Stopping it at once lost those words
 * (the fingerprint) on a loaded host.
 */
TEST(refused_loader_gets_its_last_words)
{
	struct scx_result r;
	char *buf = NULL;

	ASSERT_EQ(0, run_and_dump("reject-slow", &r, &buf));
	EXPECT_EQ(SCX_V_REJECTED, r.verdict);
	EXPECT_NE(NULL, strstr(r.detail, "the process exited with status 1"))
		TH_LOG("%s", r.detail);
	EXPECT_NE(NULL, strstr(buf, "# fingerprint: fake: failed to attach struct_ops"))
		TH_LOG("%s", buf);
	free(buf);
}

TEST(busy_names_the_other_scheduler)
{
	struct fake_kernel fk;
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char *argv[] = { fake_sched_path, NULL, "healthy", NULL };
	char detail[SCX_ERR_LEN];

	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	cfg.settle_ms = 300;
	argv[1] = fk.dir;
	fk_set_busy(&fk, "rusty_1.0.4");
	ASSERT_EQ(0, scx_run(&cfg, fake_sched_path, argv, "fake", &c, &r));
	EXPECT_EQ(SCX_V_BUSY, r.verdict);
	EXPECT_NE(NULL, strstr(r.detail, "rusty_1.0.4"));
	/* Nothing was started. */
	EXPECT_EQ(-1, c.pid);
	/*
	 * (reliability, SIMULATED) Cleanup does not wait for someone else's
	 * scheduler to go: that turned the busy SKIP into a FAIL on the real
	 * kernel.  The dump shows the state as seen.
	 */
	EXPECT_EQ(0, scx_finish(&cfg, &c, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	EXPECT_EQ(SCX_STATE_ENABLED, r.last.state);
	EXPECT_STREQ("rusty_1.0.4", r.last.ops);
	fk_stop(&fk);
}

/* A splat while it runs fails the test even though it stays attached. */
TEST(splat_while_attached)
{
	struct fake_kernel fk;
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char *argv[] = { fake_sched_path, NULL, "splat", NULL };
	char detail[SCX_ERR_LEN], *buf = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	argv[1] = fk.dir;
	ASSERT_EQ(0, scx_run(&cfg, fake_sched_path, argv, "fake", &c, &r));
	EXPECT_EQ(SCX_V_ATTACHED, r.verdict);
	EXPECT_EQ(0, scx_finish(&cfg, &c, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	EXPECT_EQ(1, r.splat.count);
	EXPECT_EQ(SCX_SPLAT_SOFT_LOCKUP, r.splat.kind);
	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	scx_splat_print(f, &r.splat);
	fclose(f);
	EXPECT_NE(NULL, strstr(buf, "BUG: soft lockup - CPU#1 stuck for 22s!")) TH_LOG("%s", buf);
	free(buf);
	scx_child_release(&c, false);
	fk_stop(&fk);
}

/*
 * The hold's load held back from outside (SIMULATED: no scheduler does it
 * here).  A helper process finds the load thread named @comm and stops
 * that one thread with ptrace until the test lets go; or, @comm NULL, it
 * stops the whole test process for @pause_ms, every thread and the vCPU
 * references too, as a paused or starved-for-CPU virtual machine does.
 */
#define SKIP_NO_PTRACE	"ptrace of our own threads is not allowed here"
#define SKIP_NO_FIFO	"no SCHED_FIFO reference (needs CAP_SYS_NICE)"

struct holdback {
	pid_t pid;
	int fd;		/* the test closes it: the helper lets go */
};

/* The first thread of @pid named @comm, or each of them with @fn: its tid, -1 if none. */
static pid_t find_thread(pid_t pid, const char *comm, uint64_t deadline, int (*fn)(pid_t))
{
	char dir[32], path[320], name[32];
	struct dirent *de;
	pid_t tid = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	/* Once at least, until @deadline. */
	do {
		d = opendir(dir);
		while (d && tid < 0 && (de = readdir(d))) {
			snprintf(path, sizeof(path), "%s/%s/comm", dir, de->d_name);
			if (scx_read_small_at(AT_FDCWD, path, 0, name, sizeof(name)) > 0 &&
			    !strcmp(strtok(name, "\n") ?: "", comm) &&
			    (!fn || fn(atoi(de->d_name))))
				tid = atoi(de->d_name);
		}
		if (d)
			closedir(d);
		if (tid < 0 && scx_now_ns() < deadline)
			usleep(2000);
	} while (tid < 0 && scx_now_ns() < deadline);
	return tid;
}

/* Stop thread @tid, ours to trace: 0 (keep looking), or 1 if refused. */
static int stop_thread(pid_t tid)
{
	if (ptrace(PTRACE_SEIZE, tid, 0, 0) || ptrace(PTRACE_INTERRUPT, tid, 0, 0))
		return 1;
	waitpid(tid, NULL, __WALL);
	return 0;
}

/* @and_vref: the vCPU references are stopped too, as a stalled machine stops them. */
static int holdback_start(struct holdback *hb, const char *comm, unsigned int pause_ms,
			  bool and_vref)
{
	struct pollfd pfd = { .events = POLLIN };
	pid_t parent = getpid(), tid;
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	/* Yama, where present: our helper may trace us. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
	hb->pid = fork();
	if (hb->pid < 0)
		return -errno;
	if (!hb->pid) {
		close(p[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		tid = find_thread(parent, comm ?: SCX_LOAD_COMM "_0", scx_now_ns() + 10 * NSEC_PER_SEC,
				  NULL);
		if (tid < 0)
			_exit(2);
		if (!comm) {
			usleep(300000);
			kill(parent, SIGSTOP);
			usleep(pause_ms * 1000);
			kill(parent, SIGCONT);
			_exit(0);
		}
		if (stop_thread(tid))
			_exit(3);
		if (and_vref && find_thread(parent, SCX_VREF_COMM, 0, stop_thread) > 0)
			_exit(3);
		pfd.fd = p[0];
		poll(&pfd, 1, 30000);
		/* Our tracees are let go when we exit. */
		_exit(0);
	}
	close(p[0]);
	hb->fd = p[1];
	return 0;
}

/* Let go; the helper's exit status (3: ptrace refused). */
static int holdback_end(struct holdback *hb)
{
	int st = 0;

	close(hb->fd);
	while (waitpid(hb->pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A load thread not run past the max gap, the kernel silent: starved, not ejected. */
TEST(load_thread_not_run_is_starved)
{
	struct holdback hb;
	struct fake_kernel fk;
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char *argv[] = { fake_sched_path, NULL, "healthy", NULL };
	char detail[SCX_ERR_LEN];
	int ret, hst;

	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	argv[1] = fk.dir;
	cfg.load = true;
	/* Time for the helper to find the thread on a busy host: it must stop it in the hold. */
	cfg.hold_ms = 2500;
	ASSERT_EQ(0, holdback_start(&hb, SCX_LOAD_COMM "_1", 0, false));
	ret = scx_run(&cfg, fake_sched_path, argv, "fake", &c, &r);
	hst = holdback_end(&hb);
	EXPECT_EQ(0, scx_finish(&cfg, &c, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	scx_child_release(&c, false);
	fk_stop(&fk);
	if (hst == 3)
		SKIP(return, SKIP_NO_PTRACE);
	ASSERT_EQ(0, hst) TH_LOG("the helper never found " SCX_LOAD_COMM "_1 (exit %d)", hst);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", scx_verdict_name(r.verdict), r.detail);
	scx_report_summary(stdout, &r);
	EXPECT_EQ(SCX_V_STARVED, r.verdict) TH_LOG("%s: %s", scx_verdict_name(r.verdict), r.detail);
	EXPECT_NE(NULL, strstr(r.detail, "load thread scx_load_1 (tid ")) TH_LOG("%s", r.detail);
	EXPECT_NE(NULL, strstr(r.detail, "ms and counting")) TH_LOG("%s", r.detail);
	EXPECT_TRUE(r.load.starved);
	EXPECT_EQ(1, r.load.nr_starved);
	EXPECT_LE(1, r.load.left);
}

/*
 * A load thread and the vCPU references all not run: no verdict can be
 * told, the test bed failed (scx_run's error), neither attached nor starved.
 */
TEST(load_and_reference_not_run_is_undecided)
{
	struct holdback hb;
	struct fake_kernel fk;
	struct scx_vref v;
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char *argv[] = { fake_sched_path, NULL, "healthy", NULL };
	char detail[SCX_ERR_LEN];
	int ret, hst;

	ASSERT_EQ(0, scx_vref_start(&v));
	scx_vref_stop(&v, 1000);
	if (v.why)
		SKIP(return, SKIP_NO_FIFO);
	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	argv[1] = fk.dir;
	cfg.load = true;
	cfg.grace_ms = 200;
	ASSERT_EQ(0, holdback_start(&hb, SCX_LOAD_COMM "_1", 0, true));
	ret = scx_run(&cfg, fake_sched_path, argv, "fake", &c, &r);
	hst = holdback_end(&hb);
	EXPECT_EQ(0, scx_finish(&cfg, &c, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	scx_child_release(&c, false);
	fk_stop(&fk);
	if (hst == 3)
		SKIP(return, SKIP_NO_PTRACE);
	printf("# %s\n", r.detail);
	EXPECT_EQ(-ETIMEDOUT, ret) TH_LOG("%s: %s", scx_verdict_name(r.verdict), r.detail);
	EXPECT_EQ(SCX_V_ATTACHED, r.verdict);
	EXPECT_FALSE(r.load.starved);
	EXPECT_NE(NULL, strstr(r.detail, "the machine is too slow to judge the scheduler"))
		TH_LOG("%s", r.detail);
}

/* The whole machine paused longer than the max gap: its stall is taken out, attached. */
TEST(machine_pause_is_not_starvation)
{
	struct holdback hb;
	struct fake_kernel fk;
	struct scx_vref v;
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char *argv[] = { fake_sched_path, NULL, "healthy", NULL };
	char detail[SCX_ERR_LEN];

	ASSERT_EQ(0, scx_vref_start(&v));
	scx_vref_stop(&v, 1000);
	if (v.why)
		SKIP(return, SKIP_NO_FIFO);
	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	argv[1] = fk.dir;
	cfg.load = true;
	cfg.hold_ms = 2000;
	/* Pause 3 s, over the 2 s max gap. */
	ASSERT_EQ(0, holdback_start(&hb, NULL, 3000, false));
	ASSERT_EQ(0, scx_run(&cfg, fake_sched_path, argv, "fake", &c, &r));
	EXPECT_EQ(0, holdback_end(&hb));
	EXPECT_EQ(0, scx_finish(&cfg, &c, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	scx_child_release(&c, false);
	fk_stop(&fk);
	scx_report_summary(stdout, &r);
	EXPECT_EQ(SCX_V_ATTACHED, r.verdict) TH_LOG("%s: %s", scx_verdict_name(r.verdict), r.detail);
	EXPECT_TRUE(r.load.machine);
	EXPECT_LE(2800 * NSEC_PER_MSEC, r.load.max_gap_ns);
	EXPECT_LE(2800 * NSEC_PER_MSEC, r.load.machine_ns);
}

/*
 * The kernel's watchdog ejects it (a 3.0 s wait, 3 s after the attach)
 * while every vCPU reference has been stopped since the hold began, as a
 * stalled machine stops them: the test bed's stall, not the scheduler's.
 */
TEST(watchdog_in_machine_stall_is_the_test_beds)
{
	struct holdback hb;
	struct fake_kernel fk;
	struct scx_vref v;
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char *argv[] = { fake_sched_path, NULL, "watchdog", NULL };
	char detail[SCX_ERR_LEN];
	int ret, hst;

	ASSERT_EQ(0, scx_vref_start(&v));
	scx_vref_stop(&v, 1000);
	if (v.why)
		SKIP(return, SKIP_NO_FIFO);
	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	argv[1] = fk.dir;
	/* The helper stops a load thread and, with it, the references. */
	cfg.load = true;
	cfg.hold_ms = 6000;
	ASSERT_EQ(0, holdback_start(&hb, SCX_LOAD_COMM "_1", 0, true));
	ret = scx_run(&cfg, fake_sched_path, argv, "fake", &c, &r);
	hst = holdback_end(&hb);
	EXPECT_EQ(0, scx_finish(&cfg, &c, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	scx_child_release(&c, false);
	fk_stop(&fk);
	if (hst == 3)
		SKIP(return, SKIP_NO_PTRACE);
	ASSERT_EQ(0, hst) TH_LOG("the helper never found " SCX_LOAD_COMM "_1 (exit %d)", hst);
	printf("# %s\n", r.detail);
	EXPECT_EQ(-EAGAIN, ret) TH_LOG("%s: %s", scx_verdict_name(r.verdict), r.detail);
	EXPECT_TRUE(r.stalled);
	EXPECT_TRUE(r.stall.machine);
	EXPECT_EQ(3000 * NSEC_PER_MSEC, r.stall.wait_ns);
	EXPECT_LE(1500 * NSEC_PER_MSEC, r.stall.stalled_ns);
	EXPECT_NE(NULL, strstr(r.detail, "the test bed's stall, not the scheduler's"))
		TH_LOG("%s", r.detail);
}

/* The same ejection with no stall to speak of: the scheduler's, ejected. */
TEST(watchdog_without_stall_is_ejected)
{
	struct fake_kernel fk;
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char *argv[] = { fake_sched_path, NULL, "watchdog", NULL };
	char detail[SCX_ERR_LEN];
	int ret;

	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	argv[1] = fk.dir;
	cfg.hold_ms = 5000;
	ret = scx_run(&cfg, fake_sched_path, argv, "fake", &c, &r);
	EXPECT_EQ(0, scx_finish(&cfg, &c, &r, detail, sizeof(detail))) TH_LOG("%s", detail);
	scx_child_release(&c, false);
	fk_stop(&fk);
	printf("# %s\n", r.detail);
	ASSERT_EQ(0, ret) TH_LOG("%s", r.detail);
	EXPECT_EQ(SCX_V_EJECTED, r.verdict) TH_LOG("%s: %s", scx_verdict_name(r.verdict), r.detail);
	EXPECT_NE(NULL, strstr(r.reason, "runnable task stall")) TH_LOG("%s", r.reason);
	EXPECT_TRUE(r.stalled);
	EXPECT_FALSE(r.stall.machine);
	/* The kernel's wait, logged on a line of its own, and what was measured in it. */
	EXPECT_NE(NULL, strstr(r.detail, "failed to run for 3.000s; a 3.0 s wait")) TH_LOG("%s", r.detail);
}

TEST(sysfs_absent)
{
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char err[SCX_ERR_LEN];
	char *argv[] = { fake_sched_path, NULL };

	ASSERT_EQ(0, scx_cfg_init(&cfg, err, sizeof(err)));
	strcpy(cfg.sysfs, "/nonexistent/sched_ext");
	ASSERT_EQ(0, scx_run(&cfg, fake_sched_path, argv, NULL, &c, &r));
	EXPECT_EQ(SCX_V_SYSFS_ABSENT, r.verdict);
	EXPECT_EQ(-1, c.pid);
}

/* Bad programs: a clear "spawn failed", never a hang or a crash. */
TEST(spawn_failures)
{
	const struct { const char *bin; const char *says; } bad[] = {
		{ "/nonexistent/scheduler", "No such file" },
		{ "/", "is a directory" },
		{ "/etc/passwd", "not an executable" },
	};
	struct fake_kernel fk;
	struct scx_child c;
	struct scx_result r;
	struct scx_cfg cfg;
	char *argv[2] = { NULL, NULL };
	size_t i;

	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		argv[0] = (char *)bad[i].bin;
		ASSERT_EQ(0, scx_run(&cfg, bad[i].bin, argv, NULL, &c, &r));
		EXPECT_EQ(SCX_V_SPAWN_FAILED, r.verdict);
		EXPECT_NE(NULL, strstr(r.detail, bad[i].says)) TH_LOG("%s", r.detail);
		scx_child_release(&c, false);
	}
	/* The log directory cannot be made. */
	strcpy(cfg.tmpdir, "/nonexistent/tmp");
	argv[0] = fake_sched_path;
	ASSERT_EQ(0, scx_run(&cfg, fake_sched_path, argv, NULL, &c, &r));
	EXPECT_EQ(SCX_V_SPAWN_FAILED, r.verdict);
	EXPECT_NE(NULL, strstr(r.detail, "private log directory")) TH_LOG("%s", r.detail);
	fk_stop(&fk);
}

/*
 * Stopping one scheduler stops what it left behind, and nothing else of
 * ours: not a second scheduler, not a helper child (the hotplug helper,
 * the stress load).
 */
TEST(stop_stops_only_its_own)
{
	char *argv_a[] = { fake_sched_path, NULL, "daemonize", NULL };
	char *argv_b[] = { fake_sched_path, NULL, "never", NULL };
	char err[SCX_ERR_LEN];
	struct fake_kernel fk;
	struct scx_child a, b;
	struct scx_cfg cfg;
	uint64_t deadline;
	pid_t helper, dpid;
	int status;

	ASSERT_EQ(0, fk_start(&fk));
	ASSERT_EQ(0, sim_cfg(&cfg, &fk));
	argv_a[1] = argv_b[1] = fk.dir;
	helper = fork();
	ASSERT_LE(0, helper);
	if (!helper) {
		for (;;)
			pause();
	}
	ASSERT_EQ(0, scx_spawn(&a, &cfg, fake_sched_path, argv_a, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, scx_spawn(&b, &cfg, fake_sched_path, argv_b, err, sizeof(err))) TH_LOG("%s", err);
	/* A's daemon, adopted by us once A exits. */
	deadline = scx_now_ns() + 5 * NSEC_PER_SEC;
	while (!(dpid = fk_daemon_pid(&fk)) && scx_now_ns() < deadline)
		poll(NULL, 0, 10);
	ASSERT_LT(0, dpid);
	while (!scx_child_poll(&a) && scx_now_ns() < deadline)
		poll(NULL, 0, 10);

	EXPECT_EQ(0, scx_child_stop(&a, cfg.grace_ms));
	EXPECT_EQ(1, a.orphans);
	EXPECT_EQ(-1, kill(dpid, 0)) TH_LOG("A's daemon %d survived A's stop", dpid);
	EXPECT_EQ(0, scx_child_poll(&b)) TH_LOG("B was stopped with A");
	EXPECT_EQ(0, waitpid(helper, &status, WNOHANG)) TH_LOG("the helper child was stopped with A");

	EXPECT_EQ(0, scx_child_stop(&b, cfg.grace_ms));
	EXPECT_EQ(0, b.orphans);
	kill(helper, SIGKILL);
	waitpid(helper, &status, 0);
	scx_child_release(&a, false);
	scx_child_release(&b, false);
	fk_stop(&fk);
}

/*
 * CPU hotplug on a fake cpu sysfs (cpu0, and cpu1 with an online file)
 * while a healthy fake scheduler holds, and the hotplug helper breaks: the
 * hold must end with the test bed's error, never spin or die of SIGPIPE,
 * and bring cpu1 back where it can.
 */
enum hp_break { HP_KILL_IDLE, HP_KILL_IN_WRITE, HP_REFUSE_ONLINE, HP_WRITE_HANGS };

struct hp_meddler {
	char dir[PATH_MAX];	/* the fake cpu sysfs */
	enum hp_break how;
	pthread_t th;
	pid_t helper;		/* what it found, and killed where it does */
	bool in_write;		/* the kill found the helper inside its write */
	bool done;
	bool joined;		/* by the test: the teardown must not join again */
};

static void sim_sleep_ms(unsigned int ms)
{
	poll(NULL, 0, ms);
}

static char sim_online(const char *dir)
{
	char path[PATH_MAX + 32], c = '?';
	int fd;

	snprintf(path, sizeof(path), "%s/cpu1/online", dir);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd >= 0 && read(fd, &c, 1) != 1)
		c = '?';
	if (fd >= 0)
		close(fd);
	return c;
}

/* Our child named scx_hotplug, 0 if none. */
static pid_t find_helper(void)
{
	pid_t pids[SCX_PROC_MAX];
	char path[64], comm[32];
	int i, n, fd;

	n = scx_proc_children(getpid(), pids, SCX_PROC_MAX, true);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", pids[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		comm[0] = '\0';
		if (read(fd, comm, sizeof(comm) - 1) > 0)
			comm[strcspn(comm, "\n")] = '\0';
		close(fd);
		if (!strcmp(comm, "scx_hotplug"))
			return pids[i];
	}
	return 0;
}

/* Is @pid blocked in openat() (a write to a FIFO waits there for a reader)? */
static bool in_openat(pid_t pid)
{
	char path[64], buf[64] = "";
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = '\0';
	close(fd);
	return atoi(buf) == SYS_openat;
}

/* Replace cpu1/online: a regular file holding @c, or a FIFO, or a link to /dev/full. */
static int swap_online(const char *dir, char c)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 32];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/cpu1/online", dir);
	snprintf(tmp, sizeof(tmp), "%s/cpu1/online.new", dir);
	if (c == 'F') {
		ret = mkfifo(tmp, 0600);
	} else if (c == 'X') {
		ret = symlink("/dev/full", tmp);
	} else {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ret = fd < 0 || write(fd, &c, 1) != 1 ? -1 : 0;
		if (fd >= 0)
			close(fd);
	}
	return ret ?: rename(tmp, path);
}

static void *meddle(void *arg)
{
	struct hp_meddler *m = arg;
	uint64_t deadline = scx_now_ns() + 20 * NSEC_PER_SEC;

	/* cpu1 went offline: the hold now waits for it to settle. */
	while (sim_online(m->dir) != '0' && scx_now_ns() < deadline)
		sim_sleep_ms(5);
	m->helper = find_helper();
	if (m->helper <= 0)
		return NULL;
	switch (m->how) {
	case HP_KILL_IDLE:
		kill(m->helper, SIGKILL);
		break;
	case HP_KILL_IN_WRITE:
		/* Its online write waits for a FIFO's reader: kill it there. */
		swap_online(m->dir, 'F');
		while (!(m->in_write = in_openat(m->helper)) && scx_now_ns() < deadline)
			sim_sleep_ms(5);
		swap_online(m->dir, '0');
		kill(m->helper, SIGKILL);
		break;
	case HP_REFUSE_ONLINE:
		swap_online(m->dir, 'X');
		break;
	case HP_WRITE_HANGS:
		swap_online(m->dir, 'F');
		break;
	}
	m->done = true;
	return NULL;
}

static void hp_cpus(struct __test_metadata *_metadata, char *dir)
{
	char path[PATH_MAX + 32];

	snprintf(dir, PATH_MAX, "%s/scx_cpus.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cpu0", dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/cpu1", dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, swap_online(dir, '1'));
}

static void hp_cpus_rm(const char *dir)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/cpu1/online", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cpu1/online.new", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/cpu1", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/cpu0", dir);
	rmdir(path);
	rmdir(dir);
}

FIXTURE(hp) {
	struct fake_kernel fk;
	struct scx_cfg cfg;
	struct scx_child c;
	struct scx_result r;
	struct hp_meddler m;
	char *argv[4];
	int ret;
};

FIXTURE_VARIANT(hp) {
	enum hp_break how;
	int err;		/* what scx_run() returns */
	const char *says;	/* in the detail, after the test bed's words */
	bool restored;		/* cpu1 is online again at the end */
};

FIXTURE_VARIANT_ADD(hp, helper_killed_idle) {
	.how = HP_KILL_IDLE, .err = -EPIPE, .restored = true,
	.says = "was killed by signal 9 (Killed) with cpu1 offline",
};

FIXTURE_VARIANT_ADD(hp, helper_killed_in_write) {
	.how = HP_KILL_IN_WRITE, .err = -EPIPE, .restored = true,
	.says = "was killed by signal 9 (Killed)",
};

FIXTURE_VARIANT_ADD(hp, online_refused) {
	.how = HP_REFUSE_ONLINE, .err = -ENOSPC,
	.says = "cpu1 could not go online: writing cpu1/online failed: No space left on device; cpu1 may still be offline",
};

FIXTURE_VARIANT_ADD(hp, online_write_hangs) {
	.how = HP_WRITE_HANGS, .err = -ETIMEDOUT,
	.says = "cpu1 did not go online within 3000 ms: the write to cpu1/online still blocks",
};

FIXTURE_SETUP(hp)
{
	ASSERT_EQ(0, fk_start(&self->fk));
	ASSERT_EQ(0, sim_cfg(&self->cfg, &self->fk));
	self->cfg.hotplug = true;
	self->cfg.wall_ms = 3000;
	/*
	 * The CPU's restore after a dead helper (a new helper's fork and
	 * write) is bounded by the grace: a real run's 2 s, not the sim's
	 * 0.5 s, which an ASan build on a loaded host overran.
	 */
	self->cfg.grace_ms = 2000;
	hp_cpus(_metadata, self->m.dir);
	strcpy(self->cfg.cpus, self->m.dir);
	self->m.how = variant->how;
	self->argv[0] = fake_sched_path;
	self->argv[1] = self->fk.dir;
	self->argv[2] = "healthy";
	self->argv[3] = NULL;
	ASSERT_EQ(0, pthread_create(&self->m.th, NULL, meddle, &self->m));
}

FIXTURE_TEARDOWN(hp)
{
	char detail[SCX_ERR_LEN], path[PATH_MAX + 32];
	pid_t helper;
	int fd;

	if (!self->m.joined)
		pthread_join(self->m.th, NULL);
	EXPECT_EQ(0, scx_finish(&self->cfg, &self->c, &self->r, detail, sizeof(detail)))
		TH_LOG("%s", detail);
	/* A helper stuck in its write: a reader lets it go, then it ends. */
	snprintf(path, sizeof(path), "%s/cpu1/online", self->m.dir);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd >= 0)
		close(fd);
	while ((helper = find_helper()) > 0 && !kill(helper, SIGKILL))
		waitpid(helper, NULL, 0);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	scx_child_release(&self->c, false);
	hp_cpus_rm(self->m.dir);
	fk_stop(&self->fk);
}

TEST_F_TIMEOUT(hp, test_bed_error, 30)
{
	struct scx_result *r = &self->r;

	self->ret = scx_run(&self->cfg, fake_sched_path, self->argv, "fake", &self->c, r);
	pthread_join(self->m.th, NULL);
	self->m.joined = true;
	ASSERT_TRUE(self->m.done) TH_LOG("cpu1 never went offline, or no helper was found");
	TH_LOG("returned %d: %s", self->ret, r->detail);
	EXPECT_EQ(variant->err, self->ret);
	EXPECT_NE(NULL, strstr(r->detail, "the test bed's CPU hotplug failed, not the scheduler: "));
	EXPECT_NE(NULL, strstr(r->detail, variant->says));
	if (variant->how == HP_KILL_IN_WRITE && self->m.in_write)
		EXPECT_NE(NULL, strstr(r->detail, "while cpu1 was going online"));
	if (variant->restored) {
		EXPECT_NE(NULL, strstr(r->detail, "; cpu1 is online"));
		EXPECT_EQ('1', sim_online(self->m.dir));
	}
	/* The scheduler did nothing wrong: it is still attached. */
	EXPECT_EQ(SCX_V_ATTACHED, r->verdict);
}

int main(int argc, char **argv)
{
	if (scx_sibling_path(fake_sched_path, sizeof(fake_sched_path), "fake_sched") ||
	    access(fake_sched_path, X_OK))
		ksft_exit_fail_msg("%s missing: build it with make\n", fake_sched_path);
	return test_harness_run(argc, argv);
}
