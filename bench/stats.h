/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach_bench: distributions of per-cycle measurements.
 */
#ifndef __SCX_BENCH_STATS_H
#define __SCX_BENCH_STATS_H

/* Nearest-rank percentiles of the finite values; NAN where there are none. */
struct dist {
	int n;
	double min, p50, p95, max;
};

struct dist dist_of(const double *v, int n);

#endif /* __SCX_BENCH_STATS_H */
