// SPDX-License-Identifier: GPL-2.0
/*
 * attach_bench: distributions of per-cycle measurements.
 */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct dist dist_of(const double *v, int n)
{
	double *s = malloc(sizeof(*s) * (n ? n : 1));
	struct dist d = { 0, NAN, NAN, NAN, NAN };
	int i, m = 0;

	if (!s)
		return d;
	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			s[m++] = v[i];
	if (m) {
		qsort(s, m, sizeof(*s), cmp_dbl);
		d.n = m;
		d.min = s[0];
		d.p50 = s[(int)ceil(0.50 * m) - 1];
		d.p95 = s[(int)ceil(0.95 * m) - 1];
		d.max = s[m - 1];
	}
	free(s);
	return d;
}
