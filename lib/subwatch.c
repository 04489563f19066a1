// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: watch a child scheduler from spawn to verdict beneath an
 * attached parent.  The root's files say nothing of a child (state and
 * enable_seq do not move): its sub-<cgroup id> directory under the
 * parent's sub/, with ops naming it, and the kernel's "BPF sub-scheduler"
 * records do.  Waiting is the waiter's; every decision re-reads the files.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "stress.h"
#include "subwatch.h"
#include "waiter.h"

/* After the loader exits, how long the kernel gets to log why. */
#define REASON_WAIT_MS	1500
/* After the stop, how long the child's directory gets to go. */
#define GONE_WAIT_MS	5000

struct subwatch {
	const struct scx_cfg *cfg;
	struct scx_sub_result *r;
	const char *expect_ops;
	unsigned long long want_cgid;	/* 0: any new child */
	bool want_msg;		/* the record after a "disabled" one may be its message */
	char name[SCX_OPS_LEN];	/* the name in that record */
	bool want_pmsg;		/* the same for the parent's (at the root) */
	char pname[SCX_OPS_LEN];
	int nuev;		/* children the kernel sent an "add" uevent for */
	unsigned long long uev_cgid[SCX_UEVENT_SUBS];
};

/*
 * The kernel sends a child's "add" uevent right after it logs the child
 * enabled: either one says so, and the uevent also wakes the waiter where
 * the kernel log cannot be read.
 */
static void take_uevents(struct subwatch *sw, struct scx_waiter *w)
{
	int i;

	for (i = 0; i < w->uev.nsub; i++)
		if (scx_ops_match(w->uev.sub[i].ops, sw->expect_ops) && sw->nuev < SCX_UEVENT_SUBS)
			sw->uev_cgid[sw->nuev++] = w->uev.sub[i].cgid;
	w->uev.nsub = 0;
}

static bool uevent_enabled(const struct subwatch *sw, unsigned long long cgid)
{
	int i;

	for (i = 0; cgid && i < sw->nuev; i++)
		if (sw->uev_cgid[i] == cgid)
			return true;
	return false;
}

/* The message line after a "disabled" record: "sched_ext: NAME: MESSAGE". */
static bool take_msg(const char *msg, const char *name, char *out, size_t len)
{
	char prefix[SCX_OPS_LEN + 16];

	snprintf(prefix, sizeof(prefix), "sched_ext: %s: ", name);
	if (strncmp(msg, prefix, strlen(prefix)))
		return false;
	snprintf(out, len, "%s", msg + strlen(prefix));
	return true;
}

/* The root's "BPF scheduler \"NAME\" disabled (REASON)": the parent's, at level 0. */
static void on_root_record(struct subwatch *sw, const char *msg)
{
	static const char tag[] = "BPF scheduler \"";
	struct scx_sub_result *r = sw->r;
	char reason[SCX_REASON_LEN];
	const char *p = strstr(msg, tag), *end;

	if (!p || strcmp(r->parent_dir, "root") ||
	    scx_kline_parse(msg, reason, sizeof(reason), NULL) != SCX_KLINE_DISABLED)
		return;
	p += strlen(tag);
	end = strchr(p, '"');
	if (!end)
		return;
	snprintf(sw->pname, sizeof(sw->pname), "%.*s", (int)(end - p), p);
	snprintf(r->preason, sizeof(r->preason), "%s", reason);
	sw->want_pmsg = true;
}

/* Every kernel record: the child's enable and disable, and the message after. */
static void on_record(void *arg, const struct scx_krec *rec)
{
	struct subwatch *sw = arg;
	struct scx_sub_result *r = sw->r;
	char name[SCX_OPS_LEN], reason[SCX_REASON_LEN];
	enum scx_sub_kline k;

	if (sw->want_msg) {
		sw->want_msg = false;
		if (take_msg(rec->msg, sw->name, r->msg, sizeof(r->msg))) {
			r->obs.cause = scx_sub_cause_of(r->reason, r->msg);
			return;
		}
	}
	if (sw->want_pmsg) {
		sw->want_pmsg = false;
		if (take_msg(rec->msg, sw->pname, r->pmsg, sizeof(r->pmsg)))
			return;
	}
	k = scx_sub_kline_parse(rec->msg, name, sizeof(name), reason, sizeof(reason));
	if (k == SCX_SUB_KLINE_OTHER)
		on_root_record(sw, rec->msg);
	if (k == SCX_SUB_KLINE_OTHER || !scx_ops_match(name, sw->expect_ops))
		return;
	if (k == SCX_SUB_KLINE_ENABLED) {
		r->obs.enabled = true;
		r->t_enabled_us = rec->ts_us;
		return;
	}
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	snprintf(sw->name, sizeof(sw->name), "%s", name);
	r->obs.cause = scx_sub_cause_of(reason, "");
	sw->want_msg = true;
}

