// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: what every process the suite forks does first.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fork.h"
#include "proc.h"

/* Without close_range() (before 5.9): the fds we look at, one by one. */
#define FD_SCAN_MAX	65536

static void close_from(int fd, bool cloexec)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (!sys_close_range(fd, ~0U, cloexec ? CLOSE_RANGE_CLOEXEC : 0))
		return;
	if (max < 0 || max > FD_SCAN_MAX)
		max = FD_SCAN_MAX;
	for (; fd < max; fd++)
		if (cloexec)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		else
			close(fd);
}

int scx_fork_setup(pid_t parent, int deathsig, int fd_from, bool cloexec)
{
	sigset_t none;
	int sig;

	if (prctl(PR_SET_PDEATHSIG, deathsig))
		return -errno;
	/* It died before the line above: the signal will never come. */
	if (getppid() != parent)
		return -ESRCH;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (fd_from >= 0)
		close_from(fd_from, cloexec);
	return 0;
}
