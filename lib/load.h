/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: a small, bounded load to run while a scheduler holds.
 *
 * An idle machine hides schedulers that never dispatch some tasks: with a
 * few CPU-bound and a few sleep/wake threads per CPU, such a scheduler is
 * ejected by the kernel's watchdog inside the hold window.
 */
#ifndef __SCX_ATTACH_LOAD_H
#define __SCX_ATTACH_LOAD_H

#include <pthread.h>
#include <stdatomic.h>

#include "common.h"

#define SCX_LOAD_MAX_THREADS	64
#define SCX_LOAD_COMM		"scx_load"	/* thread names start with this */

struct scx_load;

struct scx_load_arg {
	struct scx_load *l;
	bool sleeper;
};

struct scx_load {
	pthread_t th[SCX_LOAD_MAX_THREADS];
	struct scx_load_arg args[SCX_LOAD_MAX_THREADS];
	int nr;
	atomic_bool stop;
	uint64_t deadline;	/* threads stop by themselves after it */
};

/* Start the load; it ends by itself @ms from now at the latest. */
int scx_load_start(struct scx_load *l, unsigned int ms);

/* Stop and join within @ms; -ETIMEDOUT if some thread never ran again. */
int scx_load_stop(struct scx_load *l, unsigned int ms);

#endif /* __SCX_ATTACH_LOAD_H */
