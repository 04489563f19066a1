// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: nothing a suite started outlives it.  See reaper.h.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "reaper.h"

#define SUITE_KILL_MS	2000	/* bound on killing what a test left */
#define SWEEP_MS	10	/* a dying test's processes reach us in a moment */

static pid_t suite_pid;		/* 0: scx_suite_init() not called */
static int suite_pidfd = -1;	/* inherited by every test process */

static void reap_all(void)
{
	siginfo_t si;

	do {
		memset(&si, 0, sizeof(si));
	} while (!waitid(P_ALL, 0, &si, WEXITED | WNOHANG) && si.si_pid);
}

/*
 * SIGKILL and reap every child of ours, and the daemons that then come
 * back to us as subreaper, for at most @ms.  Returns how many were killed,
 * or -errno.
 */
static int kill_children(unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	pid_t pids[SCX_PROC_MAX], seen[SCX_PROC_MAX];
	int i, n, killed = 0;

	for (;;) {
		n = scx_proc_children(getpid(), pids, SCX_PROC_MAX, true);
		if (n <= 0)
			break;
		/* A dying one is killed again each round, and counted once. */
		for (i = 0; i < n; i++)
			if (!kill(pids[i], SIGKILL))
				scx_pid_once(seen, &killed, pids[i]);
		/* Reap; a killed parent's daemons come to us (subreaper) next round. */
		reap_all();
		if (scx_now_ns() >= deadline)
			return -ETIMEDOUT;
		poll(NULL, 0, SWEEP_MS);
	}
	reap_all();
	return n < 0 ? n : killed;
}

static void suite_exit(void)
{
	/*
	 * Whatever is still our child is a leftover: a test the harness just
	 * SIGKILLed may still be dying, its daemons coming to us after it,
	 * so kill until nothing is left.  Forked tests leave with _exit().
	 */
	if (getpid() == suite_pid)
		kill_children(SUITE_KILL_MS);
}

int scx_suite_init(void)
{
	/* Strays of a suite SIGKILLed whole, before anything of ours runs. */
	scx_stray_sweep();
	suite_pid = getpid();
	scx_owner_set(suite_pid);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return -errno;
	atexit(suite_exit);
	suite_pidfd = sys_pidfd_open(suite_pid, 0);
	return suite_pidfd < 0 ? -errno : 0;
}

int scx_suite_sweep(void)
{
	uint64_t deadline = scx_now_ns() + SUITE_KILL_MS * NSEC_PER_MSEC;
	pid_t self = getpid(), parent = getppid(), pids[SCX_PROC_MAX], seen[SCX_PROC_MAX];
	int i, n, found, killed = 0;

	if (!suite_pid)
		return 0;
	/*
	 * A test the harness timed out may still be dying: its processes
	 * and daemons reach the suite only then.  Sweep until none is left.
	 */
	do {
		n = scx_proc_children(suite_pid, pids, SCX_PROC_MAX, true);
		for (i = found = 0; i < n; i++) {
			/* The calling test and the harness process it runs under. */
			if (pids[i] == self || pids[i] == parent)
				continue;
			found++;
			if (!kill(pids[i], SIGKILL))
				scx_pid_once(seen, &killed, pids[i]);
		}
		if (found)
			poll(NULL, 0, SWEEP_MS);
	} while (found && scx_now_ns() < deadline);
	return n < 0 ? n : killed;
}

static void *guard(void *arg)
{
	struct pollfd pfd = { .fd = suite_pidfd, .events = POLLIN };

	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	/* The suite is gone, killed or timed out: so is this test. */
	kill_children(SUITE_KILL_MS);
	_exit(1);
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
