// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: take a CPU offline and back online while a scheduler runs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fork.h"
#include "hotplug.h"
#include "proc.h"

#define HELPER_EXIT_MS	1000	/* from its last fd closed to its exit */
#define HELPER_KILL_MS	100	/* a restoring helper past its time, after SIGKILL */

/* 1 online, 0 offline, -ENOENT without an online file (the boot CPU), -errno. */
static int cpu_online(const char *dir, int cpu)
{
	char path[PATH_MAX + 32], c;
	int fd, n;

	snprintf(path, sizeof(path), "%s/cpu%d/online", dir, cpu);
	/* Never block: a look, not a wait. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	n = read(fd, &c, 1);
	close(fd);
	if (n != 1)
		return n < 0 ? -errno : -EINVAL;
	return c == '1';
}

int scx_hotplug_pick(const char *dir, const char **skip)
{
	char path[PATH_MAX + 32];
	int cpu, best = -1, online = 0, with_file = 0, ret;
	struct dirent *de;
	DIR *d;

	*skip = SCX_HOTPLUG_NONE;
	d = opendir(dir);
	if (!d)
		return -ENODEV;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "cpu%d", &cpu) != 1 ||
		    strspn(de->d_name + 3, "0123456789") != strlen(de->d_name + 3))
			continue;
		ret = cpu_online(dir, cpu);
		online += ret != 0 && ret != -EACCES;	/* no file: always online */
		if (ret != 1 || !cpu)
			continue;
		with_file++;
		snprintf(path, sizeof(path), "%s/cpu%d/online", dir, cpu);
		/* The effective ids and capabilities, as the write will use. */
		if (!faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) && cpu > best)
			best = cpu;
	}
	closedir(d);
	if (online < 2)
		*skip = SCX_HOTPLUG_ONE_CPU;
	else if (with_file && best < 0)
		*skip = SCX_HOTPLUG_RO;
	else if (best >= 0)
		*skip = NULL;
	return online < 2 || best < 0 ? -ENODEV : best;
}

static int write_online(const char *path, bool online, int flags)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	if (write(fd, online ? "1" : "0", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

static volatile sig_atomic_t helper_stop;

static void helper_signal(int sig)
{
	helper_stop = sig;
}

/* The helper: one write per command, until EOF or SIGTERM; then restore. */
static void __attribute__((__noreturn__))
helper(const char *path, int cpu, int cmd, int ack, pid_t parent)
{
	struct sigaction sa = { .sa_handler = helper_signal };	/* no SA_RESTART */
	struct pollfd pfd = { .fd = cmd, .events = POLLIN };
	struct scx_hotplug_op op = { .cpu = cpu };
	sigset_t set, none;
	bool offline = false;
	char c;

	/* SIGTERM when the test dies: the CPU is put back online first. */
	if (scx_fork_setup(parent, SIGTERM, 5, false))
		_exit(1);
	setpgid(0, 0);
	prctl(PR_SET_NAME, SCX_HOTPLUG_COMM);
	/* A dead caller: the answer fails with EPIPE, and the CPU is still restored. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Blocked but while it waits or writes: a stop signal (the test's
	 * death too) interrupts even a write that blocks (a FIFO in the tests).
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (ppoll(&pfd, 1, NULL, &none) >= 0 || errno == EINTR) {
		if (helper_stop)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP)) || read(cmd, &c, 1) != 1)
			break;	/* EOF: the caller closed, or died */
		op.online = c == '1';
		op.t_start = scx_now_ns();
		sigprocmask(SIG_SETMASK, &none, NULL);
		op.err = write_online(path, op.online, 0);
		sigprocmask(SIG_SETMASK, &set, NULL);
		op.t_done = scx_now_ns();
		if (!op.err)
			offline = !op.online;
		if (write(ack, &op, sizeof(op)) != sizeof(op))
			break;
	}
	/* Never blocks here: a FIFO with no reader fails at once. */
	_exit(offline && write_online(path, true, O_NONBLOCK) ? 2 : 0);
}

void scx_hotplug_init(struct scx_hotplug *h)
{
	memset(h, 0, sizeof(*h));
	h->cpu = -1;
	h->helper = -1;
	h->pidfd = h->cmd = h->ack = -1;
}

/* Start a helper for h->cpu: its command socket and answer pipe on 3 and 4. */
static int start_helper(struct scx_hotplug *h)
{
	int cmd[2] = { -1, -1 }, ack[2] = { -1, -1 }, fd, i;
	char path[PATH_MAX + 32];
	pid_t parent = getpid();

	snprintf(path, sizeof(path), "%s/cpu%d/online", h->dir, h->cpu);
	/* A socket, not a pipe: a command to a dead helper fails with EPIPE, no SIGPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cmd) || pipe2(ack, O_CLOEXEC))
		goto fail;
	h->helper = fork();
	if (h->helper < 0)
		goto fail;
	if (!h->helper) {
		/* Only its pipes, on 3 and 4: it must not hold a runner's pipes open. */
		cmd[0] = fcntl(cmd[0], F_DUPFD, 5);
		ack[1] = fcntl(ack[1], F_DUPFD, 5);
		if (cmd[0] < 0 || ack[1] < 0 || dup2(cmd[0], 3) < 0 || dup2(ack[1], 4) < 0)
			_exit(1);
		helper(path, h->cpu, 3, 4, parent);
	}
	close(cmd[0]);
	close(ack[1]);
	h->cmd = cmd[1];
	h->ack = ack[0];
	h->pidfd = sys_pidfd_open(h->helper, 0);
	h->pending = h->reaped = false;
	return 0;
fail:
	fd = -errno;
	for (i = 0; i < 2; i++) {
		if (cmd[i] >= 0)
			close(cmd[i]);
		if (ack[i] >= 0)
			close(ack[i]);
	}
	h->helper = -1;
	return fd;
}

