// SPDX-License-Identifier: GPL-2.0
/*
 * hold_test - the hold's helpers on the host, without sched_ext: the stress
 * load's monitor (workers start, make progress, stop and leave nothing; a
 * worker held with SIGSTOP past the bound is reported as starved, with its
 * gap; stress-ng present and absent; nothing survives a killed owner), and
 * CPU hotplug on a simulated cpu sysfs tree.  These time the monitor and
 * the helper processes, not a scheduler: the VM runs the real ones.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/hotplug.h"
#include "lib/proc.h"
#include "lib/stress.h"
#include "lib/stress_shm.h"

#include "kselftest_harness.h"

#define SKIP_NO_STRESS_NG	"stress-ng not installed"
#define SKIP_NO_CGROUP2		"no cgroup2 mount"
#define HOST_GAP_MS		10000	/* progress, not timing, is checked on a noisy host */
/* A worker killed inside a cgroup move dies when the move ends: seconds, on some hosts. */
#define STOP_MS			10000

/* The pid of worker @idx of kind @k (a pipe pair's first side), 0 if none. */
static pid_t stress_worker(const struct scx_stress *s, enum scx_stress_kind k, int idx)
{
	int i, nr;

	if (!s->shm)
		return 0;
	nr = atomic_load_explicit(&s->shm->nr_slots, memory_order_acquire);
	for (i = 0; i < nr && i < STRESS_SLOTS; i++)
		if (s->shm->slot[i].kind == (int)k && s->shm->slot[i].idx == idx)
			return atomic_load(&s->shm->slot[i].pid);
	return 0;
}

/*
 * Wait until @deadline as hold.c does, checking as the gaps require.
 * 1: starved, 0: deadline, -errno: the load broke.
 */
static int stress_wait(struct scx_stress *s, uint64_t deadline)
{
	struct pollfd pfd = { .fd = scx_stress_fd(s), .events = POLLIN };
	struct timespec ts;
	int ret;

	for (;;) {
		ret = scx_stress_check(s);
		if (ret || scx_now_ns() >= deadline)
			return ret;
		ts = scx_ts_until(scx_min(deadline, scx_stress_next_ns(s)), ~0ULL);
		ppoll(&pfd, pfd.fd >= 0, &ts, NULL);
	}
}

/*
 * Processes of our process group (the harness gives each test its own) but
 * us and our parent (a fixture's test runs below a process of the group).
 */
static int pgrp_others(bool live_only)
{
	char buf[1024], state;
	struct dirent *de;
	int n = 0, pgrp;
	const char *p;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);

		if (pid <= 0 || pid == getpid() || pid == getppid())
			continue;
		p = scx_proc_stat(pid, buf, sizeof(buf));
		if (!p || sscanf(p, "%c %*d %d", &state, &pgrp) != 2 || pgrp != getpgrp())
			continue;
		n += !live_only || state != 'Z';
	}
	closedir(d);
	return n;
}

/*
 * SIGSTOP stress-ng's stressors in our process group: stopped, they cannot
 * act on the signal stress-ng gives them when it dies.  How many.
 */
static int stop_ng_stressors(void)
{
	char buf[1024];
	struct dirent *de;
	int n = 0, pgrp;
	const char *p;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		p = scx_proc_stat(pid, buf, sizeof(buf));
		if (!p || sscanf(p, "%*c %*d %d", &pgrp) != 1 || pgrp != getpgrp() ||
		    !strstr(buf, "(stress-ng-"))
			continue;
		n += !kill(pid, SIGSTOP);
	}
	closedir(d);
	return n;
}

/* Children of ours, zombies too. */
static int nr_children(void)
{
	pid_t pids[SCX_PROC_MAX];

	return scx_proc_children(getpid(), pids, SCX_PROC_MAX, false);
}

/* A cgroup2 mount: the unified one, or a hybrid host's. */
static const char *cgroup2_root(void)
{
	static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs sf;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roots); i++)
		if (!statfs(roots[i], &sf) && sf.f_type == 0x63677270)
			return roots[i];
	return NULL;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * NSEC_PER_MSEC };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Wait up to @ms for stress-ng's stressors to be there, and stop them.  It
 * forks and names them after it starts: on a loaded host, later than the
 * owner's first half second.  How many.
 */
