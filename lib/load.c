// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: a small, bounded load to run while a scheduler holds, and
 * the judge of its threads' gaps.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"

/* What the threads share; it outlives a thread that would not end. */
struct load_mem {
	atomic_bool stop;
	uint64_t deadline;		/* threads stop by themselves after it */
	uint64_t bound_ns;
	struct scx_load_slot slot[SCX_LOAD_MAX_THREADS];
};

static bool load_done(const struct load_mem *m)
{
	return atomic_load_explicit(&m->stop, memory_order_relaxed) || scx_now_ns() >= m->deadline;
}

/* One step of progress: the gap since the last one, kept if over the bound. */
static void stamp(struct scx_load_slot *sl)
{
	scx_gap_step(&sl->gap, sl->m->bound_ns);
}

static void *load_fn(void *p)
{
	struct scx_load_slot *sl = p;
	struct timespec ms = { .tv_nsec = NSEC_PER_MSEC };
	volatile unsigned long spin = 0;
	char name[16];
	int i;

	/* Named before anything else: a scheduler may pick its tasks by name. */
	snprintf(name, sizeof(name), SCX_LOAD_COMM "_%d", sl->idx);
	pthread_setname_np(pthread_self(), name);
	atomic_store(&sl->tid, gettid());
	stamp(sl);
	while (!load_done(sl->m)) {
		if (sl->sleeper) {
			/* Sleep/wake traffic is the point here, not a wait. */
			nanosleep(&ms, NULL);
		} else {
			for (i = 0; i < 100000; i++)
				spin++;
		}
		stamp(sl);
	}
	atomic_store_explicit(&sl->done, true, memory_order_release);
	return NULL;
}

static int load_alloc(struct scx_load *l, unsigned int ms, unsigned int max_gap_ms)
{
	memset(l, 0, sizeof(*l));
	l->m = aligned_alloc(64, (sizeof(*l->m) + 63) / 64 * 64);
	if (!l->m)
		return -ENOMEM;
	memset(l->m, 0, sizeof(*l->m));
	l->t_start = scx_now_ns();
	l->m->deadline = l->t_start + ms * NSEC_PER_MSEC;
	l->m->bound_ns = (uint64_t)max_gap_ms * NSEC_PER_MSEC;
	return 0;
}

static void slot_init(struct scx_load *l, int i)
{
	struct scx_load_slot *sl = &l->m->slot[i];

	sl->m = l->m;
	sl->idx = i;
	sl->sleeper = i & 1;
	/* Not run yet: its first gap starts now, where it was made. */
	scx_gap_restart(&sl->gap);
}

int scx_load_start(struct scx_load *l, unsigned int ms, unsigned int max_gap_ms)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct scx_load_result r;
	int i, ret;

	ret = load_alloc(l, ms, max_gap_ms);
	if (ret)
		return ret;
	if (cpus < 1)
		cpus = 1;
	/* Two CPU-bound and two sleep/wake threads per CPU, capped. */
	for (i = 0; i < 4 * cpus && i < SCX_LOAD_MAX_THREADS; i++) {
		slot_init(l, i);
		ret = pthread_create(&l->th[i], NULL, load_fn, &l->m->slot[i]);
		if (ret) {
			scx_load_stop(l, 1000, NULL, &r);
			return -ret;
		}
		l->nr++;
	}
	return 0;
}

int scx_load_fake(struct scx_load *l, int nr, unsigned int max_gap_ms)
{
	int i, ret = load_alloc(l, 0, max_gap_ms);

	for (i = 0; !ret && i < nr && i < SCX_LOAD_MAX_THREADS; i++)
		slot_init(l, i);
	/* No threads: the slots are the test's to fill. */
	l->nr = 0;
	return ret;
}

void scx_load_free(struct scx_load *l)
{
	free(l->m);
	l->m = NULL;
}

