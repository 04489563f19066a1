/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: whose is a watchdog ejection, the scheduler's or the machine's?
 *
 * sched_ext's watchdog measures waits in wall time (jiffies): a runnable
 * task not run for longer than the scheduler's timeout ("runnable task
 * stall: COMM[PID] failed to run for D s"), or its own work item not run
 * for that long ("watchdog failed to check in for D s").  A vCPU the
 * emulator stopped counts in D as if the scheduler had held the task back.
 * The vCPU stalls the test bed's reference (lib/vref.c) measured in that
 * wait decide: see scx_stall_judge().
 */
#ifndef __SCX_ATTACH_STALL_H
#define __SCX_ATTACH_STALL_H

#include "common.h"
#include "vref.h"

struct scx_stall {
	bool check_in;		/* the watchdog's own work was late, not a task */
	uint64_t wait_ns;	/* D: the wait the kernel reported */
	bool measured;		/* a reference measured vCPU stalls */
	uint64_t stalled_ns;	/* S: the longest one vCPU stalled within the wait */
	int cpu;		/* that vCPU, -1 if none stalled */
	bool machine;		/* the machine's: D - S <= D / 2 */
};

/*
 * The kernel's disable reason (as lib/kmsg.c reads it, "runnable task
 * stall: ..."): true if it is a watchdog exit, with its wait in @s.
 */
bool scx_stall_parse(const char *reason, struct scx_stall *s);

/* Is @reason the watchdog's exit, with or without its message line yet? */
bool scx_stall_kind(const char *reason);

/* The reference of CPU @cpu in @src, NULL if none. */
typedef const struct scx_vref_cpu *(*scx_stall_ref_fn)(const void *src, int cpu);

/*
 * Judge @s, whose wait ended at @end (CLOCK_MONOTONIC ns), against the
 * stalls the references of CPUs 0 .. @nr_cpus - 1 (@ref of @src: the
 * hold's own, or the stress load's) measured in it, as of @now.  The kernel ejects once a wait is
 * over the timeout T (it checks every T/2); with the stalls taken out the
 * wait was D - S, and it is the machine's if that is at most T/2: even
 * waiting on to the kernel's next check, it would not have passed T.  T
 * is not readable from user space; the kernel fired, so T < D, and D
 * stands for it.  Sets s->machine.
 */
void scx_stall_judge(struct scx_stall *s, scx_stall_ref_fn ref, const void *src, int nr_cpus,
		     uint64_t end, uint64_t now);

/* "a 5.3 s wait, 4.2 s of it a stall of vCPU 12 (SCHED_FIFO reference)" */
void scx_stall_line(const struct scx_stall *s, char *buf, size_t len);

#endif /* __SCX_ATTACH_STALL_H */
