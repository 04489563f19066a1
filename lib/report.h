/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: say what happened, what was seen, and what to check.
 */
#ifndef __SCX_ATTACH_REPORT_H
#define __SCX_ATTACH_REPORT_H

#include <stdio.h>

#include "watch.h"

#define SCX_REPORT_TAIL_LINES	20

const char *scx_wake_name(enum scx_wake w);

/* One "# verdict: ..." line with timings and the deciding wake source. */
void scx_report_summary(FILE *f, const struct scx_result *r);

/*
 * "# result: verdict=KEY attach_ms=N|- [restarts=N] [@more]": one line for
 * matrix runners; @more adds key=value pairs (NULL: none).
 */
void scx_report_result(FILE *f, const struct scx_result *r, const char *more);

/*
 * The failure dump, as TAP diagnostic lines ("# ..."): the summary,
 * the scheduler's log tail with its last non-empty line called out as the
 * fingerprint, the kernel's sched_ext lines, the sysfs state, the hint.
 * Scheduler output is sanitized: it never reaches the stream raw.
 */
void scx_report(FILE *f, const struct scx_result *r, const struct scx_child *c,
		const char *cmdline);

#endif /* __SCX_ATTACH_REPORT_H */
