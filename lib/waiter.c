// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: sleep until sched_ext or the scheduler may have news.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "waiter.h"

#define PIDLESS_CADENCE_MS	50	/* no pidfd: waitid() is our only news */
/*
 * With the uevent socket and the pidfd both live, an attach or a detach
 * (the uevent) and a death (the pidfd) wake us by themselves, and a
 * rejected enable whose loader lives on by its kernel log record: the
 * fallback is left with the CPU budget and what a lost record would hide.
 * Look that many times less often then.
 */
#define LIVE_CADENCE_FACTOR	4

void scx_waiter_watch_kmsg(struct scx_waiter *w, struct scx_kmsg *k)
{
	struct stat st;

	w->klog = NULL;
	if (k && k->fd >= 0 && !fstat(k->fd, &st) && S_ISCHR(st.st_mode))
		w->klog = k;
}

static void ino_drain(int fd)
{
	/* Contents do not matter: any event is only a reason to look. */
	char buf[4096] __attribute__((__aligned__(8)));

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int scx_waiter_open(struct scx_waiter *w, const struct scx_cfg *cfg, struct scx_child *c)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->c = c;
	w->uev_fd = w->ino_fd = -1;
	w->aux[0] = w->aux[1] = -1;
	ret = scx_sysfs_open(&w->sys, cfg->sysfs);
	if (ret)
		return ret;
	if (cfg->uevent)
		w->uev_fd = scx_uevent_open();
	/* Not IN_OPEN/IN_ACCESS: our own reads would wake us. */
	w->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ino_fd >= 0 &&
	    inotify_add_watch(w->ino_fd, cfg->sysfs,
			      IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM |
			      IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB) < 0) {
		close(w->ino_fd);
		w->ino_fd = -1;
	}
	return 0;
}

void scx_waiter_close(struct scx_waiter *w)
{
	if (w->uev_fd >= 0)
		close(w->uev_fd);
	if (w->ino_fd >= 0)
		close(w->ino_fd);
	w->uev_fd = w->ino_fd = -1;
	scx_sysfs_close(&w->sys);
}

enum scx_wake scx_waiter_wait(struct scx_waiter *w, uint64_t deadline)
{
	int n = 0, i_pid = -1, i_out = -1, i_uev = -1, i_ino = -1, i_aux = -1, i_log = -1, i;
	uint64_t cadence = w->cfg->poll_ms;
	enum scx_wake wake = SCX_WAKE_TIMER;
	struct scx_child *c = w->c;
	struct pollfd pfd[7];
	struct timespec ts;

	if (c && !c->exited) {
		if (c->pidfd >= 0) {
			i_pid = n;
			pfd[n++] = (struct pollfd){ .fd = c->pidfd, .events = POLLIN };
			if (w->uev_fd >= 0)
				cadence *= LIVE_CADENCE_FACTOR;
		} else {
			cadence = scx_min(cadence, PIDLESS_CADENCE_MS);
		}
	}
	if (c && c->log.out_fd >= 0) {
		i_out = n;
		pfd[n++] = (struct pollfd){ .fd = c->log.out_fd, .events = POLLIN };
	}
	if (w->uev_fd >= 0) {
		i_uev = n;
		pfd[n++] = (struct pollfd){ .fd = w->uev_fd, .events = POLLIN };
	}
	if (w->ino_fd >= 0) {
		i_ino = n;
		pfd[n++] = (struct pollfd){ .fd = w->ino_fd, .events = POLLIN };
	}
	if (w->klog && w->klog->fd >= 0) {
		i_log = n;
		pfd[n++] = (struct pollfd){ .fd = w->klog->fd, .events = POLLIN };
	}
	for (i = 0; i < 2; i++) {
		if (w->aux[i] < 0)
			continue;
		i_aux = i_aux < 0 ? n : i_aux;
		pfd[n++] = (struct pollfd){ .fd = w->aux[i], .events = POLLIN };
	}

	/* ppoll(): a verdict due at the gate deadline should not round up. */
	ts = scx_ts_until(deadline, cadence * NSEC_PER_MSEC);
	if (ppoll(pfd, n, &ts, NULL) <= 0)
		return SCX_WAKE_TIMER;

	/* Most telling source last; drain every ready one regardless. */
	if (i_out >= 0 && pfd[i_out].revents) {
		scx_log_drain(&c->log);
		wake = SCX_WAKE_OUTPUT;
	}
	if (i_ino >= 0 && pfd[i_ino].revents) {
		ino_drain(w->ino_fd);
		wake = SCX_WAKE_INOTIFY;
	}
	if (i_log >= 0 && pfd[i_log].revents) {
		scx_kmsg_collect(w->klog);
		wake = SCX_WAKE_KMSG;
	}
	/* The caller reads its own fds: only say they woke us. */
	for (i = i_aux; i >= 0 && i < n; i++)
		if (pfd[i].revents)
			wake = SCX_WAKE_AUX;
	if (i_pid >= 0 && pfd[i_pid].revents)
		wake = SCX_WAKE_PIDFD;
	if (i_uev >= 0 && pfd[i_uev].revents && scx_uevent_drain(w->uev_fd, &w->uev))
		wake = SCX_WAKE_UEVENT;
	return wake;
}

int scx_wait_disabled(const struct scx_cfg *cfg, unsigned int ms, struct scx_snap *last)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct scx_waiter w;
	int ret;

	ret = scx_waiter_open(&w, cfg, NULL);
	if (ret)
		return ret;
	for (;;) {
		ret = scx_sysfs_read(&w.sys, last);
		if (ret)
			break;
		if (last->state == SCX_STATE_DISABLED && !last->root)
			break;
		if (scx_now_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		scx_waiter_wait(&w, deadline);
	}
	scx_waiter_close(&w);
	return ret;
}
