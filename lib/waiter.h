/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: sleep until sched_ext or the scheduler may have news.
 *
 * One ppoll() against an absolute CLOCK_MONOTONIC deadline.  Wake sources:
 * the pidfd (death), the kobject uevent socket (the fast path, for the root
 * and for a child scheduler, uevent.h), inotify on the sysfs directory (a
 * hint: kernfs does not report its own creations, a fake tree does), the
 * scheduler's output pipe (drained so it never blocks), and a bounded
 * fallback cadence.  Whatever woke the
 * caller, it re-reads the sysfs files: they are the truth.
 */
#ifndef __SCX_ATTACH_WAITER_H
#define __SCX_ATTACH_WAITER_H

#include "config.h"
#include "kmsg.h"
#include "spawn.h"
#include "sysfs.h"
#include "uevent.h"

/* What woke the waiter. */
enum scx_wake {
	SCX_WAKE_NONE,
	SCX_WAKE_UEVENT,	/* kobject uevent: the kernel's own "now" */
	SCX_WAKE_PIDFD,		/* the process exited */
	SCX_WAKE_INOTIFY,	/* a hint; kernfs is mostly silent */
	SCX_WAKE_OUTPUT,	/* the scheduler printed something */
	SCX_WAKE_TIMER,		/* fallback cadence or a deadline */
	SCX_WAKE_AUX,		/* a caller's own fd: the stress load, CPU hotplug */
	SCX_WAKE_KMSG,		/* a kernel log record: a rejection has no uevent */
	SCX_WAKE_NR,
};

struct scx_waiter {
	const struct scx_cfg *cfg;
	struct scx_child *c;		/* NULL: no scheduler to watch */
	struct scx_sysfs sys;
	int uev_fd;			/* -1: no uevents (disabled, or no netlink) */
	int ino_fd;
	struct scx_uevent_seen uev;	/* sched_ext events since the caller's last reset */
	int aux[2];			/* the caller's fds to poll too, -1: none */
	struct scx_kmsg *klog;		/* NULL: none; collected when it has records */
};

/* -errno (-ENOENT: no sched_ext) if the sysfs root cannot be opened. */
int scx_waiter_open(struct scx_waiter *w, const struct scx_cfg *cfg, struct scx_child *c);
void scx_waiter_close(struct scx_waiter *w);

/*
 * Let the kernel log wake the waiter too, if it is /dev/kmsg (a regular
 * file would always poll ready).  The waiter collects it when woken.
 */
void scx_waiter_watch_kmsg(struct scx_waiter *w, struct scx_kmsg *k);

/* Sleep until something happens or @deadline; say what woke us. */
enum scx_wake scx_waiter_wait(struct scx_waiter *w, uint64_t deadline);

/*
 * Wait until sched_ext's state is "disabled", at most @ms.  0, -ENOENT if
 * absent, -ETIMEDOUT with @last holding what was seen.
 */
int scx_wait_disabled(const struct scx_cfg *cfg, unsigned int ms, struct scx_snap *last);

#endif /* __SCX_ATTACH_WAITER_H */
