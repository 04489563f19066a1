// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: a watchdog ejection's wait, and the vCPU stalls in it.
 */
#include <stdio.h>
#include <string.h>

#include "stall.h"

/* SCX_EXIT_ERROR_STALL's reason, and its two messages (kernel/sched/ext). */
#define STALL_REASON	"runnable task stall"
#define TASK_WAIT	"failed to run for "
#define CHECK_IN_WAIT	"watchdog failed to check in for "

bool scx_stall_kind(const char *reason)
{
	return !strncmp(reason, STALL_REASON, strlen(STALL_REASON));
}

bool scx_stall_parse(const char *reason, struct scx_stall *s)
{
	unsigned int sec, ms;
	const char *p;
	int n = 0;

	memset(s, 0, sizeof(*s));
	s->cpu = -1;
	if (!scx_stall_kind(reason))
		return false;
	p = strstr(reason, CHECK_IN_WAIT);
	if (p) {
		s->check_in = true;
		p += strlen(CHECK_IN_WAIT);
	} else {
		p = strstr(reason, TASK_WAIT);
		if (!p)
			return false;
		p += strlen(TASK_WAIT);
	}
	/* "%u.%03us" */
	if (sscanf(p, "%u.%3u%n", &sec, &ms, &n) != 2 || n < 5 || p[n] != 's' || p[n - 4] != '.')
		return false;
	s->wait_ns = sec * NSEC_PER_SEC + ms * NSEC_PER_MSEC;
	return s->wait_ns > 0;
}

void scx_stall_judge(struct scx_stall *s, scx_stall_ref_fn ref, const void *src, int nr_cpus,
		     uint64_t end, uint64_t now)
{
	uint64_t from = end > s->wait_ns ? end - s->wait_ns : 0, st;
	const struct scx_vref_cpu *r;
	int c;

	s->measured = false;
	s->stalled_ns = 0;
	s->cpu = -1;
	/*
	 * The task's CPU is not in the kernel's line (only in the scheduler's
	 * dump), and the watchdog's work may wait on any: the longest stall of
	 * any one vCPU counts.
	 */
	for (c = 0; src && c < nr_cpus; c++) {
		r = ref(src, c);
		if (!r || !atomic_load_explicit(&r->last_ns, memory_order_acquire))
			continue;
		s->measured = true;
		st = scx_vref_cpu_stalled(r, from, end, now);
		if (st > s->stalled_ns) {
			s->stalled_ns = st;
			s->cpu = c;
		}
	}
	s->machine = s->stalled_ns && s->wait_ns - s->stalled_ns <= s->wait_ns / 2;
}

void scx_stall_line(const struct scx_stall *s, char *buf, size_t len)
{
	double d = (double)s->wait_ns / NSEC_PER_SEC;

	if (!s->measured)
		snprintf(buf, len, "a %.1f s wait; vCPU stalls not measured", d);
	else if (s->cpu < 0)
		snprintf(buf, len, "a %.1f s wait, no vCPU stall in it (SCHED_FIFO reference)", d);
	else
		snprintf(buf, len, "a %.1f s wait, %.1f s of it a stall of vCPU %d (SCHED_FIFO reference)",
			 d, (double)s->stalled_ns / NSEC_PER_SEC, s->cpu);
}