struct scx_load_slot *scx_load_slot(const struct scx_load *l, int i)
{
	if (!l->m || i < 0 || i >= SCX_LOAD_MAX_THREADS || !l->m->slot[i].m)
		return NULL;
	return &l->m->slot[i];
}

/* The machine's part of a gap: the stalls of the CPUs it left and resumed on. */
static uint64_t machine_part(const struct scx_vref *v, const struct scx_gap_span *sp,
			     uint64_t now)
{
	if (!v)
		return 0;
	return scx_gap_machine(sp, scx_vref_cpu(v, sp->cpu_from), scx_vref_cpu(v, sp->cpu_to), now);
}

/* A gap still open at @now, if the thread has not ended. */
static bool open_span(const struct scx_load_slot *sl, uint64_t now, struct scx_gap_span *sp)
{
	if (atomic_load_explicit(&sl->done, memory_order_acquire))
		return false;
	scx_gap_open(&sl->gap, now, sp);
	return true;
}

/* Judge one gap; true if it is over the bound (and then the worst if it is). */
static bool judge_span(const struct scx_load_slot *sl, const struct scx_gap_span *sp,
		       const struct scx_vref *v, uint64_t t_start, uint64_t now, bool open,
		       struct scx_load_result *r)
{
	uint64_t raw = sp->to - sp->from, mach = machine_part(v, sp, now);

	r->max_gap_ns = scx_max(r->max_gap_ns, raw);
	if (open && raw > r->open.raw_ns)
		r->open = (struct scx_load_gap){
			.idx = sl->idx, .tid = atomic_load(&sl->tid), .raw_ns = raw,
			.machine_ns = mach, .open = true,
			.at_ns = sp->from > t_start ? sp->from - t_start : 0,
		};
	if (raw - mach <= sl->m->bound_ns)
		return false;
	if (r->starved && raw - mach <= r->worst.raw_ns - r->worst.machine_ns)
		return true;
	r->starved = true;
	r->worst = (struct scx_load_gap){
		.idx = sl->idx, .tid = atomic_load(&sl->tid), .raw_ns = raw, .machine_ns = mach,
		.at_ns = sp->from > t_start ? sp->from - t_start : 0, .open = open,
	};
	return true;
}

bool scx_load_judge(const struct scx_load *l, const struct scx_vref *v, uint64_t now,
		    struct scx_load_result *r)
{
	const struct scx_load_slot *sl;
	struct scx_gap_span sp;
	unsigned int n, j;
	bool over;
	int i;

	r->threads = 0;
	r->open = (struct scx_load_gap){ 0 };
	r->starved = false;
	r->nr_starved = 0;
	r->max_gap_ns = 0;
	r->max_gap_ms = l->m ? l->m->bound_ns / NSEC_PER_MSEC : 0;
	for (i = 0; (sl = scx_load_slot(l, i)); i++) {
		r->threads++;
		r->max_gap_ns = scx_max(r->max_gap_ns, (uint64_t)atomic_load(&sl->gap.max_raw_ns));
		n = atomic_load_explicit(&sl->gap.nspans, memory_order_acquire);
		over = false;
		for (j = n > SCX_GAP_SPANS ? n - SCX_GAP_SPANS : 0; j < n; j++) {
			sp = sl->gap.span[j % SCX_GAP_SPANS];
			over |= judge_span(sl, &sp, v, l->t_start, now, false, r);
		}
		if (open_span(sl, now, &sp))
			over |= judge_span(sl, &sp, v, l->t_start, now, true, r);
		r->nr_starved += over;
	}
	if (v) {
		r->machine = scx_vref_on(v);
		r->machine_ns = scx_vref_max_ns(v);
		r->machine_why = v->why;
	}
	return r->starved;
}