int scx_hotplug_open(struct scx_hotplug *h, const char *dir, const char **skip)
{
	int ret;

	scx_hotplug_init(h);
	h->cpu = scx_hotplug_pick(dir, skip);
	if (h->cpu < 0)
		return h->cpu;
	snprintf(h->dir, sizeof(h->dir), "%s", dir);
	ret = start_helper(h);
	if (ret)
		h->cpu = -1;
	return ret;
}

int scx_hotplug_request(struct scx_hotplug *h, bool online)
{
	char c = online ? '1' : '0';

	if (h->cmd < 0)
		return -EINVAL;
	if (h->pending)
		return -EBUSY;
	if (send(h->cmd, &c, 1, MSG_NOSIGNAL) != 1)
		return -errno ?: -EPIPE;
	h->pending = true;
	return 0;
}

int scx_hotplug_fd(const struct scx_hotplug *h)
{
	return h->ack;
}

/* Reap the helper by @deadline: 0, or -ETIMEDOUT while it still runs. */
static int reap_helper(struct scx_hotplug *h, uint64_t deadline)
{
	struct pollfd pfd = { .fd = h->pidfd, .events = POLLIN };
	siginfo_t si;

	while (h->helper > 0 && !h->reaped) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, h->helper, &si, WEXITED | WNOHANG)) {
			/* Someone else reaped it: how it ended is lost. */
			h->reaped = errno == ECHILD;
			h->code = h->status = 0;
			if (h->reaped)
				break;
		} else if (si.si_pid) {
			h->reaped = true;
			h->code = si.si_code;
			h->status = si.si_status;
			break;
		}
		if (scx_now_ns() >= deadline)
			return -ETIMEDOUT;
		poll(&pfd, pfd.fd >= 0, pfd.fd >= 0 ? scx_ms_until(deadline) : 10);
	}
	return 0;
}

int scx_hotplug_done(struct scx_hotplug *h, struct scx_hotplug_op *op)
{
	struct pollfd pfd = { .fd = h->ack, .events = POLLIN };
	ssize_t n;
	int ret;

	if (h->ack < 0)
		return -EINVAL;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	n = read(h->ack, op, sizeof(*op));
	if (n == sizeof(*op) && h->pending) {
		h->pending = false;
		if (!op->err)
			h->offline = !op->online;
		return 1;
	}
	if (n < 0 && errno == EINTR)
		return 0;
	/* EOF: the helper is gone (an answer to nothing: it is broken). */
	ret = n < 0 ? -errno : n == sizeof(*op) ? -EPROTO : -EPIPE;
	reap_helper(h, scx_now_ns() + HELPER_EXIT_MS * NSEC_PER_MSEC);
	return ret;
}

void scx_hotplug_describe(const struct scx_hotplug *h, char *buf, size_t len)
{
	if (!h->reaped || !h->code)
		snprintf(buf, len, "is gone");
	else if (h->code == CLD_EXITED)
		snprintf(buf, len, "exited with status %d", h->status);
	else
		snprintf(buf, len, "was killed by signal %d (%s)", h->status,
			 strsignal(h->status));
}

int scx_hotplug_wait(struct scx_hotplug *h, uint64_t deadline, struct scx_hotplug_op *op)
{
	struct pollfd pfd = { .fd = h->ack, .events = POLLIN };
	int ret;

	if (!h->pending)
		return -EINVAL;
	for (;;) {
		ret = scx_hotplug_done(h, op);
		if (ret || scx_now_ns() >= deadline)
			return ret;
		poll(&pfd, 1, scx_ms_until(deadline));
	}
}

static void close_fds(struct scx_hotplug *h)
{
	if (h->cmd >= 0)
		close(h->cmd);
	if (h->ack >= 0)
		close(h->ack);
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->pidfd = h->cmd = h->ack = -1;
}

/* The helper went without bringing the CPU back (killed, a write failed): a new one tries. */
static int restore(struct scx_hotplug *h, uint64_t deadline)
{
	struct scx_hotplug_op op;
	int ret;

	close_fds(h);
	ret = start_helper(h);
	ret = ret ?: scx_hotplug_request(h, true);
	if (!ret) {
		ret = scx_hotplug_wait(h, deadline, &op);
		ret = ret == 1 ? op.err : ret ?: -ETIMEDOUT;
	}
	if (h->cmd >= 0)
		close(h->cmd);
	h->cmd = -1;
	/* EOF: it exits; one stuck in its write goes when the write returns. */
	if (reap_helper(h, deadline)) {
		if (h->pidfd >= 0)
			sys_pidfd_send_signal(h->pidfd, SIGKILL, NULL, 0);
		reap_helper(h, scx_now_ns() + HELPER_KILL_MS * NSEC_PER_MSEC);
	}
	return ret;
}

int scx_hotplug_close(struct scx_hotplug *h, unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct scx_hotplug_op op;
	int ret = 0;

	if (h->cpu < 0 || h->helper <= 0)
		goto out;
	/* What is pending ends first, then EOF: the helper restores and exits. */
	if (h->pending)
		scx_hotplug_wait(h, deadline, &op);
	close(h->cmd);
	h->cmd = -1;
	if (reap_helper(h, deadline)) {
		/* Still writing (D state): it restores on its own, then exits. */
		ret = -ETIMEDOUT;
		goto out;
	}
	if ((h->offline || h->pending) && cpu_online(h->dir, h->cpu) != 1)
		ret = restore(h, deadline);
out:
	close_fds(h);
	scx_hotplug_init(h);
	return ret;
}
