// SPDX-License-Identifier: GPL-2.0
/*
 * guard_test - SIMULATED: what a killed suite leaves (lib/suite.h), on the
 * fake sched_ext of selftest/ (no root, no sched_ext).  The same cases run
 * on the real kernel in the VM (guest-kill.sh); these pin the mechanism.
 *
 * Each test plays the kselftest harness's process tree itself:
 *   this process (owns the fake kernel thread)
 *    `- "suite"  scx_suite_init(), like scx_attach_test's main()
 *        `- "test" own process group, scx_suite_sweep() + scx_suite_guard(),
 *                  then scx_run() with a long hold window
 * and kills part of it the way a runner, a harness timeout or a user would.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/proc.h"
#include "lib/reaper.h"
#include "lib/spawn.h"
#include "lib/watch.h"
#include "selftest/fake_kernel.h"

#include "kselftest_harness.h"

static char fake_sched_path[PATH_MAX];

/* The fake scheduler as a loader that daemonizes and stays itself. */
static char wrap[PATH_MAX + 64];

FIXTURE(guard) {
	struct fake_kernel fk;
	pid_t suite;
	pid_t test;
	pid_t decoy;
	int sync[2];
	char owner[64];		/* the suite's owner tag, which its schedulers carry */
};

FIXTURE_VARIANT(guard) {
	const char *mode;	/* fake_sched mode, or "wrap" for the daemonizing loader */
	int kill_what;		/* 0: the suite, 1: the test's group, 2: both at once */
	bool decoy;		/* another run's fake_sched lives beside it */
};

FIXTURE_VARIANT_ADD(guard, suite_killed) { .mode = "healthy", .kill_what = 0 };
FIXTURE_VARIANT_ADD(guard, suite_killed_ignore_term) { .mode = "ignore-term", .kill_what = 0 };
FIXTURE_VARIANT_ADD(guard, suite_killed_daemon) { .mode = "wrap", .kill_what = 0 };
FIXTURE_VARIANT_ADD(guard, test_group_killed_daemon) { .mode = "wrap", .kill_what = 1 };
/* Nothing of the suite survives: the next suite's start must clean up. */
FIXTURE_VARIANT_ADD(guard, all_killed_daemon_next_suite) { .mode = "wrap", .kill_what = 2 };
/* A fake_sched not of this suite is not counted as left behind. */
FIXTURE_VARIANT_ADD(guard, suite_killed_decoy) { .mode = "healthy", .kill_what = 0, .decoy = true };

static void test_proc(struct fake_kernel *fk, const char *mode, int fd)
{
	char *argv[] = { fake_sched_path, fk->dir, (char *)mode, NULL };
	char *wargv[] = { "/bin/sh", wrap, fake_sched_path, fk->dir, NULL };
	char err[SCX_ERR_LEN];
	struct scx_result r;
	struct scx_child c;
	struct scx_cfg cfg;

	setpgid(0, 0);	/* as the harness's test processes do */
	scx_suite_sweep();
	if (scx_suite_guard())
		_exit(3);
	scx_cfg_init(&cfg, err, sizeof(err));
	cfg.gate_ms = 200;
	cfg.hold_ms = 60000;
	cfg.grace_ms = 500;
	cfg.uevent = false;
	strcpy(cfg.sysfs, fk->sys);
	strcpy(cfg.kmsg, fk->kmsg);
	if (write(fd, "s", 1) != 1)
		_exit(3);
	if (!strcmp(mode, "wrap"))
		scx_run(&cfg, "/bin/sh", wargv, "fake", &c, &r);
	else
		scx_run(&cfg, fake_sched_path, argv, "fake", &c, &r);
	_exit(0);
}

/* Alive, as opposed to gone or a zombie nobody has reaped yet. */
static bool alive(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/*
 * Live processes running fake_sched that carry @owner's tag: the killed
 * suite's, daemons included.  Another run's on a shared machine is not ours.
 */
static int live_fake_scheds(const char *owner)
{
	char path[300], comm[64];
	struct dirent *de;
	int n = 0, fd;
	ssize_t len;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		comm[len > 0 ? len : 0] = '\0';
		if (!strcmp(comm, "fake_sched\n") && alive(atoi(de->d_name)) &&
		    scx_proc_env_is(atoi(de->d_name), SCX_OWNER_ENV, owner))
			n++;
	}
	closedir(d);
	return n;
}

static bool state_is(struct fake_kernel *fk, const char *want)
{
	char st[32] = "";

	return !fk_state(fk, st, sizeof(st)) && !strcmp(st, want);
}