static int stop_ng_stressors_within(unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	int n;

	while (!(n = stop_ng_stressors()) && scx_now_ns() < deadline)
		sleep_ms(20);
	return n;
}

/* Wait up to @ms for our process group to hold no one but us. */
static int pgrp_drained(unsigned int ms, bool live_only)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	int n;

	while ((n = pgrp_others(live_only)) > 0 && scx_now_ns() < deadline)
		sleep_ms(20);
	return n;
}

static void print_result(struct __test_metadata *_metadata, const struct scx_stress_result *r)
{
	char line[512];
	int i;

	for (i = 0; scx_stress_line(r, i, line, sizeof(line)); i++)
		TH_LOG("%s", line);
}

TEST(builtin_load_progresses_and_leaves_nothing)
{
	struct scx_stress_opts o = { .ms = 1500, .max_gap_ms = HOST_GAP_MS, .stress_ng = "" };
	int fds = scx_proc_fd_count(), k, ret;
	struct scx_stress_result r;
	struct scx_stress s;
	char err[SCX_ERR_LEN];

	o.cgroup = cgroup2_root();
	ASSERT_EQ(0, pgrp_others(false));
	ASSERT_EQ(0, scx_stress_start(&s, &o, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_GT(pgrp_others(false), 0);
	ret = stress_wait(&s, scx_now_ns() + o.ms * NSEC_PER_MSEC);
	EXPECT_EQ(0, scx_stress_stop(&s, STOP_MS, &r));
	print_result(_metadata, &r);
	EXPECT_EQ(0, ret);
	EXPECT_FALSE(r.stress_ng);
	EXPECT_EQ(0, r.err);
	EXPECT_FALSE(r.starved);
	for (k = 0; k < SCX_SK_NR; k++) {
		/* Without cgroup2 there are no movers; every other kind runs. */
		if (k == SCX_SK_CGROUP && !o.cgroup)
			continue;
		EXPECT_LT(0, r.kind[k].workers) TH_LOG("%s", scx_stress_kind_name(k));
		EXPECT_LT(0, r.kind[k].steps) TH_LOG("%s", scx_stress_kind_name(k));
	}
	EXPECT_EQ(2 * r.kind[SCX_SK_HOG].workers, r.kind[SCX_SK_PIPE].workers);
	/* Every process reaped, every fd closed, the cgroup sub-tree gone. */
	EXPECT_EQ(0, pgrp_others(false));
	EXPECT_EQ(0, nr_children());
	EXPECT_EQ(fds, scx_proc_fd_count());
	EXPECT_EQ('\0', s.cg.path[0]);
}

TEST(stopped_worker_is_starved)
{
	struct scx_stress_opts o = { .ms = 10000, .max_gap_ms = 300, .stress_ng = "" };
	struct scx_stress_result r;
	struct scx_stress s;
	char err[SCX_ERR_LEN];
	uint64_t t0;
	pid_t pid;

	ASSERT_EQ(0, scx_stress_start(&s, &o, err, sizeof(err))) TH_LOG("%s", err);
	/* Its first step: then it is running. */
	t0 = scx_now_ns();
	while (!(pid = stress_worker(&s, SCX_SK_HOG, 0)) && scx_now_ns() < t0 + NSEC_PER_SEC)
		sleep_ms(10);
	ASSERT_LT(0, pid);
	sleep_ms(200);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	/* The monitor sees it go over the bound while it is still stopped. */
	EXPECT_EQ(1, stress_wait(&s, scx_now_ns() + 5 * NSEC_PER_SEC));
	EXPECT_TRUE(s.res.starved_open);
	sleep_ms(1200);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	sleep_ms(200);
	EXPECT_EQ(0, scx_stress_stop(&s, STOP_MS, &r));
	print_result(_metadata, &r);
	ASSERT_TRUE(r.starved);
	EXPECT_EQ(SCX_SK_HOG, r.starved_kind);
	EXPECT_EQ(0, r.starved_idx);
	EXPECT_EQ(pid, r.starved_pid);
	/* Stopped for 1.2 s and more: its own step after SIGCONT closed the gap. */
	EXPECT_FALSE(r.starved_open);
	EXPECT_LE(1200 * NSEC_PER_MSEC, r.starved_raw_ns);
	EXPECT_GE(r.starved_raw_ns, r.starved_ns);
	EXPECT_LE(1, r.nr_starved);
	EXPECT_EQ(0, pgrp_others(false));
}

/*
 * A leader that cannot run at the stop (a starving scheduler parks it): the
 * stop kills its workers and leaves it alive to reap them; it is reaped
 * once it runs again (the scheduler's stop), and nothing comes to us.
 */
TEST(held_back_leader_is_reaped_after_the_stop)
{
	struct scx_stress_opts o = { .ms = 10000, .max_gap_ms = HOST_GAP_MS, .stress_ng = "" };
	struct scx_stress_result r;
	struct scx_stress s;
	char err[SCX_ERR_LEN];
	siginfo_t si = { 0 };
	uint64_t t0;
	pid_t leader;

	ASSERT_EQ(0, scx_stress_start(&s, &o, err, sizeof(err))) TH_LOG("%s", err);
	t0 = scx_now_ns();
	while (!stress_worker(&s, SCX_SK_HOG, 0) && scx_now_ns() < t0 + NSEC_PER_SEC)
		sleep_ms(10);
	leader = s.leader;
	ASSERT_EQ(0, kill(leader, SIGSTOP));
	EXPECT_EQ(-ETIMEDOUT, scx_stress_stop(&s, 300, &r));
	ASSERT_EQ(leader, r.leader);
	ASSERT_EQ(0, kill(leader, SIGCONT));
	EXPECT_EQ(0, scx_stress_reap(&r, 5000));
	EXPECT_EQ(-1, r.leader);
	EXPECT_EQ(-1, r.leader_pidfd);
	EXPECT_NE(0, waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT));
	EXPECT_EQ(ECHILD, errno);
	EXPECT_EQ(0, pgrp_others(false));
}

TEST(stress_ng_absent_means_builtin)
{
	struct scx_stress_opts o = { .ms = 500, .max_gap_ms = HOST_GAP_MS,
				     .stress_ng = "/nonexistent/stress-ng" };
	struct scx_stress_result r;
	struct scx_stress s;
	char err[SCX_ERR_LEN];

	ASSERT_EQ(0, scx_stress_start(&s, &o, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, stress_wait(&s, scx_now_ns() + o.ms * NSEC_PER_MSEC));
	EXPECT_EQ(0, scx_stress_stop(&s, STOP_MS, &r));
	print_result(_metadata, &r);
	EXPECT_FALSE(r.stress_ng);
	EXPECT_NE(NULL, strstr(r.load, "built-in"));
	EXPECT_NE(NULL, strstr(r.notes, "no stress-ng at /nonexistent/stress-ng"));
	EXPECT_LT(0, r.kind[SCX_SK_HOG].steps);
	EXPECT_EQ(0, pgrp_others(false));
}

TEST(stress_ng_present)
{
	struct scx_stress_opts o = { .ms = 2500, .max_gap_ms = HOST_GAP_MS };
	int fds = scx_proc_fd_count(), ret;
	struct scx_stress_result r;
	struct scx_stress s;
	char err[SCX_ERR_LEN];

	o.cgroup = cgroup2_root();
	ASSERT_EQ(0, scx_stress_start(&s, &o, err, sizeof(err))) TH_LOG("%s", err);
	if (!s.res.stress_ng) {
		scx_stress_stop(&s, STOP_MS, &r);
		SKIP(return, SKIP_NO_STRESS_NG);
	}
	ret = stress_wait(&s, scx_now_ns() + o.ms * NSEC_PER_MSEC);
	EXPECT_EQ(0, scx_stress_stop(&s, STOP_MS, &r));
	print_result(_metadata, &r);
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(r.stress_ng);
	EXPECT_EQ(0, r.err);
	/* Stopped by us, before its own --timeout. */
	EXPECT_EQ(-1, r.ng_status);
	EXPECT_NE(NULL, strstr(r.ng_tail, "stress-ng"));
	/* Next to it, only our probes, fork/exec churn and cgroup movers. */
	EXPECT_LT(0, r.kind[SCX_SK_PROBE].steps);
	EXPECT_EQ(0, r.kind[SCX_SK_HOG].workers);
	EXPECT_EQ(0, pgrp_drained(0, false));
	EXPECT_EQ(fds, scx_proc_fd_count());
}

/*
 * A cgroup of the test's own to make the load's tree under: any run's
 * scx_cgroup_create() sweeps dead owners' trees off the mount, so a killed
 * owner's tree at the top level may be gone before the test can look.
 * Named as scx_cgroup_create() names them: if the harness kills the test,
 * the next run's sweep removes it.
 */
FIXTURE(private_cgroup) {
	char root[PATH_MAX];
};

FIXTURE_SETUP(private_cgroup)
{
	const char *cg = cgroup2_root();

	self->root[0] = '\0';
	if (!cg)
		return;
	snprintf(self->root, sizeof(self->root), "%s/" SCX_CGROUP_PREFIX "%d-%llu.XXXXXX", cg,
		 getpid(), scx_proc_start_time(getpid()));
	ASSERT_NE(NULL, mkdtemp(self->root)) TH_LOG("mkdir under %s: %s", cg, strerror(errno));
}

FIXTURE_TEARDOWN(private_cgroup)
{
	if (!self->root[0])
		return;
	scx_cgroup_sweep(self->root, STOP_MS);
	rmdir(self->root);
}

/* SIGKILL the stress load's owner mid-run: nothing of it may live on. */
TEST_F(private_cgroup, killed_owner_leaves_nothing)
{
	const char *cg = self->root[0] ? self->root : NULL;
	struct pollfd pfd;
	char c = 0, path[PATH_MAX];
	int p[2], status;
	pid_t owner;

	ASSERT_EQ(0, pipe(p));
	owner = fork();
	ASSERT_LE(0, owner);
	if (!owner) {
		struct scx_stress_opts o = { .ms = 60000, .max_gap_ms = HOST_GAP_MS, .cgroup = cg };
		char err[SCX_ERR_LEN];
		struct scx_stress s;

		if (scx_stress_start(&s, &o, err, sizeof(err)))
			_exit(1);
		stress_wait(&s, scx_now_ns() + 500 * NSEC_PER_MSEC);
		c = s.res.stress_ng ? 'N' : 'B';
		if (write(p[1], &c, 1) != 1 || write(p[1], s.cg.path, sizeof(s.cg.path)) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ(1, read(p[0], &c, 1));
	ASSERT_EQ(sizeof(path), read(p[0], path, sizeof(path)));
	TH_LOG("load: %s, cgroup: %s", c == 'N' ? "stress-ng" : "built-in", path[0] ? path : "none");
	/* The owner, the leader, the workers (and stress-ng's). */
	EXPECT_LT(10, pgrp_others(true));
	/* Stopped ones too: SIGKILL reaches them, stress-ng's own stop does not. */
	if (c == 'N')
		EXPECT_LT(0, stop_ng_stressors_within(10000));
	ASSERT_EQ(0, kill(owner, SIGKILL));
	ASSERT_EQ(owner, waitpid(owner, &status, 0));
	EXPECT_EQ(0, pgrp_drained(10000, true));
	close(p[0]);

	/* Its cgroup sub-tree is left to the next run, which removes it. */
	if (!cg)
		SKIP(return, SKIP_NO_CGROUP2);
	EXPECT_EQ(0, access(path, F_OK));
	EXPECT_LE(1, scx_cgroup_sweep(cg, STOP_MS));
	EXPECT_NE(0, access(path, F_OK));
}

/* A fake cpu sysfs: cpu0 without an online file, cpu1..@n-1 with one. */
static void fake_cpus(struct __test_metadata *_metadata, char *dir, int n, bool files)
{
	char path[PATH_MAX + 32];
	int i, fd;

	snprintf(dir, PATH_MAX, "%s/scx_cpus.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cpuidle", dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/cpu%d", dir, i);
		ASSERT_EQ(0, mkdir(path, 0755));
		if (!i || !files)
			continue;
		snprintf(path, sizeof(path), "%s/cpu%d/online", dir, i);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		ASSERT_LE(0, fd);
		ASSERT_EQ(2, write(fd, "1\n", 2));
		close(fd);
	}
}

static void rm_fake(const char *dir, int n)
{
	char path[PATH_MAX + 32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/cpu%d/online", dir, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/cpu%d", dir, i);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/cpuidle", dir);
	rmdir(path);
	rmdir(dir);
}

static char online_of(const char *dir, int cpu)
{
	char path[PATH_MAX + 32], c = '?';
	int fd;

	snprintf(path, sizeof(path), "%s/cpu%d/online", dir, cpu);
	fd = open(path, O_RDONLY);
	if (fd >= 0 && read(fd, &c, 1) != 1)
		c = '?';
	close(fd);
	return c;
}

TEST(hotplug_skip_reasons)
{
	char dir[PATH_MAX];
	const char *skip;

	fake_cpus(_metadata, dir, 1, true);
	EXPECT_EQ(-ENODEV, scx_hotplug_pick(dir, &skip));
	EXPECT_STREQ(SCX_HOTPLUG_ONE_CPU, skip);
	rm_fake(dir, 1);

	fake_cpus(_metadata, dir, 4, false);
	EXPECT_EQ(-ENODEV, scx_hotplug_pick(dir, &skip));
	EXPECT_STREQ(SCX_HOTPLUG_NONE, skip);
	rm_fake(dir, 4);

	fake_cpus(_metadata, dir, 4, true);
	EXPECT_EQ(3, scx_hotplug_pick(dir, &skip));
	EXPECT_EQ(NULL, skip);
	rm_fake(dir, 4);
}

TEST(hotplug_offline_online_and_restore)
{
	struct scx_hotplug_op op;
	struct scx_hotplug h;
	char dir[PATH_MAX];
	const char *skip;
	int fds = scx_proc_fd_count();

	fake_cpus(_metadata, dir, 3, true);
	ASSERT_EQ(0, scx_hotplug_open(&h, dir, &skip));
	EXPECT_EQ(2, h.cpu);
	ASSERT_EQ(0, scx_hotplug_request(&h, false));
	EXPECT_EQ(-EBUSY, scx_hotplug_request(&h, true));
	ASSERT_EQ(1, scx_hotplug_wait(&h, scx_now_ns() + 5 * NSEC_PER_SEC, &op));
	EXPECT_EQ(0, op.err);
	EXPECT_FALSE(op.online);
	EXPECT_EQ(2, op.cpu);
	EXPECT_LE(op.t_start, op.t_done);
	EXPECT_EQ('0', online_of(dir, 2));
	ASSERT_EQ(0, scx_hotplug_request(&h, true));
	ASSERT_EQ(1, scx_hotplug_wait(&h, scx_now_ns() + 5 * NSEC_PER_SEC, &op));
	EXPECT_EQ('1', online_of(dir, 2));

	/* Offline when closed: the helper brings it back before it exits. */
	ASSERT_EQ(0, scx_hotplug_request(&h, false));
	ASSERT_EQ(1, scx_hotplug_wait(&h, scx_now_ns() + 5 * NSEC_PER_SEC, &op));
	EXPECT_EQ('0', online_of(dir, 2));
	EXPECT_EQ(0, scx_hotplug_close(&h, 5000));
	EXPECT_EQ('1', online_of(dir, 2));
	EXPECT_EQ(fds, scx_proc_fd_count());
	EXPECT_EQ(0, nr_children());
	rm_fake(dir, 3);
}

/* Its owner SIGKILLed with the CPU offline: the helper brings it back. */
TEST(hotplug_restored_when_owner_killed)
{
	uint64_t deadline;
	char dir[PATH_MAX], c;
	int p[2], status;
	pid_t owner;

	fake_cpus(_metadata, dir, 2, true);
	ASSERT_EQ(0, pipe(p));
	owner = fork();
	ASSERT_LE(0, owner);
	if (!owner) {
		struct scx_hotplug_op op;
		struct scx_hotplug h;
		const char *skip;

		if (scx_hotplug_open(&h, dir, &skip) || scx_hotplug_request(&h, false) ||
		    scx_hotplug_wait(&h, scx_now_ns() + 5 * NSEC_PER_SEC, &op) != 1)
			_exit(1);
		c = 'R';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	close(p[0]);
	EXPECT_EQ('0', online_of(dir, 1));
	ASSERT_EQ(0, kill(owner, SIGKILL));
	ASSERT_EQ(owner, waitpid(owner, &status, 0));
	deadline = scx_now_ns() + 5 * NSEC_PER_SEC;
	while (online_of(dir, 1) != '1' && scx_now_ns() < deadline)
		sleep_ms(10);
	EXPECT_EQ('1', online_of(dir, 1));
	rm_fake(dir, 2);
}

TEST_HARNESS_MAIN
