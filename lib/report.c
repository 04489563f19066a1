// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: say what happened, what was seen, and what to check.
 */
#include <ctype.h>
#include <string.h>

#include "hint.h"
#include "report.h"

#define LINE_MAX_SHOWN	200

static const char *const wake_names[SCX_WAKE_NR] = {
	[SCX_WAKE_NONE] = "none",
	[SCX_WAKE_UEVENT] = "uevent",
	[SCX_WAKE_PIDFD] = "pidfd",
	[SCX_WAKE_INOTIFY] = "inotify",
	[SCX_WAKE_OUTPUT] = "output",
	[SCX_WAKE_TIMER] = "timer",
	[SCX_WAKE_AUX] = "stress/hotplug",
	[SCX_WAKE_KMSG] = "kmsg",
};

const char *scx_wake_name(enum scx_wake w)
{
	return w < SCX_WAKE_NR ? wake_names[w] : "?";
}

/* What the hold ran next to the scheduler: the stress load, CPU hotplug. */
static void put_hold(FILE *f, const struct scx_result *r)
{
	const struct scx_hotplug_op *op;
	char line[SCX_REASON_LEN];
	int i;

	for (i = 0; r->stressed && scx_stress_line(&r->stress, i, line, sizeof(line)); i++)
		fprintf(f, "# %s\n", line);
	if (r->loaded) {
		scx_load_line(&r->load, line, sizeof(line));
		fprintf(f, "# %s\n", line);
	}
	if (r->vref_threads)
		fprintf(f, "# vCPU reference: %d SCHED_FIFO threads for %.1f s, %.0f ms of CPU in all\n",
			r->vref_threads, (double)r->vref_ran_ns / NSEC_PER_SEC,
			(double)r->vref_cpu_ns / NSEC_PER_MSEC);
	for (i = 0; i < r->nr_hotplug; i++) {
		op = &r->hotplug[i];
		fprintf(f, "# hotplug: cpu%d %s in %.0f ms, %.1f s after the spawn%s%s\n", op->cpu,
			op->online ? "online" : "offline",
			(double)(op->t_done - op->t_start) / NSEC_PER_MSEC,
			(double)(op->t_done - r->t_spawn) / NSEC_PER_SEC, op->err ? ": " : "",
			op->err ? strerror(-op->err) : "");
	}
	if (r->note[0])
		fprintf(f, "# note: %s\n", r->note);
}

void scx_report_summary(FILE *f, const struct scx_result *r)
{
	fprintf(f, "# verdict: %s: %s\n", scx_verdict_name(r->verdict), r->detail);
	if (r->t_attach)
		fprintf(f, "# attach seen via %s at %.3f s (scheduler cpu %.3f s), verdict via %s at %.3f s, %u wakeups\n",
			scx_wake_name(r->attach_by), (double)r->t_attach / NSEC_PER_SEC,
			(double)r->cpu_ns / NSEC_PER_SEC, scx_wake_name(r->decided_by),
			(double)r->t_verdict / NSEC_PER_SEC, r->wakeups);
	put_hold(f, r);
	fflush(f);
}

void scx_report_result(FILE *f, const struct scx_result *r, const char *more)
{
	fprintf(f, "# result: verdict=%s attach_ms=", scx_verdict_key(r->verdict));
	if (r->t_attach)
		fprintf(f, "%llu", (unsigned long long)(r->t_attach / NSEC_PER_MSEC));
	else
		fputc('-', f);
	if (r->restarts)
		fprintf(f, " restarts=%d", r->restarts);
	if (r->stressed)
		fprintf(f, " stress=%s max_gap_ms=%llu", r->stress.stress_ng ? "stress-ng" : "builtin",
			(unsigned long long)(scx_stress_max_gap_ns(&r->stress) / NSEC_PER_MSEC));
	if (r->loaded)
		fprintf(f, " load_max_gap_ms=%llu vcpu_stall_ms=%llu",
			(unsigned long long)(r->load.max_gap_ns / NSEC_PER_MSEC),
			(unsigned long long)(r->load.machine_ns / NSEC_PER_MSEC));
	if (r->nr_hotplug)
		fprintf(f, " hotplug_ops=%d", r->nr_hotplug);
	fprintf(f, "%s%s\n", more ? " " : "", more ?: "");
	fflush(f);
}

