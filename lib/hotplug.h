/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: take a CPU offline and back online while a scheduler runs.
 *
 * On CPU hotplug, sched_ext exits a scheduler that has no cpu_online and
 * cpu_offline callbacks and asks its loader to restart; a healthy loader
 * attaches again.  A write to cpuN/online returns when the kernel is done,
 * which takes from milliseconds to seconds (under emulation), so a helper
 * process does the writes and answers on a pipe the caller polls: the
 * caller keeps watching the scheduler meanwhile.
 *
 * The helper brings the CPU back online when asked, when the caller closes,
 * and when the caller dies (EOF on its command socket, PR_SET_PDEATHSIG of
 * SIGTERM): it runs in a process group of its own, so that a harness that
 * kills the test's group leaves it the time to do so.  Then it exits.  A
 * helper that dies (killed) is an answer too: the caller's calls return
 * -errno (never SIGPIPE), and the close brings the CPU back from a new one.
 */
#ifndef __SCX_ATTACH_HOTPLUG_H
#define __SCX_ATTACH_HOTPLUG_H

#include <sys/types.h>

#include "common.h"

#define SCX_HOTPLUG_COMM	"scx_hotplug"

/* Constant SKIP reasons. */
#define SCX_HOTPLUG_ONE_CPU	"only one CPU is online: none can go offline"
#define SCX_HOTPLUG_NONE	"no CPU but the boot CPU has cpuN/online: no CPU hotplug here"
#define SCX_HOTPLUG_RO		"cpuN/online is not writable: CPU hotplug needs uid 0 or CAP_DAC_OVERRIDE"

struct scx_hotplug {
	char dir[PATH_MAX];	/* the cpu sysfs directory */
	int cpu;		/* the CPU we take offline; -1: none */
	pid_t helper;		/* -1: none */
	int pidfd;
	int cmd;		/* to the helper, a socket: '0' offline, '1' online */
	int ack;		/* from the helper: one struct scx_hotplug_op per command */
	bool pending;		/* a command not answered yet */
	bool offline;		/* offline by our hand, as far as the answers say */
	bool reaped;		/* the helper is gone: how, in code and status */
	int code;		/* CLD_EXITED, CLD_KILLED...; 0: not known */
	int status;		/* exit status or signal */
};

/* One completed write to cpuN/online. */
struct scx_hotplug_op {
	int cpu;
	bool online;		/* what was asked */
	int err;		/* 0, or -errno from the write (-EBUSY: the kernel refused) */
	uint64_t t_start;	/* CLOCK_MONOTONIC ns around the write */
	uint64_t t_done;
};

/*
 * The CPU to take offline under @dir: the highest-numbered online CPU other
 * than cpu0 (the boot CPU) with a writable online file.  Returns it, or
 * -ENODEV with @skip set to one of the constant reasons.
 */
int scx_hotplug_pick(const char *dir, const char **skip);

/*
 * Pick a CPU and start the helper.  -ENODEV with @skip set (a constant
 * reason), or -errno.  Call it from a thread that lives until the close.
 */
int scx_hotplug_open(struct scx_hotplug *h, const char *dir, const char **skip);

/* Ask for the CPU to go offline (@online false) or online.  -EBUSY while one is pending. */
int scx_hotplug_request(struct scx_hotplug *h, bool online);

/* Readable when the pending request completed: poll it with the rest. */
int scx_hotplug_fd(const struct scx_hotplug *h);

/*
 * Without blocking: 1 with @op when the request completed, 0 while pending
 * or idle, -errno when the helper is gone (reaped: scx_hotplug_describe()).
 */
int scx_hotplug_done(struct scx_hotplug *h, struct scx_hotplug_op *op);

/* How the helper ended: "exited with status 1", "was killed by signal 9 (Killed)". */
void scx_hotplug_describe(const struct scx_hotplug *h, char *buf, size_t len);

/* Wait until the request completed or @deadline: 1 with @op, 0, -errno (-EINVAL: none pending). */
int scx_hotplug_wait(struct scx_hotplug *h, uint64_t deadline, struct scx_hotplug_op *op);

/*
 * Bring the CPU back online if we took it offline, stop the helper; within
 * @ms (the helper restores it on its own if that takes longer).  A helper
 * that is gone without restoring it is replaced for that.  0 when the CPU
 * is online (or never left), -ETIMEDOUT, or the restoring write's -errno.
 * Safe on a never-opened one.
 */
int scx_hotplug_close(struct scx_hotplug *h, unsigned int ms);

/* Nothing open: what scx_hotplug_close() accepts. */
void scx_hotplug_init(struct scx_hotplug *h);

#endif /* __SCX_ATTACH_HOTPLUG_H */
