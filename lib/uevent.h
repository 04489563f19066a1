/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: kobject uevents, the kernel's own word that sched_ext's root
 * came or went.
 *
 * sched_ext sends "add" for /kernel/sched_ext/root right after it commits
 * an enable, and "remove" when the scheduler is gone; a sub-scheduler's
 * kobject, .../sub/sub-<cgroup id>, gets its "add" (with SCXOPS) right
 * after the kernel logs it enabled.  Uevents do not reach
 * another network namespace, so they only ever wake a watcher: the sysfs
 * files stay the truth.
 */
#ifndef __SCX_ATTACH_UEVENT_H
#define __SCX_ATTACH_UEVENT_H

#include <stddef.h>
#include <stdbool.h>

#include "common.h"

#define SCX_UEVENT_DIR		"/kernel/sched_ext"
#define SCX_ROOT_DEVPATH	SCX_UEVENT_DIR "/root"

/* A parsed kobject uevent.  Fields point into the message buffer. */
struct scx_uevent {
	const char *action;
	const char *devpath;
	const char *scxops;	/* SCXOPS=, sched_ext's own key */
};

/* A non-blocking socket on the kernel's uevent group, or -errno. */
int scx_uevent_open(void);

/*
 * Parse a NETLINK_KOBJECT_UEVENT message: "action@devpath\0KEY=VAL\0...".
 * @buf must be NUL-terminated at @len.  Returns 0 or -EINVAL.
 */
int scx_uevent_parse(char *buf, size_t len, struct scx_uevent *ev);

/* Is this the sched_ext root kobject? */
bool scx_uevent_is_root(const struct scx_uevent *ev);

/*
 * Is this a sub-scheduler's own kobject (root/sub/sub-A[/sub/sub-B...],
 * not a sub/ kset)?  Its cgroup id, the last sub-<id>, into @cgid.
 */
bool scx_uevent_sub_cgid(const struct scx_uevent *ev, unsigned long long *cgid);

#define SCX_UEVENT_SUBS	4	/* sub-scheduler "add"s one drain keeps */

/* What scx_uevent_drain() found among the pending messages. */
struct scx_uevent_seen {
	bool add;		/* root "add": an enable was committed */
	bool remove;		/* root "remove": the scheduler is gone */
	char ops[SCX_OPS_LEN];	/* SCXOPS of the last root event */
	int nsub;		/* sub-scheduler "add"s (enabled): the first ones */
	struct {
		unsigned long long cgid;
		char ops[SCX_OPS_LEN];
	} sub[SCX_UEVENT_SUBS];
};

/*
 * Read every pending message; only the kernel's (port 0) count.  Returns
 * the number of sched_ext scheduler events (root or sub-scheduler),
 * recorded in @seen.
 */
int scx_uevent_drain(int fd, struct scx_uevent_seen *seen);

#endif /* __SCX_ATTACH_UEVENT_H */
