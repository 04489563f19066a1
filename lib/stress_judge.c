// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: judge the stress workers' gaps, and say what was seen.
 *
 * A gap over the bound is judged minus the time the SCHED_FIFO reference
 * of the CPU the worker left, or resumed on, was held back itself: that
 * time the machine took (a vCPU the host did not run), not the scheduler.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_shm.h"

#define NG_TAIL_READ		4096

static const char *const kind_names[SCX_SK_NR] = {
	"hog", "fork-exec", "pipe", "migrate", "nice", "thread", "cgroup", "probe",
};

const char *scx_stress_kind_name(enum scx_stress_kind k)
{
	return k >= 0 && k < SCX_SK_NR ? kind_names[k] : "?";
}

/* The reference of @cpu, NULL if none: its stalls are the machine's, not the scheduler's. */
static const struct scx_vref_cpu *ref_of(const struct stress_shm *m, int cpu)
{
	return cpu >= 0 && cpu < SCX_STRESS_MAX_CPUS ? &m->ref[cpu] : NULL;
}

const struct scx_vref_cpu *scx_stress_ref(const struct scx_stress *s, int cpu)
{
	return s->shm ? ref_of(s->shm, cpu) : NULL;
}

static void judge_span(struct scx_stress *s, int i, const struct scx_gap_span *sp, uint64_t now,
		       bool open)
{
	const struct stress_slot *sl = &s->shm->slot[i];
	uint64_t raw = sp->to - sp->from, eff;

	eff = raw - scx_gap_machine(sp, ref_of(s->shm, sp->cpu_from), ref_of(s->shm, sp->cpu_to),
				    now);
	struct scx_stress_result *r = &s->res;

	if (eff <= s->bound_ns)
		return;
	if (!s->mon->starved[i]) {
		s->mon->starved[i] = true;
		r->nr_starved++;
	}
	if (r->starved && eff <= r->starved_ns)
		return;
	r->starved = true;
	r->starved_kind = sl->kind;
	r->starved_idx = sl->idx & ~STRESS_PIPE_B;
	r->starved_pid = atomic_load(&sl->pid);
	r->starved_ns = eff;
	r->starved_raw_ns = raw;
	r->starved_at_ns = sp->from - s->t_start;
	r->starved_open = open;
}

void stress_judge(struct scx_stress *s, uint64_t upto)
{
	struct stress_shm *m = s->shm;
	int i, nr = atomic_load_explicit(&m->nr_slots, memory_order_acquire);
	struct scx_gap_span sp;
	unsigned int n, j;

	for (i = 0; i < nr && i < STRESS_SLOTS; i++) {
		struct stress_slot *sl = &m->slot[i];

		n = atomic_load_explicit(&sl->gap.nspans, memory_order_acquire);
		j = s->mon->cursor[i];
		/* Overwritten before we looked: the newest ones are what is left. */
		if (n - j > SCX_GAP_SPANS)
			j = n - SCX_GAP_SPANS;
		for (; j < n; j++) {
			sp = sl->gap.span[j % SCX_GAP_SPANS];
			judge_span(s, i, &sp, upto, false);
		}
		s->mon->cursor[i] = n;
		scx_gap_open(&sl->gap, upto, &sp);
		if (upto > sp.from && upto - sp.from > s->bound_ns && !atomic_load(&sl->off))
			judge_span(s, i, &sp, upto, true);
	}
}

/* The last non-empty line stress-ng wrote, printable characters only. */
static void ng_tail(int fd, char *buf, size_t len)
{
	char tail[NG_TAIL_READ + 1], *p, *line;
	off_t size = lseek(fd, 0, SEEK_END);
	ssize_t n;

	buf[0] = '\0';
	if (size <= 0)
		return;
	n = pread(fd, tail, NG_TAIL_READ, size > NG_TAIL_READ ? size - NG_TAIL_READ : 0);
	if (n <= 0)
		return;
	tail[n] = '\0';
	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == ' '))
		tail[--n] = '\0';
	line = strrchr(tail, '\n');
	snprintf(buf, len, "%.*s", (int)len - 1, line ? line + 1 : tail);
	for (p = buf; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
}

