/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach_bench: the kernel's side of each cycle, recorded by two threads
 * that neither waiter depends on.
 *
 *   - a NETLINK_KOBJECT_UEVENT listener: arrival (CLOCK_MONOTONIC) of
 *     add@/kernel/sched_ext/root and remove@..., and enable_seq read right
 *     after each add;
 *   - a /dev/kmsg reader: the timestamps of 'sched_ext: BPF scheduler "X"
 *     enabled' and '... disabled (...)'.  Those are local_clock() in us;
 *     clock probes (a record written to /dev/kmsg between two
 *     clock_gettime(CLOCK_MONOTONIC) calls) measure its offset from
 *     CLOCK_MONOTONIC, and ref_kmsg_offset() is their median.
 */
#ifndef __SCX_BENCH_REFERENCE_H
#define __SCX_BENCH_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

enum ref_kind { REF_UEV_ADD, REF_UEV_REMOVE, REF_K_ENABLED, REF_K_DISABLED, REF_K_PROBE };

struct ref_ev {
	enum ref_kind kind;
	uint64_t t;		/* uevent: arrival, CLOCK_MONOTONIC; kmsg: the record's ts, raw */
	int probe;		/* REF_K_PROBE: its number */
	long long seq;		/* REF_UEV_ADD: enable_seq read right after the arrival */
	char name[64];		/* SCXOPS= or the scheduler named in the kmsg line */
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

/* One clock probe; kept if the kernel log gives it back within 1 s. */
void ref_clock_probe(void);
const struct ref_probe *ref_probes(int *n);

/* Median probe offset (ns), to subtract from raw kmsg timestamps; 0 if none. */
int64_t ref_kmsg_offset(void);

/* sched_ext's enable_seq now, -1 if unreadable. */
long long ref_enable_seq(void);

#endif /* __SCX_BENCH_REFERENCE_H */