/* The root as it was before the child: the parent still holds sched_ext. */
static bool root_intact(const struct scx_snap *now, const struct scx_snap *before)
{
	return now->state == SCX_STATE_ENABLED && now->root &&
	       !strcmp(now->ops, before->ops) && now->enable_seq == before->enable_seq;
}

/* One look at everything; returns the outcome so far. */
static enum scx_sub_outcome look(struct subwatch *sw, struct scx_waiter *w,
				 struct scx_child *parent, struct scx_child *c)
{
	struct scx_sub_result *r = sw->r;
	struct scx_sub_list now;
	int i;

	if (r->kmsg)
		scx_kmsg_collect(&r->klog);
	take_uevents(sw, w);
	/* Nobody else reads the parent's output now; the child's last words count. */
	if (parent && parent->pid > 0 && !parent->exited)
		scx_log_drain(&parent->log);
	scx_log_drain(&c->log);
	if (scx_sysfs_read(&w->sys, &r->root_last))
		r->root_last.state = SCX_STATE_UNKNOWN;
	scx_sub_read(w->sys.dfd, r->parent_dir, &now);
	if (!r->cgid) {
		i = scx_sub_find_new(&r->before, &now, sw->expect_ops, sw->want_cgid);
		if (i >= 0) {
			r->cgid = now.e[i].cgid;
			snprintf(r->dir, sizeof(r->dir), "%.150s/sub/sub-%llu", r->parent_dir,
				 r->cgid);
		}
	}
	if (!r->obs.enabled && uevent_enabled(sw, r->cgid))
		r->obs.enabled = r->enabled_by_uevent = true;
	r->obs.present = r->cgid && scx_sub_present(&now, r->cgid, sw->expect_ops);
	if (r->obs.present)
		r->obs.appeared = true;
	r->obs.exited = scx_child_poll(c) > 0;
	r->obs.parent_alive = parent ? !scx_child_poll(parent) : now.parent;
	r->obs.parent_attached = root_intact(&r->root_last, &r->root_before) && now.parent;
	r->pfate = scx_sub_pfate_of(&(struct scx_sub_pobs){
		.alive = r->obs.parent_alive, .attached = r->obs.parent_attached,
		.killed = parent && parent->exited && parent->code != CLD_EXITED,
		.reason = r->preason,
	});
	return scx_sub_classify(&r->obs);
}

/*
 * The child goes first when its parent exits: the parent's record
 * follows once the root is torn down, which can take seconds under
 * emulation.  A killed loader is reaped only after it too (its exit
 * closes the link, and that waits for the disable): "unregistered from
 * user space" from a loader still alive is killed or left by what it
 * does next.
 */
static bool parent_words_due(const struct subwatch *sw)
{
	const struct scx_sub_result *r = sw->r;

	if (!r->kmsg || strcmp(r->parent_dir, "root"))
		return false;
	if (r->preason[0])
		return !strcmp(r->preason, "unregistered from user space") && r->obs.parent_alive;
	return r->pfate != SCX_SUB_PFATE_INTACT || r->obs.cause == SCX_SUB_CAUSE_PARENT_EXIT;
}

/*
 * The kernel's words are due: a "disabled" record's message line, the
 * reason a linked child's loader left, or the parent's own record once it
 * broke.  The kernel writes each before the loader it concerns can see it
 * (ops.exit() comes after the log), so this wait is short.
 */
