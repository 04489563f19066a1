/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach_bench: the kernel's side of each cycle, recorded by two threads
 * that neither waiter depends on.
 *
 *   - a NETLINK_KOBJECT_UEVENT listener: arrival (CLOCK_MONOTONIC) of
 *     every uevent below /kernel/sched_ext: the root's add and remove (and
 *     enable_seq read right after each add), a sub-scheduler's (a
 *     .../sub/sub-<cgroup id> devpath), and any other (a sub/ kset's);
 *   - a /dev/kmsg reader: the timestamps of 'sched_ext: BPF scheduler "X"
 *     enabled' and '... disabled (...)', and the same of a 'BPF
 *     sub-scheduler'.  Those are local_clock() in us;
 *     clock probes (a record written to /dev/kmsg between two
 *     clock_gettime(CLOCK_MONOTONIC) calls) measure its offset from
 *     CLOCK_MONOTONIC, and ref_kmsg_offset() is their median.
 */
#ifndef __SCX_BENCH_REFERENCE_H
#define __SCX_BENCH_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

enum ref_kind {
	REF_UEV_ADD, REF_UEV_REMOVE, REF_K_ENABLED, REF_K_DISABLED, REF_K_PROBE,
	REF_UEV_SUB_ADD, REF_UEV_SUB_REMOVE,	/* a sub-scheduler's kobject */
	REF_UEV_OTHER,				/* below sched_ext, neither */
	REF_K_SUB_ENABLED, REF_K_SUB_DISABLED,
};

struct ref_ev {
	enum ref_kind kind;
	uint64_t t;		/* uevent: arrival, CLOCK_MONOTONIC; kmsg: the record's ts, raw */
	int probe;		/* REF_K_PROBE: its number */
	long long seq;		/* REF_UEV_ADD: enable_seq read right after the arrival */
	char name[64];		/* SCXOPS= or the scheduler named in the kmsg line */
	char action[16];	/* uevent: its action */
	char devpath[128];	/* uevent: its devpath */
};

struct ref_probe {
	uint64_t t;		/* CLOCK_MONOTONIC at the write */
	int64_t offset;		/* kmsg ts - CLOCK_MONOTONIC at the write's midpoint, ns */
	uint64_t width;		/* the write's duration: the offset's uncertainty */
};

/* Start both threads on the sched_ext root @sysfs; 0 once they listen. */
int ref_start(const char *sysfs);

/* Where the events recorded from now on begin. */
int ref_mark(void);

/*
 * The first event of @kind at or after mark @from (name prefix @name,
 * probe number @probe if >= 0), waiting at most @ms.  False if none.
 */
bool ref_wait(enum ref_kind kind, int from, const char *name, int probe, unsigned int ms,
	      struct ref_ev *out);

/* The events recorded from mark @from to @to, at most @max; how many. */
int ref_events(int from, int to, struct ref_ev *out, int max);

/* One clock probe; kept if the kernel log gives it back within 1 s. */
void ref_clock_probe(void);
const struct ref_probe *ref_probes(int *n);

/* Median probe offset (ns), to subtract from raw kmsg timestamps; 0 if none. */
int64_t ref_kmsg_offset(void);

/* sched_ext's enable_seq now, -1 if unreadable. */
long long ref_enable_seq(void);

#endif /* __SCX_BENCH_REFERENCE_H */
