/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: a task's progress, stamped by the task at each step, and its
 * gaps over a bound, kept for a judge that takes the machine's part out
 * (the vCPU stalls lib/vref.c measures).  The hold's load threads and the
 * stress workers (in shared memory) stamp the same way.
 */
#ifndef __SCX_ATTACH_GAP_H
#define __SCX_ATTACH_GAP_H

#include <stdatomic.h>
#include <stdint.h>

#include "vref.h"

#define SCX_GAP_SPANS		16	/* gaps over the bound a task keeps, the newest */

/* A gap between two steps, and the CPUs the task left and resumed on. */
struct scx_gap_span {
	uint64_t from, to;
	int cpu_from, cpu_to;
};

struct scx_gap {
	_Atomic uint64_t last_ns;	/* its last step */
	_Atomic uint64_t max_raw_ns;	/* longest gap, as measured */
	_Atomic int cpu;		/* where it made that step */
	_Atomic unsigned int nspans;	/* spans written, ever */
	struct scx_gap_span span[SCX_GAP_SPANS];
};

/* The next gap starts now, on this CPU: at the start, after time not spent waiting for one. */
void scx_gap_restart(struct scx_gap *g);

/* One step of progress: the gap since the last one, kept if over @bound_ns. */
void scx_gap_step(struct scx_gap *g, uint64_t bound_ns);

/* The gap still open at @now, in @sp. */
void scx_gap_open(const struct scx_gap *g, uint64_t now, struct scx_gap_span *sp);

/*
 * The machine's part of @sp as of @now: the stalls of the CPUs it left
 * (@from) and resumed on (@to); a NULL reference measured nothing.
 */
uint64_t scx_gap_machine(const struct scx_gap_span *sp, const struct scx_vref_cpu *from,
			 const struct scx_vref_cpu *to, uint64_t now);

#endif /* __SCX_ATTACH_GAP_H */
