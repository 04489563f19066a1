// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: a task's progress gaps, stamped by the task, and the
 * machine's part of each.
 */
#include <sched.h>

#include "gap.h"

void scx_gap_restart(struct scx_gap *g)
{
	atomic_store_explicit(&g->cpu, sched_getcpu(), memory_order_relaxed);
	atomic_store_explicit(&g->last_ns, scx_now_ns(), memory_order_release);
}

void scx_gap_step(struct scx_gap *g, uint64_t bound_ns)
{
	/* Acquire: a stress fork's parent and child share one record. */
	uint64_t last = atomic_load_explicit(&g->last_ns, memory_order_acquire), now, gap;
	int cpu = sched_getcpu();
	unsigned int n;

	now = scx_now_ns();
	gap = now > last ? now - last : 0;
	if (gap > atomic_load_explicit(&g->max_raw_ns, memory_order_relaxed))
		atomic_store_explicit(&g->max_raw_ns, gap, memory_order_relaxed);
	if (gap > bound_ns) {
		n = atomic_load_explicit(&g->nspans, memory_order_relaxed);
		g->span[n % SCX_GAP_SPANS] = (struct scx_gap_span){
			.from = last, .to = now, .cpu_to = cpu,
			.cpu_from = atomic_load_explicit(&g->cpu, memory_order_relaxed),
		};
		atomic_store_explicit(&g->nspans, n + 1, memory_order_release);
	}
	atomic_store_explicit(&g->cpu, cpu, memory_order_relaxed);
	atomic_store_explicit(&g->last_ns, now, memory_order_release);
}

void scx_gap_open(const struct scx_gap *g, uint64_t now, struct scx_gap_span *sp)
{
	sp->from = atomic_load_explicit(&g->last_ns, memory_order_acquire);
	sp->cpu_from = sp->cpu_to = atomic_load_explicit(&g->cpu, memory_order_relaxed);
	sp->to = scx_max(now, sp->from);
}

uint64_t scx_gap_machine(const struct scx_gap_span *sp, const struct scx_vref_cpu *from,
			 const struct scx_vref_cpu *to, uint64_t now)
{
	uint64_t a = scx_vref_cpu_stalled(from, sp->from, sp->to, now);

	if (sp->cpu_to != sp->cpu_from)
		a = scx_max(a, scx_vref_cpu_stalled(to, sp->from, sp->to, now));
	return scx_min(a, sp->to - sp->from);
}