static bool words_due(const struct subwatch *sw)
{
	const struct scx_sub_result *r = sw->r;

	if (!r->kmsg)
		return false;
	if (sw->want_msg || sw->want_pmsg)
		return true;
	if (r->obs.exited && r->obs.cause == SCX_SUB_CAUSE_NONE &&
	    (r->obs.appeared || r->obs.enabled))
		return true;
	return parent_words_due(sw);
}

/* Once something is decided, give the kernel a moment to say why. */
static enum scx_sub_outcome settle(struct subwatch *sw, struct scx_waiter *w,
				   struct scx_child *parent, struct scx_child *c)
{
	uint64_t t0 = scx_now_ns(), dl = t0 + REASON_WAIT_MS * NSEC_PER_MSEC;
	uint64_t pdl = t0 + scx_max(REASON_WAIT_MS, sw->cfg->grace_ms) * NSEC_PER_MSEC;
	enum scx_sub_outcome o = look(sw, w, parent, c);

	for (;;) {
		if (parent_words_due(sw) && dl < pdl)
			dl = pdl;
		if (!words_due(sw) || scx_now_ns() >= dl)
			break;
		scx_waiter_wait(w, dl);
		o = look(sw, w, parent, c);
	}
	return o;
}

/* The hold's loads, from the child's verdict to the end of the hold. */
struct subhold {
	struct scx_subload c, p;
	struct scx_stress st;
	bool on_p;
	struct scx_bypass bc, bp;	/* the child's and the root's, at the start */
};

static int loads_start(const struct scx_cfg *cfg, const struct scx_sub_loads *loads, int dfd,
		       struct scx_sub_result *r, struct subhold *h)
{
	unsigned int gap = scx_stress_default_gap_ms(cfg->emulated);
	unsigned int ms = cfg->hold_ms + cfg->grace_ms;
	char err[SCX_ERR_LEN], all[8] = "1";
	bool ext;
	int ret;

	/* switch_all 0: a partial root, which runs SCHED_EXT tasks only. */
	scx_read_small_at(dfd, "switch_all", 0, all, sizeof(all));
	ext = all[0] == '0';
	scx_bypass_read(dfd, r->dir, &h->bc);
	scx_bypass_read(dfd, "root", &h->bp);
	if (cfg->stress_ms) {
		struct scx_stress_opts so = { .ms = cfg->stress_ms, .max_gap_ms = gap,
					      .cgroup = loads->child_cg };

		/* Its private tree below the child's cgroup: every worker is the child's. */
		ret = scx_stress_start(&h->st, &so, err, sizeof(err));
		if (ret) {
			snprintf(r->detail, sizeof(r->detail), "the stress load: %.200s", err);
			return ret;
		}
		r->stressed = true;
		return 0;
	}
	ret = scx_subload_start(&h->c, loads->child_cg, ms, gap, ext, err, sizeof(err));
	if (!ret && loads->parent_cg) {
		ret = scx_subload_start(&h->p, loads->parent_cg, ms, gap, ext, err, sizeof(err));
		if (ret)
			scx_subload_stop(&h->c, cfg->grace_ms, &r->lc);
		h->on_p = !ret;
	}
	if (ret) {
		snprintf(r->detail, sizeof(r->detail), "the hold's load: %.200s", err);
		return ret;
	}
	r->loaded = true;
	return 0;
}

/*
 * Stop the loads and judge who ran them: the child its cgroup's, the
 * parent the rest.  -errno: a load failed, nothing decided (detail says).
 */
static int loads_stop(const struct scx_cfg *cfg, const struct scx_sub_loads *loads, int dfd,
		      struct scx_sub_result *r, struct subhold *h, enum scx_sub_outcome *o)
{
	char line[SCX_REASON_LEN];
	struct scx_bypass now;
	int rc, rp = 0, i;

