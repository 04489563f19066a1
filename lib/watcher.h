/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: what watch.c (spawn to verdict) and hold.c (the hold window)
 * share, in watcher.c.  Private to those three files.
 */
#ifndef __SCX_ATTACH_WATCHER_H
#define __SCX_ATTACH_WATCHER_H

#include "watch.h"

struct watcher {
	struct scx_waiter wt;
	const struct scx_cfg *cfg;
	struct scx_child *c;
	struct scx_result *r;
	const char *expect_ops;
	/*
	 * The kernel's "disabled" lines since the spawn that are accounted for
	 * once attached: ended an earlier scheduler or a restart.  The next
	 * one ends the newest attach.
	 */
	int exits;
	uint64_t blind_since;	/* the files could not be read since then; 0: they could */
	int blind_err;		/* why, -errno */
};

/* Wait until @deadline or news, and count what woke us. */
enum scx_wake scx_w_wait(struct watcher *w, uint64_t deadline);
void scx_w_verdict(struct watcher *w, enum scx_verdict v, enum scx_wake by);
/* "exited with status 1", "was killed by signal 11 (...)". */
void scx_w_describe_exit(const struct scx_child *c, char *buf, size_t len);
/*
 * Wait, bounded, until the kernel has logged why sched_ext disabled its
 * @nth scheduler since the spawn (1-based).  True with r->reason set.
 */
bool scx_w_await_reason(struct watcher *w, int nth);
/* Did the kernel end the last attach asking the loader to come back? */
bool scx_w_restart_asked(const struct scx_result *r);
/* Wait, bounded, for a refused loader to exit by itself; true if it did. */
bool scx_w_await_exit(struct watcher *w);
/* It was attached and something ended it: ejected, or died after attach. */
void scx_w_classify_after(struct watcher *w, enum scx_wake by);
/*
 * It was attached and is not now (or its process is gone).  Each exit the
 * kernel logged that asked for a restart and was followed by a newer
 * attach is a restart; the newest exit decides.  True if it is attached
 * again; false with the verdict given.
 */
bool scx_w_survive_detach(struct watcher *w, enum scx_wake by);

/*
 * Read sched_ext's files into r->last.  A read that fails is not known,
 * never evidence: r->last keeps the last real state, and false.
 */
bool scx_w_look(struct watcher *w);
/* When to look next: soon while the files could not be read, for a bounded while. */
uint64_t scx_w_next_look(const struct watcher *w, uint64_t next);
/* The files could not be read, for less than that while: keep looking. */
bool scx_w_blind(const struct watcher *w);

#endif /* __SCX_ATTACH_WATCHER_H */
