// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: nothing a suite started outlives it.  See suite.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spawn.h"
#include "suite.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

#define SUITE_KILL_MS	2000	/* bound on killing what a test left */
#define SUITE_MAX	64

static pid_t suite_pid;		/* 0: scx_suite_init() not called */
static int suite_pidfd = -1;	/* inherited by every test process */
static char suite_tag[48];	/* SCX_ATTACH_OWNER of the suite */

/* Field 22 of /proc/PID/stat: start time in ticks since boot, 0 if gone. */
static unsigned long long start_time(pid_t pid)
{
	unsigned long long t = 0;
	const char *p;
	char buf[1024];

	p = scx_proc_stat(pid, buf, sizeof(buf));
	/* state is field 3; 18 more, then the start time. */
	if (!p || sscanf(p, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s"
			 " %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu", &t) != 1)
		return 0;
	return t;
}

static void make_tag(char *buf, size_t len, pid_t pid)
{
	snprintf(buf, len, "%d:%llu", pid, start_time(pid));
}

const char *scx_owner_tag(void)
{
	static char tag[48];

	if (suite_pid)
		return suite_tag;
	make_tag(tag, sizeof(tag), getpid());
	return tag;
}

/* The owner tag in @pid's environment, if any; false for kernel threads. */
static bool owner_of(const char *pid, pid_t *owner, unsigned long long *start)
{
	static char env[65536];
	const char *p, *end;
	char path[300];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, env, sizeof(env) - 1);
	close(fd);
	if (len <= 0)
		return false;
	env[len] = '\0';
	for (p = env, end = env + len; p < end; p += strlen(p) + 1) {
		if (!strncmp(p, SCX_OWNER_ENV "=", sizeof(SCX_OWNER_ENV)))
			return sscanf(p + sizeof(SCX_OWNER_ENV), "%d:%llu", owner, start) == 2;
	}
	return false;
}

int scx_stray_sweep(void)
{
	unsigned long long start;
	int ret, killed = 0;
	struct dirent *de;
	pid_t owner;
	DIR *d;

	ret = scx_proc_ours();
	if (ret)
		return ret;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || atoi(de->d_name) == getpid())
			continue;
		if (!owner_of(de->d_name, &owner, &start))
			continue;
		/* Its owner lives (same pid, same start), or is unknown: keep it. */
		if (!start || start_time(owner) == start)
			continue;
		killed += !kill(atoi(de->d_name), SIGKILL);
	}
	closedir(d);
	return killed;
}

static void suite_exit(void)
{
	/*
	 * Whatever is still our child is a leftover: a test the harness just
	 * SIGKILLed may still be dying, its daemons coming to us after it,
	 * so kill until nothing is left.  Forked tests leave with _exit().
	 */
	if (getpid() == suite_pid)
		scx_kill_children(SUITE_KILL_MS);
}

int scx_suite_init(void)
{
	/* Strays of a suite SIGKILLed whole, before anything of ours runs. */
	scx_stray_sweep();
	suite_pid = getpid();
	make_tag(suite_tag, sizeof(suite_tag), suite_pid);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return -errno;
	atexit(suite_exit);
	suite_pidfd = syscall(__NR_pidfd_open, suite_pid, 0);
	return suite_pidfd < 0 ? -errno : 0;
}

int scx_suite_sweep(void)
{
	uint64_t deadline = scx_now_ns() + SUITE_KILL_MS * NSEC_PER_MSEC;
	pid_t self = getpid(), parent = getppid(), pids[SUITE_MAX], seen[64];
	int i, n, found, killed = 0;

	if (!suite_pid)
		return 0;
	/*
	 * A test the harness timed out may still be dying: its processes
	 * and daemons reach the suite only then.  Sweep until none is left.
	 */
	do {
		n = scx_proc_children(suite_pid, pids, SUITE_MAX, true);
		for (i = found = 0; i < n; i++) {
			/* The calling test and the harness process it runs under. */
			if (pids[i] == self || pids[i] == parent)
				continue;
			found++;
			if (!kill(pids[i], SIGKILL))
				scx_pid_once(seen, &killed, pids[i]);
		}
		if (found)
			poll(NULL, 0, 10);
	} while (found && scx_now_ns() < deadline);
	return n < 0 ? n : killed;
}

static void *guard(void *arg)
{
	struct pollfd pfd = { .fd = suite_pidfd, .events = POLLIN };

	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	/* The suite is gone, killed or timed out: so is this test. */
	scx_kill_children(SUITE_KILL_MS);
	_exit(1);
	return NULL;
}

int scx_suite_guard(void)
{
	sigset_t all, old;
	pthread_attr_t at;
	pthread_t th;
	int ret;

	if (suite_pidfd < 0 || getpid() == suite_pid)
		return -EINVAL;
	/* Signals stay the test's: the guard thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	ret = -pthread_create(&th, &at, guard, NULL);
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}