	if (r->stressed) {
		scx_stress_stop(&h->st, cfg->grace_ms, &r->stress);
		if (r->stress.err) {
			snprintf(r->detail, sizeof(r->detail), "the stress load broke: %.200s",
				 r->stress.detail);
			return r->stress.err;
		}
		/* Its last line names the worker that starved. */
		for (i = 0; scx_stress_line(&r->stress, i, line, sizeof(line)); i++)
			;
		snprintf(r->load_child, sizeof(r->load_child), "in %.100s (stress): %.300s",
			 loads->child_cg, line);
		if (*o == SCX_SUB_ATTACHED && r->stress.starved)
			*o = SCX_SUB_STARVED;
		return 0;
	}
	scx_subload_stop(&h->c, cfg->grace_ms, &r->lc);
	scx_subload_stop(&h->p, cfg->grace_ms, &r->lp);
	scx_bypass_read(dfd, r->dir, &now);
	rc = scx_subload_judge(&r->lc, loads->child_cg, &h->bc, &now, r->load_child,
			       sizeof(r->load_child));
	if (h->on_p) {
		scx_bypass_read(dfd, "root", &now);
		rp = scx_subload_judge(&r->lp, loads->parent_cg, &h->bp, &now, r->load_parent,
				       sizeof(r->load_parent));
	}
	if (rc < 0 || rp < 0) {
		snprintf(r->detail, sizeof(r->detail), "the %s load could not be judged: %.300s",
			 rc < 0 ? "child's" : "parent's", rc < 0 ? r->load_child : r->load_parent);
		return rc < 0 ? rc : rp;
	}
	if (*o != SCX_SUB_ATTACHED)
		return 0;
	if (rc)
		*o = SCX_SUB_STARVED;
	else if (rp)
		*o = SCX_SUB_PARENT_BROKE;
	return 0;
}

static void describe(struct scx_sub_result *r, const struct scx_child *c)
{
	char tail[512], which[SCX_SUB_DIR_LEN + 128] = "";
	bool named;

	switch (r->outcome) {
	case SCX_SUB_STARVED:
		snprintf(r->detail, sizeof(r->detail),
			 "attached as %.150s (cgroup id %llu), but the load in its cgroup did not run under it: %.200s",
			 r->dir, r->cgid, r->load_child);
		break;
	case SCX_SUB_PARENT_BROKE:
		if (!r->load_parent[0] || !r->obs.parent_alive || !r->obs.parent_attached)
			goto other;
		snprintf(r->detail, sizeof(r->detail),
			 "the parent did not run the load outside the child's cgroup: %.300s",
			 r->load_parent);
		break;
	case SCX_SUB_ATTACHED:
		snprintf(r->detail, sizeof(r->detail),
			 "attached as %s (cgroup id %llu), the root's ops, state and enable_seq unchanged",
			 r->dir, r->cgid);
		break;
	case SCX_SUB_REFUSED:
		scx_log_tail(&c->log, tail, sizeof(tail));
		r->refusal = scx_sub_refusal_of(tail);
		/* EBUSY has two causes: the parent's sub/ before the spawn may tell which. */
		if (r->refusal == SCX_SUB_REFUSED_BUSY && r->want_cgid &&
		    scx_sub_present(&r->before, r->want_cgid, NULL))
			snprintf(which, sizeof(which),
				 "; here the first: %s/sub/sub-%llu, a scheduler on its cgroup, was there before it",
				 r->parent_dir, r->want_cgid);
		snprintf(r->detail, sizeof(r->detail),
			 "exited (status %d) without a sub-<cgroup id> directory under %s/sub or a kernel record: %s%s",
			 c->status, r->parent_dir, scx_sub_refusal_hint(r->refusal), which);
		break;
	case SCX_SUB_WAITING:
		snprintf(r->detail, sizeof(r->detail),
			 "alive, but no child with its ops under %s/sub with the kernel's \"enabled\" record within the windows (seen: directory %s, record %s)",
			 r->parent_dir, r->obs.appeared ? "yes" : "no",
			 r->obs.enabled ? "yes" : "no");
		break;
	case SCX_SUB_DIED:
		snprintf(r->detail, sizeof(r->detail),
			 "died after attach: its loader %s %d%s%s%s",
			 c->code == CLD_EXITED ? "exited with status" : "was killed by signal",
			 c->status, r->reason[0] ? "; kernel: disabled (" : "", r->reason,
			 r->reason[0] ? ")" : "");
		break;
	default:
other:
		/* The kernel's reason, as this harness reads it, then its words. */
		named = r->obs.cause != SCX_SUB_CAUSE_NONE && r->outcome != SCX_SUB_PARENT_GONE;
		snprintf(r->detail, sizeof(r->detail), "%s%s%s%s%.200s%s%s%.200s",
			 scx_sub_outcome_name(r->outcome), named ? ": " : "",
			 named ? scx_sub_cause_name(r->obs.cause) : "",
			 r->reason[0] ? "; kernel: disabled (" : "", r->reason,
			 r->reason[0] ? ")" : "", r->msg[0] ? ": " : "", r->msg);
		break;
	}
}

