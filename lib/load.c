// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: a small, bounded load to run while a scheduler holds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "load.h"

static bool load_done(struct scx_load *l)
{
	return atomic_load_explicit(&l->stop, memory_order_relaxed) || scx_now_ns() >= l->deadline;
}

static void *load_fn(void *p)
{
	struct scx_load_arg *a = p;
	struct timespec ms = { .tv_nsec = NSEC_PER_MSEC };
	volatile unsigned long spin = 0;
	int i;

	while (!load_done(a->l)) {
		if (a->sleeper) {
			/* Sleep/wake traffic is the point here, not a wait. */
			nanosleep(&ms, NULL);
		} else {
			for (i = 0; i < 100000; i++)
				spin++;
		}
	}
	return NULL;
}

int scx_load_start(struct scx_load *l, unsigned int ms)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char name[16];
	int i, ret;

	memset(l, 0, sizeof(*l));
	l->deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	if (cpus < 1)
		cpus = 1;
	/* Two CPU-bound and two sleep/wake threads per CPU, capped. */
	for (i = 0; i < 4 * cpus && i < SCX_LOAD_MAX_THREADS; i++) {
		l->args[i].l = l;
		l->args[i].sleeper = i & 1;
		ret = pthread_create(&l->th[i], NULL, load_fn, &l->args[i]);
		if (ret) {
			scx_load_stop(l, 1000);
			return -ret;
		}
		snprintf(name, sizeof(name), SCX_LOAD_COMM "_%d", i);
		pthread_setname_np(l->th[i], name);
		l->nr++;
	}
	return 0;
}

int scx_load_stop(struct scx_load *l, unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct timespec ts;
	int i, ret = 0;

	atomic_store(&l->stop, true);
	for (i = 0; i < l->nr; i++) {
		/* pthread_timedjoin_np() takes CLOCK_REALTIME. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += scx_ms_until(deadline) / 1000;
		ts.tv_nsec += (scx_ms_until(deadline) % 1000) * NSEC_PER_MSEC;
		if (ts.tv_nsec >= (long)NSEC_PER_SEC) {
			ts.tv_sec++;
			ts.tv_nsec -= NSEC_PER_SEC;
		}
		if (pthread_timedjoin_np(l->th[i], NULL, &ts)) {
			/* A stalled thread: it exits once it runs again. */
			pthread_detach(l->th[i]);
			ret = -ETIMEDOUT;
		}
	}
	l->nr = 0;
	return ret;
}