FIXTURE_SETUP(guard)
{
	char c;

	self->decoy = -1;
	if (variant->decoy) {
		/* Named fake_sched, without our owner tag, gone with us. */
		self->decoy = fork();
		ASSERT_LE(0, self->decoy);
		if (self->decoy == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			prctl(PR_SET_NAME, "fake_sched");
			for (;;)
				pause();
		}
	}
	ASSERT_EQ(0, fk_start(&self->fk));
	ASSERT_EQ(0, pipe(self->sync));
	self->suite = fork();
	ASSERT_LE(0, self->suite);
	if (self->suite == 0) {
		close(self->sync[0]);
		scx_suite_init();
		self->test = fork();
		if (self->test == 0)
			test_proc(&self->fk, variant->mode, self->sync[1]);
		/* The harness: wait for the test, then leave (atexit sweeps). */
		waitpid(self->test, NULL, 0);
		exit(0);
	}
	close(self->sync[1]);
	snprintf(self->owner, sizeof(self->owner), "%d:%llu", self->suite,
		 scx_proc_start_time(self->suite));
	ASSERT_EQ(1, read(self->sync[0], &c, 1));
	close(self->sync[0]);
}

FIXTURE_TEARDOWN(guard)
{
	pid_t d = fk_daemon_pid(&self->fk);

	if (d > 0)
		kill(d, SIGKILL);
	kill(self->suite, SIGKILL);
	waitpid(self->suite, NULL, 0);
	if (self->decoy > 0) {
		kill(self->decoy, SIGKILL);
		waitpid(self->decoy, NULL, 0);
	}
	fk_stop(&self->fk);
}

TEST_F_TIMEOUT(guard, leaves_nothing, 60)
{
	uint64_t deadline = scx_now_ns() + 10 * NSEC_PER_SEC, t_kill;
	pid_t test = 0, d;
	char p[64];
	FILE *f;

	/* Attached, and in the hold window. */
	while (!state_is(&self->fk, "enabled") && scx_now_ns() < deadline)
		usleep(20000);
	ASSERT_TRUE(state_is(&self->fk, "enabled"));
	usleep(400000);
	d = fk_daemon_pid(&self->fk);
	if (!strcmp(variant->mode, "wrap"))
		ASSERT_LT(0, d) TH_LOG("the daemon did not start");

	/* The test process: the suite's only child. */
	snprintf(p, sizeof(p), "/proc/%d/task/%d/children", self->suite, self->suite);
	f = fopen(p, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%d", &test));
	fclose(f);

	t_kill = scx_now_ns();
	if (variant->kill_what == 0 || variant->kill_what == 2)
		kill(self->suite, SIGKILL);
	if (variant->kill_what == 1 || variant->kill_what == 2)
		kill(-test, SIGKILL);	/* TEST_F_TIMEOUT */
	if (variant->kill_what != 1)
		waitpid(self->suite, NULL, 0);
	if (variant->kill_what == 2) {
		pid_t next;

		/* Init adopted the daemon: it stays attached... */
		usleep(300000);
		EXPECT_TRUE(alive(d));
		EXPECT_TRUE(state_is(&self->fk, "enabled"));
		/* ...until the next suite starts. */
		next = fork();
		ASSERT_LE(0, next);
		if (next == 0) {
			scx_suite_init();
			_exit(0);
		}
		waitpid(next, NULL, 0);
	}

	deadline = t_kill + 3 * NSEC_PER_SEC;
	while ((live_fake_scheds(self->owner) || !state_is(&self->fk, "disabled") || alive(test) ||
		(d > 0 && alive(d))) && scx_now_ns() < deadline)
		usleep(20000);
	EXPECT_EQ(0, live_fake_scheds(self->owner));
	if (self->decoy > 0)
		EXPECT_TRUE(alive(self->decoy)) TH_LOG("the decoy fake_sched was killed");
	EXPECT_TRUE(state_is(&self->fk, "disabled"));
	if (d > 0)
		EXPECT_FALSE(alive(d)) TH_LOG("daemon %d survived", d);
	EXPECT_FALSE(alive(test)) TH_LOG("test process %d survived", test);
	TH_LOG("clean %.2f s after the kill", (double)(scx_now_ns() - t_kill) / NSEC_PER_SEC);
}

int main(int argc, char **argv)
{
	FILE *f;

	if (scx_sibling_path(fake_sched_path, sizeof(fake_sched_path), "fake_sched") ||
	    access(fake_sched_path, X_OK))
		ksft_exit_fail_msg("%s missing: build it with make\n", fake_sched_path);
	/* $1 fake_sched, $2 the fake kernel's dir. */
	if (scx_sibling_path(wrap, sizeof(wrap), "daemon_wrap.sh"))
		ksft_exit_fail_msg("path of daemon_wrap.sh too long\n");
	f = fopen(wrap, "w");
	if (!f)
		ksft_exit_fail_msg("cannot write %s\n", wrap);
	fprintf(f, "\"$1\" \"$2\" daemonize\nexec sleep 100000\n");
	fclose(f);
	return test_harness_run(argc, argv);
}