void stress_collect(struct scx_stress *s, int ng_out)
{
	struct stress_shm *m = s->shm;
	struct scx_stress_result *r = &s->res;
	int i, nr = atomic_load(&m->nr_slots);

	for (i = 0; i < nr && i < STRESS_SLOTS; i++) {
		struct stress_slot *sl = &m->slot[i];
		struct scx_stress_kstat *k = &r->kind[sl->kind];

		k->workers++;
		k->steps += atomic_load(&sl->steps);
		k->errors += atomic_load(&sl->errors);
		k->max_gap_ns = scx_max(k->max_gap_ns, (uint64_t)atomic_load(&sl->gap.max_raw_ns));
	}
	for (i = 0; i < m->nr_cpus; i++) {
		const struct scx_vref_cpu *ref;

		if (m->cpu[i] >= SCX_STRESS_MAX_CPUS)
			continue;
		ref = &m->ref[m->cpu[i]];
		r->machine |= atomic_load(&ref->last_ns) != 0;
		r->machine_ns = scx_max(r->machine_ns, (uint64_t)atomic_load(&ref->max_late_ns));
	}
	r->ng_status = atomic_load(&m->ng_status);
	if (ng_out >= 0)
		ng_tail(ng_out, r->ng_tail, sizeof(r->ng_tail));
}

static size_t ms_of(uint64_t ns)
{
	return (size_t)((ns + NSEC_PER_MSEC / 2) / NSEC_PER_MSEC);
}

static void starved_line(const struct scx_stress_result *r, char *buf, size_t len)
{
	snprintf(buf, len,
		 "starved: %s#%d (pid %d) made no progress for %zu ms%s from %.1f s (bound %u ms; %zu ms of it were machine stalls); %d worker(s) over the bound",
		 scx_stress_kind_name(r->starved_kind), r->starved_idx, r->starved_pid,
		 ms_of(r->starved_raw_ns), r->starved_open ? " and counting" : "",
		 (double)r->starved_at_ns / NSEC_PER_SEC, r->max_gap_ms,
		 ms_of(r->starved_raw_ns - r->starved_ns), r->nr_starved);
}

static const char *ng_end(int status)
{
	if (status < 0)
		return "stopped by us";
	if (!WIFEXITED(status))
		return "killed by a signal";
	return WEXITSTATUS(status) ? "exited with an error" : "exited 0";
}

uint64_t scx_stress_max_gap_ns(const struct scx_stress_result *r)
{
	uint64_t max = 0;
	int k;

	for (k = 0; k < SCX_SK_NR; k++)
		max = scx_max(max, r->kind[k].max_gap_ns);
	/* A gap still open when judged never ended in a step. */
	return r->starved ? scx_max(max, r->starved_raw_ns) : max;
}

bool scx_stress_line(const struct scx_stress_result *r, int i, char *buf, size_t len)
{
	const struct scx_stress_kstat *ks;
	int k;

	if (i-- == 0) {
		snprintf(buf, len, "stress: %s; %.1f s, max gap bound %u ms", r->load,
			 (double)r->elapsed_ns / NSEC_PER_SEC, r->max_gap_ms);
		return true;
	}
	if (r->notes[0] && i-- == 0) {
		snprintf(buf, len, "stress notes: %s", r->notes);
		return true;
	}
	for (k = 0; k < SCX_SK_NR; k++) {
		ks = &r->kind[k];
		if (!ks->workers || i-- != 0)
			continue;
		snprintf(buf, len, "stress %s: %d worker(s), %llu steps, max gap %zu ms, %llu failed steps",
			 kind_names[k], ks->workers, ks->steps, ms_of(ks->max_gap_ns), ks->errors);
		return true;
	}
	if (i-- == 0) {
		if (r->machine)
			snprintf(buf, len, "stress machine: longest vCPU stall %zu ms (SCHED_FIFO reference)",
				 ms_of(r->machine_ns));
		else
			snprintf(buf, len, "stress machine: stalls not measured (no SCHED_FIFO reference)");
		return true;
	}
	if (r->stress_ng && i-- == 0) {
		snprintf(buf, len, "stress-ng: %s; last line: %s", ng_end(r->ng_status),
			 r->ng_tail[0] ? r->ng_tail : "(none)");
		return true;
	}
	if (r->err && i-- == 0) {
		snprintf(buf, len, "stress load broke: %s", r->detail);
		return true;
	}
	if (i-- == 0) {
		if (r->starved)
			starved_line(r, buf, len);
		else
			snprintf(buf, len, "stress: no worker went %u ms without progress",
				 r->max_gap_ms);
		return true;
	}
	return false;
}
