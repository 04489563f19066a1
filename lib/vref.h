/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: the test bed's own reference for whole-vCPU stalls.
 *
 * An emulated machine stops whole vCPUs now and then (qemu TCG on a busy
 * host, a paused guest): whatever ran or waited there makes no progress,
 * whatever the scheduler does.  A SCHED_FIFO thread per CPU, which no
 * sched_ext scheduler can hold back, wakes every period and records each
 * wake-up later than SCX_VREF_LATE_NS as a stall of its CPU.  A task's gap
 * is then judged minus the stalls of the CPUs it waited on.  Without
 * SCHED_FIFO (no CAP_SYS_NICE) nothing is measured and nothing is taken out.
 */
#ifndef __SCX_ATTACH_VREF_H
#define __SCX_ATTACH_VREF_H

#include <pthread.h>
#include <stdatomic.h>

#include "common.h"

#define SCX_VREF_PERIOD_NS	(10 * NSEC_PER_MSEC)
#define SCX_VREF_LATE_NS	(20 * NSEC_PER_MSEC)	/* woken later than this: a stall */
#define SCX_VREF_STALLS		512	/* stalls a CPU keeps, the newest */
#define SCX_VREF_COMM		"scx_vref"

/* One CPU's reference: when it last woke, and its stalls. */
struct scx_vref_cpu {
	_Atomic uint64_t last_ns;	/* 0: no reference on this CPU */
	_Atomic uint64_t max_late_ns;
	_Atomic unsigned int nstalls;
	struct {
		uint64_t from, to;
	} stall[SCX_VREF_STALLS];
	const atomic_bool *stop;
	int cpu;
} __attribute__((aligned(64)));

struct vref_mem;

struct scx_vref {
	struct vref_mem *mem;		/* shared with the threads; NULL when stopped */
	int nr_ids;			/* CPU numbers 0 .. nr_ids - 1 */
	pthread_t *th;
	int nr;				/* threads running */
	const char *why;		/* no reference: why (a constant string) */
	uint64_t max_ns;		/* longest stall seen, kept after the stop */
	uint64_t t_start;
	/* Its cost, kept after the stop: threads, how long they ran, their CPU time. */
	int threads;
	uint64_t ran_ns, cpu_ns;
};

/*
 * Start a reference on every CPU we may run on.  0, also when SCHED_FIFO
 * is not allowed (then @v->why says so and nothing is taken out); -ENOMEM.
 */
int scx_vref_start(struct scx_vref *v);

/* Room for @nr_ids CPUs, no threads: scx_vref_start()'s first step, and the tests'. */
int scx_vref_alloc(struct scx_vref *v, int nr_ids);

/* The reference of @cpu, NULL if none. */
struct scx_vref_cpu *scx_vref_cpu(const struct scx_vref *v, int cpu);

/* Is a reference measuring (some CPU has one)? */
bool scx_vref_on(const struct scx_vref *v);

/*
 * How much of [@from, @to] the reference of @cpu was held back, as of
 * @now: its stalls, and a stall still going on (silent since its last
 * wake-up).  0 without a reference.
 */
uint64_t scx_vref_stalled(const struct scx_vref *v, int cpu, uint64_t from, uint64_t to,
			  uint64_t now);

/*
 * The same for one CPU's reference @r (NULL: none); the stress references,
 * in shared memory, are such records too.
 */
uint64_t scx_vref_cpu_stalled(const struct scx_vref_cpu *r, uint64_t from, uint64_t to,
			      uint64_t now);

/* A reference due at @due woke at @now: a stall if it was late. */
void scx_vref_note(struct scx_vref_cpu *r, uint64_t due, uint64_t now);

/* The longest stall any CPU's reference saw. */
uint64_t scx_vref_max_ns(const struct scx_vref *v);

/*
 * Stop and join the threads within @ms.  A thread that would not end keeps
 * its memory (it ends once its vCPU runs again).  @v->max_ns stays.
 */
void scx_vref_stop(struct scx_vref *v, unsigned int ms);

#endif /* __SCX_ATTACH_VREF_H */
