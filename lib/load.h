/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: a small, bounded load to run while a scheduler holds.
 *
 * An idle machine hides schedulers that never dispatch some tasks: with a
 * few CPU-bound and a few sleep/wake threads per CPU, such a scheduler is
 * ejected by the kernel's watchdog inside the hold window, or starves a
 * thread without tripping it.  Every thread stamps its progress; one that
 * made no progress for longer than the max gap, the stalls of its vCPUs
 * (lib/vref.c) taken out, starved.
 */
#ifndef __SCX_ATTACH_LOAD_H
#define __SCX_ATTACH_LOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "common.h"
#include "gap.h"
#include "vref.h"

#define SCX_LOAD_MAX_THREADS	64
#define SCX_LOAD_COMM		"scx_load"	/* thread names start with this */

struct load_mem;

/* One thread's progress, written by the thread. */
struct scx_load_slot {
	struct scx_gap gap;		/* its steps */
	_Atomic pid_t tid;
	_Atomic bool done;		/* it saw the stop and ended */
	struct load_mem *m;
	int idx;
	bool sleeper;
} __attribute__((aligned(64)));

/* The worst gap, judged: how long, and how much of it the machine took. */
struct scx_load_gap {
	int idx;			/* SCX_LOAD_COMM "_%d" */
	pid_t tid;
	uint64_t raw_ns;		/* as measured */
	uint64_t machine_ns;		/* vCPU stalls in it, taken out */
	uint64_t at_ns;			/* when it began, after the load's start */
	bool open;			/* the thread had still not run when judged */
};

struct scx_load_result {
	int threads;
	uint64_t max_gap_ns;		/* longest gap of any thread, as measured */
	unsigned int max_gap_ms;	/* the bound */
	bool machine;			/* vCPU stalls measured (a SCHED_FIFO reference) */
	uint64_t machine_ns;		/* the longest */
	const char *machine_why;	/* not measured: why */
	bool starved;			/* a gap over the bound, stalls taken out */
	int nr_starved;			/* threads over the bound */
	struct scx_load_gap worst;
	struct scx_load_gap open;	/* the longest gap still open when judged */
	int left;			/* threads that had not ended when the wait ended */
	uint64_t wait_ns;		/* how long the stop waited for them */
};

struct scx_load {
	pthread_t th[SCX_LOAD_MAX_THREADS];
	int nr;
	struct load_mem *m;		/* shared with the threads */
	uint64_t t_start;
};

/* Start the load; it ends by itself @ms from now at the latest.  @max_gap_ms: the bound. */
int scx_load_start(struct scx_load *l, unsigned int ms, unsigned int max_gap_ms);

/*
 * Stop the load and judge its gaps against the bound, the stalls @v saw
 * taken out.  The wait for the threads to end lasts until they have, or
 * one has starved, or three times @grace_ms plus the bound have passed
 * (the machine stalled for most of it: nothing decided).  Fills @r;
 * returns 0, or -ETIMEDOUT if some thread had not ended (@r->left; it
 * ends, with its memory, once it runs).
 */
int scx_load_stop(struct scx_load *l, unsigned int grace_ms, const struct scx_vref *v,
		  struct scx_load_result *r);

/*
 * Judge every thread's gaps as of @now (closed ones, and the open one of
 * a thread still running): the worst into @r.  True if one starved.
 */
bool scx_load_judge(const struct scx_load *l, const struct scx_vref *v, uint64_t now,
		    struct scx_load_result *r);

/* Slot @i of the load, for the tests; NULL past the last. */
struct scx_load_slot *scx_load_slot(const struct scx_load *l, int i);

/* A load with @nr slots and no threads, judged with bound @max_gap_ms: for the tests. */
int scx_load_fake(struct scx_load *l, int nr, unsigned int max_gap_ms);
void scx_load_free(struct scx_load *l);

/* "starved: load thread scx_load_5 (tid N) was not run for ..." */
void scx_load_starved_line(const struct scx_load_result *r, char *buf, size_t len);
/* "load: 32 threads, longest gap ...; longest vCPU stall ..." */
void scx_load_line(const struct scx_load_result *r, char *buf, size_t len);

#endif /* __SCX_ATTACH_LOAD_H */