int scx_sub_run(const struct scx_cfg *cfg, const char *parent_dir, struct scx_child *parent,
		const char *bin, char *const argv[], const char *expect_ops,
		unsigned long long cgid, struct scx_child *c, struct scx_sub_result *r)
{
	return scx_sub_run_loaded(cfg, parent_dir, parent, bin, argv, expect_ops, cgid, NULL, c,
				  r);
}

int scx_sub_run_loaded(const struct scx_cfg *cfg, const char *parent_dir,
		       struct scx_child *parent, const char *bin, char *const argv[],
		       const char *expect_ops, unsigned long long cgid,
		       const struct scx_sub_loads *loads, struct scx_child *c,
		       struct scx_sub_result *r)
{
	struct subhold h = { .c.pid = -1, .c.stop = -1, .p.pid = -1, .p.stop = -1 };
	struct subwatch sw = { .cfg = cfg, .r = r, .expect_ops = expect_ops, .want_cgid = cgid };
	enum scx_wake wake = SCX_WAKE_NONE;
	uint64_t gate_dl, wall_dl, hold_dl;
	enum scx_sub_outcome o;
	struct scx_waiter w;
	int ret;

	memset(r, 0, sizeof(*r));
	r->klog.fd = -1;
	snprintf(r->parent_dir, sizeof(r->parent_dir), "%s", parent_dir);
	ret = scx_waiter_open(&w, cfg, NULL);
	if (ret) {
		snprintf(r->detail, sizeof(r->detail), "cannot open %.200s: %s", cfg->sysfs,
			 strerror(-ret));
		return ret;
	}
	scx_sysfs_read(&w.sys, &r->root_before);
	scx_sub_read(w.sys.dfd, parent_dir, &r->before);
	r->cgid = 0;
	r->want_cgid = cgid;
	r->kmsg = !scx_kmsg_open(&r->klog, cfg->kmsg);
	if (r->kmsg) {
		r->klog.fn = on_record;
		r->klog.arg = &sw;
	}
	scx_waiter_close(&w);

	ret = scx_spawn(c, cfg, bin, argv, r->detail, sizeof(r->detail));
	r->t_spawn = c->t_spawn;
	if (ret)
		return ret;
	ret = scx_waiter_open(&w, cfg, c);
	if (ret) {
		snprintf(r->detail, sizeof(r->detail), "cannot open %.200s: %s", cfg->sysfs,
			 strerror(-ret));
		return ret;
	}
	scx_waiter_watch_kmsg(&w, r->kmsg ? &r->klog : NULL);

	gate_dl = c->t_spawn + cfg->gate_ms * NSEC_PER_MSEC;
	wall_dl = c->t_spawn + cfg->wall_ms * NSEC_PER_MSEC;
	for (;;) {
		o = look(&sw, &w, parent, c);
		if (o == SCX_SUB_ATTACHED && !r->t_attach) {
			r->t_attach = scx_now_ns() - c->t_spawn;
			r->attach_by = wake;
		}
		if (r->obs.exited || (o != SCX_SUB_WAITING && o != SCX_SUB_ATTACHED))
			break;
		if (o == SCX_SUB_ATTACHED && scx_now_ns() >= gate_dl)
			break;
		if (scx_now_ns() >= wall_dl || scx_child_cpu_ns(c) > cfg->attach_ms * NSEC_PER_MSEC)
			break;
		wake = scx_waiter_wait(&w, o == SCX_SUB_ATTACHED ? gate_dl : wall_dl);
	}
	if (o != SCX_SUB_ATTACHED)
		o = settle(&sw, &w, parent, c);
	r->t_verdict = scx_now_ns() - c->t_spawn;

