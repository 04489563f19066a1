// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: a SCHED_FIFO reference thread per CPU, measuring how long
 * whole vCPUs stall.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vref.h"

struct vref_mem {
	atomic_bool stop;
	struct scx_vref_cpu cpu[];
};

int scx_vref_alloc(struct scx_vref *v, int nr_ids)
{
	struct vref_mem *m;
	int c;

	memset(v, 0, sizeof(*v));
	/* aligned_alloc: the per-CPU slots are cache-line aligned. */
	m = aligned_alloc(64, sizeof(*m) + (sizeof(m->cpu[0]) * nr_ids + 63) / 64 * 64);
	v->th = calloc(nr_ids ?: 1, sizeof(*v->th));
	if (!m || !v->th) {
		free(m);
		free(v->th);
		v->th = NULL;
		return -ENOMEM;
	}
	memset(m, 0, sizeof(*m) + sizeof(m->cpu[0]) * nr_ids);
	for (c = 0; c < nr_ids; c++) {
		m->cpu[c].stop = &m->stop;
		m->cpu[c].cpu = c;
	}
	v->mem = m;
	v->nr_ids = nr_ids;
	return 0;
}

struct scx_vref_cpu *scx_vref_cpu(const struct scx_vref *v, int cpu)
{
	if (!v->mem || cpu < 0 || cpu >= v->nr_ids)
		return NULL;
	return &v->mem->cpu[cpu];
}

static void *vref_fn(void *arg)
{
	struct scx_vref_cpu *r = arg;
	uint64_t next = scx_now_ns(), now;
	struct timespec ts;

	atomic_store_explicit(&r->last_ns, next, memory_order_release);
	while (!atomic_load_explicit(r->stop, memory_order_relaxed)) {
		next += SCX_VREF_PERIOD_NS;
		ts = (struct timespec){ .tv_sec = next / NSEC_PER_SEC,
					.tv_nsec = next % NSEC_PER_SEC };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		now = scx_now_ns();
		scx_vref_note(r, next, now);
		/* Late: the next period starts now, not in the past. */
		next = scx_max(next, now);
	}
	return NULL;
}

void scx_vref_note(struct scx_vref_cpu *r, uint64_t due, uint64_t now)
{
	uint64_t late = now > due ? now - due : 0;
	unsigned int n;

	if (late > SCX_VREF_LATE_NS) {
		n = atomic_load_explicit(&r->nstalls, memory_order_relaxed);
		r->stall[n % SCX_VREF_STALLS].from = due;
		r->stall[n % SCX_VREF_STALLS].to = now;
		atomic_store_explicit(&r->nstalls, n + 1, memory_order_release);
	}
	if (late > atomic_load_explicit(&r->max_late_ns, memory_order_relaxed))
		atomic_store_explicit(&r->max_late_ns, late, memory_order_relaxed);
	atomic_store_explicit(&r->last_ns, now, memory_order_release);
}

/* A pinned SCHED_FIFO thread on @cpu: 0, or the error (EPERM without CAP_SYS_NICE). */
static int vref_thread(struct scx_vref *v, int cpu)
{
	struct sched_param sp = { .sched_priority = 1 };
	pthread_attr_t attr;
	cpu_set_t set;
	int ret;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &sp);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	ret = pthread_create(&v->th[v->nr], &attr, vref_fn, &v->mem->cpu[cpu]);
	pthread_attr_destroy(&attr);
	if (ret)
		return ret;
	pthread_setname_np(v->th[v->nr++], SCX_VREF_COMM);
	return 0;
}

int scx_vref_start(struct scx_vref *v)
{
	cpu_set_t set;
	int c, last = -1, ret;

	if (sched_getaffinity(0, sizeof(set), &set))
		CPU_ZERO(&set);
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			last = c;
	ret = scx_vref_alloc(v, last + 1);
	if (ret)
		return ret;
	for (c = 0; c <= last; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		ret = vref_thread(v, c);
		if (ret == EPERM || ret == EACCES) {
			v->why = "no SCHED_FIFO reference (needs CAP_SYS_NICE)";
			break;
		}
		/* A CPU gone offline meanwhile (EINVAL): the others still measure. */
	}
	if (!v->nr && !v->why)
		v->why = "no SCHED_FIFO reference could start";
	v->t_start = scx_now_ns();
	return 0;
}

bool scx_vref_on(const struct scx_vref *v)
{
	int c;

	for (c = 0; v->mem && c < v->nr_ids; c++)
		if (atomic_load(&v->mem->cpu[c].last_ns))
			return true;
	return false;
}

static uint64_t overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	uint64_t lo = scx_max(a0, b0), hi = scx_min(a1, b1);

	return hi > lo ? hi - lo : 0;
}

uint64_t scx_vref_stalled(const struct scx_vref *v, int cpu, uint64_t from, uint64_t to,
			  uint64_t now)
{
	return scx_vref_cpu_stalled(scx_vref_cpu(v, cpu), from, to, now);
}

uint64_t scx_vref_cpu_stalled(const struct scx_vref_cpu *r, uint64_t from, uint64_t to,
			      uint64_t now)
{
	uint64_t last, sum = 0;
	unsigned int n, i;

	if (!r)
		return 0;
	last = atomic_load_explicit(&r->last_ns, memory_order_acquire);
	if (!last)
		return 0;
	n = atomic_load_explicit(&r->nstalls, memory_order_acquire);
	for (i = n > SCX_VREF_STALLS ? n - SCX_VREF_STALLS : 0; i < n; i++)
		sum += overlap(r->stall[i % SCX_VREF_STALLS].from,
			       r->stall[i % SCX_VREF_STALLS].to, from, to);
	/* Silent since: a stall still going on (its vCPU is not running). */
	if (now > last + SCX_VREF_PERIOD_NS + SCX_VREF_LATE_NS)
		sum += overlap(last + SCX_VREF_PERIOD_NS, now, from, to);
	return scx_min(sum, to > from ? to - from : 0);
}

uint64_t scx_vref_max_ns(const struct scx_vref *v)
{
	uint64_t max = v->max_ns;
	int c;

	for (c = 0; v->mem && c < v->nr_ids; c++)
		max = scx_max(max, (uint64_t)atomic_load(&v->mem->cpu[c].max_late_ns));
	return max;
}

void scx_vref_stop(struct scx_vref *v, unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct timespec ts, cpu;
	bool stuck = false;
	clockid_t cid;
	int i;

	if (!v->mem)
		return;
	v->max_ns = scx_vref_max_ns(v);
	v->threads = v->nr;
	v->ran_ns = v->nr ? scx_now_ns() - v->t_start : 0;
	for (i = 0; i < v->nr; i++)
		if (!pthread_getcpuclockid(v->th[i], &cid) && !clock_gettime(cid, &cpu))
			v->cpu_ns += (uint64_t)cpu.tv_sec * NSEC_PER_SEC + cpu.tv_nsec;
	atomic_store(&v->mem->stop, true);
	ts = (struct timespec){ .tv_sec = deadline / NSEC_PER_SEC,
				.tv_nsec = deadline % NSEC_PER_SEC };
	for (i = 0; i < v->nr; i++) {
		if (!pthread_clockjoin_np(v->th[i], NULL, CLOCK_MONOTONIC, &ts))
			continue;
		/* Its vCPU is not running: it ends when it does, with its memory. */
		pthread_detach(v->th[i]);
		stuck = true;
	}
	if (!stuck)
		free(v->mem);
	v->mem = NULL;
	free(v->th);
	v->th = NULL;
	v->nr = 0;
}
