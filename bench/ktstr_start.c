// SPDX-License-Identifier: GPL-2.0
/*
 * The waiter that works the way ktstr's scheduler start does (see
 * ktstr_start.h).  Reference only: the benchmark compares lib/'s evented
 * watcher against it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/proc.h"
#include "ktstr_start.h"

/* Read a sysfs attribute, trailing whitespace stripped; "" if absent. */
static void read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
}

int kt_run(const struct kt_cfg *cfg, const char *bin, char *const argv[], struct kt_result *r)
{
	char buf[4096] __attribute__((__aligned__(8)));	/* inotify events */
	char ops_path[512], state_path[512];
	struct pollfd pfd;
	uint64_t deadline;
	pid_t parent = getpid();
	int ino, ret;

	memset(r, 0, sizeof(*r));
	r->pid = -1;
	r->pidfd = -1;
	snprintf(ops_path, sizeof(ops_path), "%s/root/ops", cfg->sysfs);
	snprintf(state_path, sizeof(state_path), "%s/state", cfg->sysfs);

	r->t_spawn = scx_now_ns();
	r->pid = fork();
	if (r->pid < 0) {
		snprintf(r->err, sizeof(r->err), "fork: %s", strerror(errno));
		r->verdict = KT_ERROR;
		return -errno;
	}
	if (r->pid == 0) {
		sigset_t none;
		int fd;

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(127);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(bin, argv);
		_exit(127);
	}

	/* The gate: alive for gate_ms, or it died. */
	r->pidfd = sys_pidfd_open(r->pid, 0);
	if (r->pidfd < 0) {
		snprintf(r->err, sizeof(r->err), "pidfd_open: %s", strerror(errno));
		r->verdict = KT_ERROR;
		return -errno;
	}
	pfd = (struct pollfd){ .fd = r->pidfd, .events = POLLIN };
	ret = poll(&pfd, 1, cfg->gate_ms);
	r->wakeups++;
	r->t_gate_end = scx_now_ns();
	if (ret > 0) {
		r->verdict = KT_DIED;
		snprintf(r->err, sizeof(r->err), "died during the %u ms gate", cfg->gate_ms);
		return 0;
	}

	/* Then root/ops non-empty: inotify as a hint plus a fixed cadence. */
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino >= 0 && inotify_add_watch(ino, cfg->sysfs, IN_CREATE | IN_MOVED_TO) < 0) {
		close(ino);
		ino = -1;
	}
	deadline = r->t_gate_end + (uint64_t)cfg->deadline_ms * NSEC_PER_MSEC;
	for (;;) {
		read_file(ops_path, r->ops, sizeof(r->ops));
		if (r->ops[0]) {
			r->t_seen = scx_now_ns();
			r->verdict = KT_ATTACHED;
			/* After the timestamp: was the kernel actually done? */
			read_file(state_path, r->state_at_hit, sizeof(r->state_at_hit));
			break;
		}
		r->t_last_miss = scx_now_ns();
		if (r->t_last_miss >= deadline) {
			r->verdict = KT_TIMEOUT;
			snprintf(r->err, sizeof(r->err), "root/ops empty for %u ms after the gate",
				 cfg->deadline_ms);
			break;
		}
		pfd = (struct pollfd){ .fd = ino, .events = POLLIN };
		if (poll(&pfd, ino >= 0 ? 1 : 0, cfg->cadence_ms) > 0)
			while (read(ino, buf, sizeof(buf)) > 0)
				;
		r->wakeups++;
	}
	if (ino >= 0)
		close(ino);
	return 0;
}

int kt_stop(const struct kt_cfg *cfg, struct kt_result *r, unsigned int settle_ms,
	    uint64_t *t_kill, uint64_t *t_disabled)
{
	char state_path[512], st[32];
	uint64_t deadline;
	int ret = 0;

	snprintf(state_path, sizeof(state_path), "%s/state", cfg->sysfs);
	*t_kill = scx_now_ns();
	if (r->pid > 0) {
		kill(r->pid, SIGINT);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
		r->pid = -1;
	}
	if (r->pidfd >= 0)
		close(r->pidfd);
	r->pidfd = -1;
	deadline = *t_kill + (uint64_t)settle_ms * NSEC_PER_MSEC;
	for (;;) {
		read_file(state_path, st, sizeof(st));
		*t_disabled = scx_now_ns();
		if (!strcmp(st, "disabled"))
			break;
		if (*t_disabled >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		poll(NULL, 0, cfg->cadence_ms);
	}
	return ret;
}