	/* The hold: the child stays, the parent stays, each runs its load. */
	if (o == SCX_SUB_ATTACHED && loads && (cfg->load || cfg->stress_ms)) {
		ret = loads_start(cfg, loads, w.sys.dfd, r, &h);
		if (ret) {
			scx_waiter_close(&w);
			r->klog.fn = NULL;
			return ret;
		}
	}
	hold_dl = scx_now_ns() + scx_max(cfg->hold_ms, r->stressed ? cfg->stress_ms : 0) *
		  NSEC_PER_MSEC;
	if (r->stressed)
		w.aux[0] = scx_stress_fd(&h.st);
	while (o == SCX_SUB_ATTACHED && scx_now_ns() < hold_dl) {
		scx_waiter_wait(&w, r->stressed ? scx_min(hold_dl, scx_stress_next_ns(&h.st)) :
						  hold_dl);
		o = look(&sw, &w, parent, c);
		if (o != SCX_SUB_ATTACHED)
			o = settle(&sw, &w, parent, c);
		/* A worker starved, or the load broke: the stop says which. */
		if (r->stressed && scx_stress_check(&h.st))
			break;
	}
	w.aux[0] = -1;
	if (r->loaded || r->stressed) {
		ret = loads_stop(cfg, loads, w.sys.dfd, r, &h, &o);
		if (ret) {
			scx_waiter_close(&w);
			r->klog.fn = NULL;
			return ret;
		}
	}
	r->outcome = o;
	describe(r, c);
	scx_waiter_close(&w);
	/* @sw goes with this frame. */
	r->klog.fn = NULL;
	return 0;
}

void scx_sub_judge_end(const struct scx_cfg *cfg, struct scx_child *c, struct scx_sub_result *r)
{
	struct subwatch sw = { .cfg = cfg, .r = r, .expect_ops = NULL, .want_cgid = r->cgid };
	uint64_t dl = scx_now_ns() + cfg->grace_ms * NSEC_PER_MSEC;
	struct scx_waiter w;

	if (scx_waiter_open(&w, cfg, c))
		return;
	if (r->kmsg) {
		r->klog.fn = on_record;
		r->klog.arg = &sw;
		scx_waiter_watch_kmsg(&w, &r->klog);
	}
	for (;;) {
		/* The parent is gone by design: judge the child alone. */
		look(&sw, &w, NULL, c);
		r->obs.parent_alive = r->obs.parent_attached = true;
		if ((r->obs.exited && r->obs.cause != SCX_SUB_CAUSE_NONE) || scx_now_ns() >= dl)
			break;
		scx_waiter_wait(&w, dl);
	}
	r->outcome = scx_sub_classify(&r->obs);
	describe(r, c);
	scx_waiter_close(&w);
	r->klog.fn = NULL;
}

int scx_sub_finish(const struct scx_cfg *cfg, struct scx_child *c, struct scx_sub_result *r,
		   char *detail, size_t len)
{
	uint64_t dl = scx_now_ns() + GONE_WAIT_MS * NSEC_PER_MSEC;
	struct scx_sub_list l = { 0 };
	struct scx_waiter w;
	int ret = 0;

	if (c->pid > 0 && scx_child_stop(c, cfg->grace_ms)) {
		snprintf(detail, len, "the child scheduler (pid %d) would not die", c->pid);
		ret = -ETIMEDOUT;
	}
	if (r->cgid && !scx_waiter_open(&w, cfg, NULL)) {
		/* Its uevent ("remove") or the fallback cadence wakes us. */
		for (;;) {
			scx_sub_read(w.sys.dfd, r->parent_dir, &l);
			if (!scx_sub_present(&l, r->cgid, NULL) || scx_now_ns() >= dl)
				break;
			scx_waiter_wait(&w, dl);
		}
		if (scx_sub_present(&l, r->cgid, NULL) && !ret) {
			snprintf(detail, len, "%s still there %d ms after the child stopped",
				 r->dir, GONE_WAIT_MS);
			ret = -ETIMEDOUT;
		}
		scx_waiter_close(&w);
	}
	if (r->kmsg) {
		scx_kmsg_collect(&r->klog);
		scx_kmsg_close(&r->klog);
		r->kmsg = false;
	}
	return ret;
}
