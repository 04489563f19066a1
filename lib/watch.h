/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: watch a scheduler from spawn to verdict.
 */
#ifndef __SCX_ATTACH_WATCH_H
#define __SCX_ATTACH_WATCH_H

#include "common.h"
#include "spawn.h"
#include "state.h"

enum scx_verdict {
	SCX_V_SPAWN_FAILED,
	SCX_V_DIED_EARLY,	/* exited or killed before attaching */
	SCX_V_REJECTED,		/* enabling, then disabled, enable_seq unchanged */
	SCX_V_TIMEOUT,		/* alive, never attached within the windows */
	SCX_V_SYSFS_ABSENT,	/* no sched_ext in this kernel */
	SCX_V_BUSY,		/* another scheduler held sched_ext before the spawn */
	SCX_V_ATTACHED,		/* alive past the gate, attached, held */
	SCX_V_EJECTED,		/* attached, then the kernel disabled it */
	SCX_V_DIED_AFTER,	/* attached, then the process died */
	SCX_V_NR,
};

/* What woke the watcher when the verdict became known. */
enum scx_wake {
	SCX_WAKE_NONE,
	SCX_WAKE_UEVENT,	/* kobject uevent: the kernel's own "now" */
	SCX_WAKE_PIDFD,		/* the process exited */
	SCX_WAKE_INOTIFY,	/* a hint; kernfs is mostly silent */
	SCX_WAKE_OUTPUT,	/* the scheduler printed something */
	SCX_WAKE_TIMER,		/* fallback cadence or a deadline */
	SCX_WAKE_NR,
};

struct scx_result {
	enum scx_verdict verdict;
	enum scx_wake attach_by;	/* what revealed the attach */
	enum scx_wake decided_by;	/* what revealed the verdict */
	int err;			/* spawn failed: -errno */
	char detail[2 * SCX_REASON_LEN];	/* one line on what exactly happened */
	struct scx_snap before;		/* sysfs just before the spawn */
	struct scx_snap last;		/* sysfs at the verdict */
	char reason[SCX_REASON_LEN];	/* the kernel's disable reason, if any */
	bool kernel_error;		/* that reason is an error, not an unregistration */
	uint64_t t_attach;		/* ns after spawn; 0: never attached */
	uint64_t t_verdict;		/* ns after spawn */
	uint64_t cpu_ns;		/* scheduler CPU time when the attach was seen */
	unsigned int wakeups;		/* poll() returns before the attach verdict */
	unsigned int wake_count[SCX_WAKE_NR];
	bool uevent;			/* the uevent socket was listening */
	bool saw_loading;		/* enabling or root/ seen after the spawn */
	bool kmsg;			/* the kernel log was readable */
	struct scx_kmsg klog;		/* sched_ext lines since the spawn */
};

/*
 * Run @bin and watch it: busy check, spawn, liveness gate, attach wait,
 * hold window.  Fills @r with the verdict.  @c stays owned by the caller:
 * scx_finish() must follow, whatever the verdict.  Returns 0, or -errno
 * for a setup failure of the watcher itself (with r->detail filled).
 */
int scx_run(const struct scx_cfg *cfg, const char *bin, char *const argv[],
	    const char *expect_ops, struct scx_child *c, struct scx_result *r);

/*
 * Stop the scheduler (and anything it left behind), then wait for sched_ext
 * to report "disabled".  Returns 0, -ETIMEDOUT (something would not die or
 * the kernel stayed busy), with @detail filled.
 */
int scx_finish(const struct scx_cfg *cfg, struct scx_child *c, char *detail, size_t len);

/*
 * Wait until sched_ext's state is "disabled", at most @ms.  0, -ENOENT if
 * absent, -ETIMEDOUT with @last holding what was seen.
 */
int scx_wait_disabled(const struct scx_cfg *cfg, unsigned int ms, struct scx_snap *last);

/* A parsed kobject uevent.  Fields point into the message buffer. */
struct scx_uevent {
	const char *action;
	const char *devpath;
	const char *scxops;	/* SCXOPS=, sched_ext's own key */
};

/*
 * Parse a NETLINK_KOBJECT_UEVENT message: "action@devpath\0KEY=VAL\0...".
 * @buf must be NUL-terminated at @len.  Returns 0 or -EINVAL.
 */
int scx_uevent_parse(char *buf, size_t len, struct scx_uevent *ev);

/* Is this the sched_ext root kobject? */
bool scx_uevent_is_root(const struct scx_uevent *ev);

#endif /* __SCX_ATTACH_WATCH_H */