/* How long until thread @i's open gap, stalls taken out, could pass the bound; 0: it has. */
static uint64_t open_left_ns(const struct scx_load *l, int i, const struct scx_vref *v,
			     uint64_t now)
{
	const struct scx_load_slot *sl = &l->m->slot[i];
	struct scx_gap_span sp;
	uint64_t eff;

	if (!open_span(sl, now, &sp))
		return l->m->bound_ns;
	eff = (sp.to - sp.from) - machine_part(v, &sp, now);
	return eff > l->m->bound_ns ? 0 : l->m->bound_ns - eff;
}

int scx_load_stop(struct scx_load *l, unsigned int grace_ms, const struct scx_vref *v,
		  struct scx_load_result *r)
{
	uint64_t t_stop = scx_now_ns(), cap, now, left, dl;
	bool joined[SCX_LOAD_MAX_THREADS] = { false };
	struct timespec ts;
	int i;

	memset(r, 0, sizeof(*r));
	if (!l->m)
		return 0;
	/* Generous: only time its vCPU ran counts against the scheduler. */
	cap = t_stop + 3 * (grace_ms * NSEC_PER_MSEC + l->m->bound_ns);
	atomic_store(&l->m->stop, true);
	/*
	 * Each thread must run to see the stop: wait for it until it has, or
	 * its gap, the machine's stalls taken out, is over the bound.
	 */
	for (i = 0; i < l->nr; i++) {
		for (;;) {
			now = scx_now_ns();
			left = open_left_ns(l, i, v, now);
			if (!left || now >= cap)
				goto judge;
			dl = scx_min(cap, now + left + NSEC_PER_MSEC);
			ts = (struct timespec){ .tv_sec = dl / NSEC_PER_SEC,
						.tv_nsec = dl % NSEC_PER_SEC };
			if (!pthread_clockjoin_np(l->th[i], NULL, CLOCK_MONOTONIC, &ts)) {
				joined[i] = true;
				break;
			}
		}
	}
judge:
	now = scx_now_ns();
	scx_load_judge(l, v, now, r);
	r->wait_ns = now - t_stop;
	for (i = 0; i < l->nr; i++) {
		/* Ended meanwhile, though the wait was for another: no wait now. */
		if (joined[i] || !pthread_tryjoin_np(l->th[i], NULL))
			continue;
		/* Not run since the stop: it ends when it runs, with its memory. */
		pthread_detach(l->th[i]);
		r->left++;
	}
	if (!r->left)
		free(l->m);
	l->m = NULL;
	l->nr = 0;
	return r->left ? -ETIMEDOUT : 0;
}

static size_t ms_of(uint64_t ns)
{
	return (size_t)((ns + NSEC_PER_MSEC / 2) / NSEC_PER_MSEC);
}

void scx_load_starved_line(const struct scx_load_result *r, char *buf, size_t len)
{
	const struct scx_load_gap *g = &r->worst;
	char tid[32] = "never ran";

	if (g->tid)
		snprintf(tid, sizeof(tid), "tid %d", g->tid);
	snprintf(buf, len,
		 "starved: load thread " SCX_LOAD_COMM "_%d (%s) was not run for %zu ms%s from %.1f s of the hold (bound %u ms; %zu ms of it were vCPU stalls); %d of %d threads over the bound",
		 g->idx, tid, ms_of(g->raw_ns), g->open ? " and counting" : "",
		 (double)g->at_ns / NSEC_PER_SEC, r->max_gap_ms, ms_of(g->machine_ns),
		 r->nr_starved, r->threads);
}

void scx_load_line(const struct scx_load_result *r, char *buf, size_t len)
{
	char mach[96];

	if (r->machine)
		snprintf(mach, sizeof(mach), "longest vCPU stall %zu ms (SCHED_FIFO reference)",
			 ms_of(r->machine_ns));
	else
		snprintf(mach, sizeof(mach), "vCPU stalls not measured: %s",
			 r->machine_why ?: "no reference");
	snprintf(buf, len, "load: %d threads, longest gap %zu ms (bound %u ms); %s", r->threads,
		 ms_of(r->max_gap_ns), r->max_gap_ms, mach);
}