/* Print one line of foreign text as a TAP diagnostic, made harmless. */
static void put_line(FILE *f, const char *prefix, const char *s, size_t n)
{
	size_t i;

	fprintf(f, "# %s", prefix);
	for (i = 0; i < n && i < LINE_MAX_SHOWN; i++)
		fputc(isprint((unsigned char)s[i]) ? s[i] : '?', f);
	fprintf(f, "%s\n", n > LINE_MAX_SHOWN ? "..." : "");
}

static void put_tail(FILE *f, const struct scx_child *c)
{
	char buf[SCX_TAIL_LEN + 1], *p, *last = NULL;
	size_t len, n, lastn = 0;
	int lines = 0, skip;

	len = scx_log_tail(&c->log, buf, sizeof(buf));
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (!len) {
		fprintf(f, "# scheduler output: (none)\n");
		return;
	}
	for (p = buf; *p; p++)
		lines += *p == '\n';
	lines++;
	skip = lines > SCX_REPORT_TAIL_LINES ? lines - SCX_REPORT_TAIL_LINES : 0;
	fprintf(f, "# scheduler output, last %d lines%s:\n", lines - skip,
		c->log.dropped || c->log.tail_full ? " (log was longer)" : "");
	for (p = buf; *p; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		if (skip) {
			skip--;
			continue;
		}
		put_line(f, "| ", p, n);
		if (n && strspn(p, " \t\r") < n) {
			last = p;
			lastn = n;
		}
	}
	if (last)
		put_line(f, "fingerprint: ", last, lastn);
}

/*
 * What the output and the kernel's lines say since the newest attach (after
 * a restart, the last exit's words only), if a hint row knows it; the
 * verdict's own hint otherwise.  The hint's quoted lines are printable.
 */
static void put_hint(FILE *f, const struct scx_result *r, const struct scx_child *c)
{
	char tail[SCX_TAIL_LEN + 1], hint[SCX_HINT_LEN];
	size_t n, since = c->log.logged + c->log.dropped - r->out_mark;
	const char *p = hint;

	if (r->verdict == SCX_V_ATTACHED)
		return;
	n = scx_log_tail(&c->log, tail, sizeof(tail));
	if (scx_hint(tail + (since < n ? n - since : 0),
		     r->kmsg ? scx_hint_since_attach(r->klog.lines) : NULL,
		     hint, sizeof(hint)) == SCX_HINT_NONE) {
		if (*scx_verdict_hint(r->verdict))
			fprintf(f, "# hint: %s\n", scx_verdict_hint(r->verdict));
		return;
	}
	for (; *p; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		fprintf(f, "# %s%.*s\n", p == hint ? "hint: " : "|   ", (int)n, p);
	}
}

void scx_report(FILE *f, const struct scx_result *r, const struct scx_child *c,
		const char *cmdline)
{
	const char *p;
	size_t n;

	scx_report_summary(f, r);
	if (cmdline)
		fprintf(f, "# scheduler: %s%s\n", cmdline, c->pid > 0 ? "" : " (not started)");
	if (c->pid > 0) {
		if (c->log.path[0])
			fprintf(f, "# log: %s (%zu bytes kept, %zu dropped over the cap)\n",
				c->log.path, c->log.logged, c->log.dropped);
		put_tail(f, c);
		if (c->orphans)
			fprintf(f, "# it left %d descendant(s) running (daemonized?): killed\n",
				c->orphans);
	}
	if (r->owner[0])
		fprintf(f, "# owner: %s\n", r->owner);
	if (r->verdict != SCX_V_SYSFS_ABSENT && r->verdict != SCX_V_SPAWN_FAILED) {
		fprintf(f, "# sysfs: state %s, enable_seq %lld (before the spawn %lld), root/ops \"%s\"\n",
			scx_state_name(r->last.state), r->last.enable_seq, r->before.enable_seq,
			r->last.ops);
		if (!r->kmsg) {
			fprintf(f, "# kernel log: not readable (the \"kernel log:\" line at the start of the run says why)\n");
		} else if (!r->klog.len) {
			fprintf(f, "# kernel log: no sched_ext lines since the spawn\n");
		} else {
			fprintf(f, "# kernel log, sched_ext lines since the spawn%s:\n",
				r->klog.truncated ? " (truncated)" : "");
			for (p = r->klog.lines; *p; p += n + (p[n] == '\n')) {
				n = strcspn(p, "\n");
				put_line(f, "| ", p, n);
			}
		}
	}
	scx_splat_print(f, &r->splat);
	put_hint(f, r, c);
	fflush(f);
}
