/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach_bench: the tables, from the cycles of one run.
 */
#ifndef __SCX_BENCH_TABLE_H
#define __SCX_BENCH_TABLE_H

#include <stdio.h>

#include "cycle.h"
#include "subcycle.h"
#include "stats.h"

struct run_info {
	int64_t kmsg_offset;	/* subtracted from raw kmsg timestamps, ns */
	struct dist read_cost;	/* one lib/ look at the sysfs files while idle, us */
};

/* The comparison table, the wakeups and the targets. */
void table_attach(FILE *f, const struct bench *b, const struct run_info *ri,
		  const struct cycle *cy, int n);

/* How late lib/ names a rejection whose process lives on. */
void table_reject(FILE *f, const struct bench *b, const struct run_info *ri,
		  const struct cycle *cy, int n);

/* The child's attach beneath a parent, next to the root's lib/ figures. */
void table_sub(FILE *f, const struct bench *b, const struct run_info *ri,
	       const struct cycle *cy, int n, const struct sub_run *sr,
	       const struct sub_cycle *sc, int ns);

/* One line per cycle (-v). */
void table_cycle(FILE *f, const struct bench *b, const struct run_info *ri, int idx,
		 const struct cycle *cy);

#endif /* __SCX_BENCH_TABLE_H */
