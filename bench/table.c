// SPDX-License-Identifier: GPL-2.0
/*
 * attach_bench: the tables, from the cycles of one run.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lib/report.h"
#include "lib/uevent.h"
#include "reference.h"
#include "table.h"

enum metric {
	M_LOAD, M_DET_K, M_DET_U, M_SEEN, M_VERDICT, M_EXCESS,
	M_WAKE_V, M_WAKE_V_S, M_WAKE_H, M_WAKE_H_S,
	M_CPU, M_CPU_S, M_DETACH, M_DETACH_K, M_NR,
};

static const struct {
	const char *label;
	const char *fmt;
} metrics[M_NR] = {
	[M_LOAD]	= { "load: spawn -> kmsg \"enabled\" (ms)", "%.0f" },
	[M_DET_K]	= { "attach seen - kmsg \"enabled\" (ms)", "%.1f" },
	[M_DET_U]	= { "attach seen - uevent at listener (ms)", "%.1f" },
	[M_SEEN]	= { "attach seen, from spawn (ms)", "%.0f" },
	[M_VERDICT]	= { "verdict, from spawn (ms)", "%.0f" },
	[M_EXCESS]	= { "verdict - max(gate, load) (ms)", "%.1f" },
	[M_WAKE_V]	= { "wakeups, spawn -> verdict", "%.0f" },
	[M_WAKE_V_S]	= { "  per s", "%.2f" },
	[M_WAKE_H]	= { "wakeups, spawn -> end of hold", "%.0f" },
	[M_WAKE_H_S]	= { "  per s", "%.2f" },
	[M_CPU]		= { "waiter thread CPU per cycle (ms)", "%.2f" },
	[M_CPU_S]	= { "waiter thread CPU per s waited (ms)", "%.2f" },
	[M_DETACH]	= { "detach: kill -> \"disabled\" seen (ms)", "%.1f" },
	[M_DETACH_K]	= { "  kill -> kmsg \"disabled\" (ms)", "%.1f" },
};

static double ms(int64_t ns)
{
	return (double)ns / 1e6;
}

/* A raw kmsg timestamp on CLOCK_MONOTONIC; 0 stays 0 (not seen). */
static int64_t kmsg_mono(const struct run_info *ri, uint64_t raw)
{
	return raw ? (int64_t)raw - ri->kmsg_offset : 0;
}

static void cycle_metrics(const struct bench *b, const struct run_info *ri,
			  const struct cycle *cy, double *m)
{
	double wait_s = (double)(cy->t_verdict - cy->t_spawn) / 1e9;
	double hold_s = (double)(cy->t_hold_end - cy->t_spawn) / 1e9;
	double call_s = (double)(cy->t_return - cy->t_call) / 1e9;
	int64_t en = kmsg_mono(ri, cy->k_enabled), dis = kmsg_mono(ri, cy->k_disabled);
	int64_t load = en ? en - (int64_t)cy->t_spawn : 0;
	int i;

	for (i = 0; i < M_NR; i++)
		m[i] = NAN;
	if (en) {
		m[M_LOAD] = ms(load);
		m[M_DET_K] = ms((int64_t)cy->t_seen - en);
		m[M_EXCESS] = ms((int64_t)cy->t_verdict - (int64_t)cy->t_spawn -
				 scx_max(load, (int64_t)(b->o.gate_ms * NSEC_PER_MSEC)));
	}
	if (cy->uev_add)
		m[M_DET_U] = ms((int64_t)cy->t_seen - (int64_t)cy->uev_add);
	m[M_SEEN] = ms(cy->t_seen - cy->t_spawn);
	m[M_VERDICT] = ms(cy->t_verdict - cy->t_spawn);
	m[M_WAKE_V] = cy->wake_verdict;
	if (wait_s > 0)
		m[M_WAKE_V_S] = cy->wake_verdict / wait_s;
	m[M_WAKE_H] = cy->wake_hold;
	if (hold_s > 0)
		m[M_WAKE_H_S] = cy->wake_hold / hold_s;
	m[M_CPU] = ms(cy->cpu_ns);
	if (call_s > 0)
		m[M_CPU_S] = ms(cy->cpu_ns) / call_s;
	m[M_DETACH] = ms(cy->t_disabled - cy->t_kill);
	if (dis)
		m[M_DETACH_K] = ms(dis - (int64_t)cy->t_kill);
}

static struct dist metric_dist(const struct bench *b, const struct run_info *ri,
			       const struct cycle *cy, int n, enum waiter w, enum metric m)
{
	static double v[W_NR * MAX_K];
	double mv[M_NR];
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (cy[i].w != w || !cy[i].ok)
			continue;
		cycle_metrics(b, ri, &cy[i], mv);
		v[k++] = mv[m];
	}
	return dist_of(v, k);
}

static const char *fmt_val(char *buf, size_t len, const char *fmt, double v)
{
	if (isfinite(v))
		snprintf(buf, len, fmt, v);
	else
		snprintf(buf, len, "-");
	return buf;
}

static const char *fmt_ratio(char *buf, size_t len, double base, double lib)
{
	if (isfinite(base) && isfinite(lib) && base > 0 && lib > 0)
		snprintf(buf, len, "%.1fx", base / lib);
	else
		snprintf(buf, len, "n/a");
	return buf;
}

static const char *yes(bool met)
{
	return met ? "MET   " : "MISSED";
}

static const char *base_name(const char *path)
{
	const char *p = strrchr(path, '/');

	return p ? p + 1 : path;
}

static void accel_name(char *buf, size_t len)
{
	char line[4096], *p;
	const char *env;
	FILE *f;

	buf[0] = '\0';
	f = fopen("/proc/cmdline", "r");
	if (f) {
		p = fgets(line, sizeof(line), f) ? strstr(line, "scx_vm.accel=") : NULL;
		if (p)
			snprintf(buf, len, "%.*s", (int)strcspn(p + 13, " \n"), p + 13);
		fclose(f);
	}
	env = getenv("SCX_ATTACH_BENCH_ACCEL");
	if (!buf[0])
		snprintf(buf, len, "%s", env && *env ? env : "unknown (bare metal?)");
}

static void header(FILE *f, const struct bench *b, const char *what)
{
	const char *env_date = getenv("SCX_ATTACH_BENCH_DATE");
	const struct opts *o = &b->o;
	char accel[64], date[64];
	struct utsname u;
	time_t now;
	int i;

	uname(&u);
	accel_name(accel, sizeof(accel));
	if (env_date && *env_date) {
		snprintf(date, sizeof(date), "%s", env_date);
	} else {
		now = time(NULL);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	}
	fprintf(f, "scx_attach benchmark: %s\n", what);
	fprintf(f, "kernel %s, accel %s, %ld CPUs, %s\n", u.release, accel,
		sysconf(_SC_NPROCESSORS_ONLN), date);
	fprintf(f, "scheduler: %s", base_name(o->sched));
	for (i = 1; o->argv[i]; i++)
		fprintf(f, " %s", o->argv[i]);
	fprintf(f, " (ops \"%s\"), spawned as sh -c '%s' (its output discarded)\n", o->ops,
		o->script);
}

/* Cycles of waiter @w that went well, and all of them. */
static int count_ok(const struct cycle *cy, int n, enum waiter w, int *all)
{
	int i, ok = 0;

	*all = 0;
	for (i = 0; i < n; i++) {
		if (cy[i].w != w)
			continue;
		(*all)++;
		ok += cy[i].ok;
	}
	return ok;
}

static void main_table(FILE *f, struct dist d[W_NR][M_NR])
{
	char c[6][16], r50[16], r95[16];
	int j;

	fprintf(f, "\n%-40s %26s %26s %16s\n", "", waiter_name[W_LIB], waiter_name[W_KTSTR],
		"ktstr-style/lib");
	fprintf(f, "%-40s %8s %8s %8s %8s %8s %8s %7s %7s\n", "", "p50", "p95", "max", "p50",
		"p95", "max", "p50", "p95");
	for (j = 0; j < M_NR; j++) {
		const char *fmt = metrics[j].fmt;

		fprintf(f, "%-40s %8s %8s %8s %8s %8s %8s %7s %7s\n", metrics[j].label,
			fmt_val(c[0], 16, fmt, d[W_LIB][j].p50),
			fmt_val(c[1], 16, fmt, d[W_LIB][j].p95),
			fmt_val(c[2], 16, fmt, d[W_LIB][j].max),
			fmt_val(c[3], 16, fmt, d[W_KTSTR][j].p50),
			fmt_val(c[4], 16, fmt, d[W_KTSTR][j].p95),
			fmt_val(c[5], 16, fmt, d[W_KTSTR][j].max),
			fmt_ratio(r50, sizeof(r50), d[W_KTSTR][j].p50, d[W_LIB][j].p50),
			fmt_ratio(r95, sizeof(r95), d[W_KTSTR][j].p95, d[W_LIB][j].p95));
	}
}

/* Wakeups of every waiter that ran, both windows, and lib/'s by source. */
static void wake_table(FILE *f, const struct cycle *cy, int n, struct dist d[W_NR][M_NR])
{
	unsigned int src[W_NR][SCX_WAKE_NR] = { { 0 } };
	int ok[W_NR] = { 0 }, i, j, w;
	char c[6][16];

	for (i = 0; i < n; i++) {
		if (!cy[i].ok)
			continue;
		ok[cy[i].w]++;
		for (j = 0; j < SCX_WAKE_NR; j++)
			src[cy[i].w][j] += cy[i].wake_count[j];
	}
	fprintf(f, "\nwakeups other than the output's   spawn -> verdict           spawn -> end of hold\n");
	fprintf(f, "%-32s %6s %7s %7s    %6s %7s %7s   by source, per cycle (spawn -> end of hold)\n",
		"", "p50", "p50/s", "p95/s", "p50", "p50/s", "p95/s");
	for (w = 0; w < W_NR; w++) {
		if (!ok[w])
			continue;
		fprintf(f, "%-32s %6s %7s %7s    %6s %7s %7s  ", waiter_name[w],
			fmt_val(c[0], 16, "%.0f", d[w][M_WAKE_V].p50),
			fmt_val(c[1], 16, "%.2f", d[w][M_WAKE_V_S].p50),
			fmt_val(c[2], 16, "%.2f", d[w][M_WAKE_V_S].p95),
			fmt_val(c[3], 16, "%.0f", d[w][M_WAKE_H].p50),
			fmt_val(c[4], 16, "%.2f", d[w][M_WAKE_H_S].p50),
			fmt_val(c[5], 16, "%.2f", d[w][M_WAKE_H_S].p95));
		if (w == W_KTSTR)
			fprintf(f, " its poll() returns, then one sleep through the hold");
		for (j = 1; w != W_KTSTR && j < SCX_WAKE_NR; j++)
			if (src[w][j])
				fprintf(f, " %s %.2f", scx_wake_name(j), (double)src[w][j] / ok[w]);
		fprintf(f, "\n");
	}
}

void table_attach(FILE *f, const struct bench *b, const struct run_info *ri,
		  const struct cycle *cy, int n)
{
	static double v[W_NR * MAX_K];
	const struct opts *o = &b->o;
	struct dist d[W_NR][M_NR], uevlag, lag;
	unsigned int by[SCX_WAKE_NR] = { 0 };
	int ok[W_NR], all[W_NR], premature = 0, seq_late = 0, k, i, j, w;

	for (w = 0; w < W_NR; w++) {
		ok[w] = count_ok(cy, n, w, &all[w]);
		for (j = 0; j < M_NR; j++)
			d[w][j] = metric_dist(b, ri, cy, n, w, j);
	}
	for (i = 0; i < n; i++) {
		if (!cy[i].ok)
			continue;
		seq_late += cy[i].seq_late;
		if (cy[i].w == W_LIB)
			by[cy[i].attach_by]++;
		premature += cy[i].w == W_KTSTR && cy[i].premature;
	}
	/* The kernel's own gap, whoever waited: uevent arrival - kmsg "enabled". */
	for (i = 0, k = 0; i < n; i++)
		if (cy[i].ok && cy[i].k_enabled && cy[i].uev_add)
			v[k++] = ms((int64_t)cy[i].uev_add - kmsg_mono(ri, cy[i].k_enabled));
	uevlag = dist_of(v, k);
	/* ktstr-style's own lag is bounded by its last miss: hit - last miss. */
	for (i = 0, k = 0; i < n; i++)
		if (cy[i].ok && cy[i].w == W_KTSTR && cy[i].t_last_miss)
			v[k++] = ms(cy[i].t_seen - cy[i].t_last_miss);
	lag = dist_of(v, k);

	header(f, b, "lib/'s watcher against a waiter that works the way ktstr's scheduler start does");
	fprintf(f, "K=%d cycles per waiter, alternating (+%d warm-up each, not counted); ok:", o->k,
		o->warmup);
	for (w = 0; w < W_NR; w++)
		if (all[w])
			fprintf(f, " %s %d/%d", waiter_name[w], ok[w], all[w]);
	fprintf(f, "\n");
	if (o->delay_ms)
		fprintf(f, "slow load: it starts loading %u ms after the spawn, after the gate\n",
			o->delay_ms);
	fprintf(f, "gate %u ms for every waiter; %u ms held after each verdict\n", o->gate_ms,
		o->hold_ms);
	fprintf(f, "lib/: scx_run() + scx_finish(); SCX_ATTACH_POLL_MS %u (%s: %u), uevent %s, CPU budget %u ms, wall %u ms\n",
		b->cfg.poll_ms, waiter_name[W_LIB500], b->cfg500.poll_ms,
		b->cfg.uevent ? "on" : "off", b->cfg.attach_ms, b->cfg.wall_ms);
	fprintf(f, "ktstr-style: pidfd gate, then root/ops non-empty via inotify + %u ms cadence, deadline %u ms after the gate\n",
		b->kcfg.cadence_ms, b->kcfg.deadline_ms);
	main_table(f, d);
	if (all[W_LIB500])
		fprintf(f, "%s, p50/p95/max: attach seen - kmsg \"enabled\" %.1f/%.1f/%.1f ms, - uevent %.1f/%.1f/%.1f ms; verdict - max(gate, load) %.1f/%.1f/%.1f ms\n",
			waiter_name[W_LIB500], d[W_LIB500][M_DET_K].p50, d[W_LIB500][M_DET_K].p95,
			d[W_LIB500][M_DET_K].max, d[W_LIB500][M_DET_U].p50,
			d[W_LIB500][M_DET_U].p95, d[W_LIB500][M_DET_U].max,
			d[W_LIB500][M_EXCESS].p50, d[W_LIB500][M_EXCESS].p95,
			d[W_LIB500][M_EXCESS].max);
	wake_table(f, cy, n, d);

	fprintf(f, "\nCPU: CLOCK_THREAD_CPUTIME_ID of the waiting thread around scx_run() (spawn, wait, hold;\n"
		"     not scx_finish) and around kt_run() (fork, gate, wait); \"per s waited\": over that call's wall time\n");
	fprintf(f, "kernel: uevent at listener - kmsg \"enabled\": p50 %.1f, p95 %.1f, max %.1f ms (n=%d)\n",
		uevlag.p50, uevlag.p95, uevlag.max, uevlag.n);
	fprintf(f, "kernel: enable_seq had not yet moved when the listener read it right after the add uevent: %d of %d cycles\n",
		seq_late, ok[W_LIB] + ok[W_LIB500] + ok[W_KTSTR]);
	fprintf(f, "lib/: attach revealed by");
	for (j = 0; j < SCX_WAKE_NR; j++)
		if (by[j])
			fprintf(f, " %s %u", scx_wake_name(j), by[j]);
	fprintf(f, "\n");
	fprintf(f, "ktstr-style: verdict while state was not yet \"enabled\" in %d of %d cycles (root/ops appears while enabling)\n",
		premature, ok[W_KTSTR]);
	fprintf(f, "ktstr-style: attach seen - kmsg \"enabled\" ranges %+.1f .. %+.1f ms (negative: before the kernel enabled it)\n",
		d[W_KTSTR][M_DET_K].min, d[W_KTSTR][M_DET_K].max);
	if (ri->read_cost.n)
		fprintf(f, "lib/: one look at the sysfs files (state, enable_seq, root) costs %.0f us p50, %.0f us p95 here (idle)\n",
			ri->read_cost.p50, ri->read_cost.p95);
	if (lag.n)
		fprintf(f, "ktstr-style: hit - its previous empty read (bounds its own cadence lag): p50 %.1f, p95 %.1f, max %.1f ms (n=%d)\n",
			lag.p50, lag.p95, lag.max, lag.n);
	else
		fprintf(f, "ktstr-style: root/ops was already there at its first read after the gate, in every cycle\n");

	fprintf(f, "\ntargets (lib/ watcher):\n");
	fprintf(f, "  %s detection p95 <= 2 ms after the kernel's enable: %.1f ms after kmsg \"enabled\", %.1f ms after the uevent\n",
		yes(d[W_LIB][M_DET_K].p95 <= 2 && d[W_LIB][M_DET_U].p95 <= 2),
		d[W_LIB][M_DET_K].p95, d[W_LIB][M_DET_U].p95);
	if (d[W_KTSTR][M_DET_K].p95 > 0 && d[W_LIB][M_DET_K].p95 > 0)
		fprintf(f, "  %s detection p95 >= 10x better than ktstr-style's: %.1fx (kmsg)\n",
			yes(d[W_KTSTR][M_DET_K].p95 >= 10 * d[W_LIB][M_DET_K].p95),
			d[W_KTSTR][M_DET_K].p95 / d[W_LIB][M_DET_K].p95);
	else
		fprintf(f, "  n/a    detection p95 >= 10x better than ktstr-style's: its p95 is %.1f ms, not > 0 (it answers on root/ops, before the enable)\n",
			d[W_KTSTR][M_DET_K].p95);
	fprintf(f, "  %s wakeups other than the output's <= 1/s while the uevent and the pidfd are live (spawn -> end of hold): p50 %.2f/s, p95 %.2f/s\n",
		yes(d[W_LIB][M_WAKE_H_S].p95 <= 1), d[W_LIB][M_WAKE_H_S].p50,
		d[W_LIB][M_WAKE_H_S].p95);
	fprintf(f, "  %s the same over spawn -> verdict only: p50 %.2f/s, p95 %.2f/s\n",
		yes(d[W_LIB][M_WAKE_V_S].p95 <= 1), d[W_LIB][M_WAKE_V_S].p50,
		d[W_LIB][M_WAKE_V_S].p95);
	fprintf(f, "  %s verdict <= max(gate, load) + 5 ms: p95 %+.1f ms, max %+.1f ms\n",
		yes(d[W_LIB][M_EXCESS].p95 <= 5), d[W_LIB][M_EXCESS].p95, d[W_LIB][M_EXCESS].max);
	fprintf(f, "percentiles: nearest rank over the ok cycles; \"-\": not measured\n");
}

void table_reject(FILE *f, const struct bench *b, const struct run_info *ri,
		  const struct cycle *cy, int n)
{
	static double lat[MAX_K], vs[MAX_K];
	unsigned int nv[SCX_V_NR];
	int w, i, k, all, named;
	struct dist dl, dv;
	char c[3][16];

	fprintf(f, "\nrejected while the process lives on: %s --fault=init-fail under sh, which then sleeps\n"
		"(no uevent, no death, no output: only a look at the files while the kernel is enabling, or the kernel log, can tell)\n",
		base_name(b->o.sched));
	fprintf(f, "%-24s %6s %9s   %-28s %7s   %s\n", "", "cycles", "rejected",
		"kmsg \"disabled\" -> verdict", "wake/s", "other verdicts");
	fprintf(f, "%-24s %6s %9s   %8s %8s %8s   %7s\n", "", "", "", "p50", "p95", "max", "p50");
	for (w = 0; w < W_NR; w++) {
		memset(nv, 0, sizeof(nv));
		for (i = 0, k = 0, all = 0, named = 0; i < n; i++) {
			if (cy[i].w != w || !cy[i].ok)
				continue;
			vs[all++] = cy[i].wake_verdict /
				    ((double)(cy[i].t_verdict - cy[i].t_spawn) / 1e9);
			nv[cy[i].verdict]++;
			if (cy[i].verdict != SCX_V_REJECTED)
				continue;
			named++;
			lat[k++] = ms((int64_t)cy[i].t_verdict - kmsg_mono(ri, cy[i].k_disabled));
		}
		if (!all)
			continue;
		dl = dist_of(lat, k);
		dv = dist_of(vs, all);
		fprintf(f, "%-24s %6d %9d   %8s %8s %8s   %7.2f  ", waiter_name[w], all, named,
			fmt_val(c[0], 16, "%.0f", dl.p50), fmt_val(c[1], 16, "%.0f", dl.p95),
			fmt_val(c[2], 16, "%.0f", dl.max), dv.p50);
		for (i = 0; i < SCX_V_NR; i++)
			if (i != SCX_V_REJECTED && nv[i])
				fprintf(f, " %s %u", scx_verdict_key(i), nv[i]);
		fprintf(f, "\n");
	}
	fprintf(f, "wall guard %u ms for these cycles: a rejection lib/ does not name ends as \"timeout\" there\n",
		b->cfg_reject.wall_ms);
}

void table_cycle(FILE *f, const struct bench *b, const struct run_info *ri, int idx,
		 const struct cycle *cy)
{
	double m[M_NR];

	cycle_metrics(b, ri, cy, m);
	fprintf(f, "cycle %3d %-20s %s load %.0f det_k %.1f det_u %.1f verdict %.0f excess %.1f wakeups %u/%u (%.2f/s, %.2f/s) cpu %.2f ms detach %.1f %s%s%s%s\n",
		idx, waiter_name[cy->w], cy->ok ? "ok  " : "FAIL", m[M_LOAD], m[M_DET_K],
		m[M_DET_U], m[M_VERDICT], m[M_EXCESS], cy->wake_verdict, cy->wake_hold,
		m[M_WAKE_V_S], m[M_WAKE_H_S], m[M_CPU], m[M_DETACH],
		cy->w == W_KTSTR ? (cy->premature ? "premature" : "") : "by ",
		cy->w == W_KTSTR ? "" : scx_wake_name(cy->attach_by),
		cy->ok ? "" : ": ", cy->ok ? "" : cy->why);
}

/* The child's figures for one metric of the root's table. */
static struct dist sub_dist(const struct bench *b, const struct run_info *ri,
			    const struct sub_cycle *sc, int n, enum metric m)
{
	static double v[MAX_K];
	int64_t en, gate = (int64_t)b->o.gate_ms * NSEC_PER_MSEC;
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (!sc[i].ok)
			continue;
		en = kmsg_mono(ri, sc[i].k_enabled);
		if (m == M_LOAD && en)
			v[k++] = ms(en - (int64_t)sc[i].t_spawn);
		else if (m == M_DET_K && en)
			v[k++] = ms((int64_t)sc[i].t_seen - en);
		else if (m == M_DET_U && sc[i].uev_add)
			v[k++] = ms((int64_t)sc[i].t_seen - (int64_t)sc[i].uev_add);
		else if (m == M_SEEN)
			v[k++] = ms(sc[i].t_seen - sc[i].t_spawn);
		else if (m == M_EXCESS && en)
			v[k++] = ms((int64_t)sc[i].t_verdict - (int64_t)sc[i].t_spawn -
				    scx_max(en - (int64_t)sc[i].t_spawn, gate));
	}
	return dist_of(v, k);
}

/* Every uevent below sched_ext in child cycle @cy, against its "enabled" record. */
static void sub_uevents(FILE *f, const struct run_info *ri, const struct sub_cycle *cy)
{
	static struct ref_ev e[SUB_UEV_LIST];
	int64_t en = kmsg_mono(ri, cy->k_enabled);
	int i, n = ref_events(cy->mark, cy->mark_end, e, SUB_UEV_LIST);

	fprintf(f, "the kernel's uevents below %s in the first child cycle, ms after its kmsg \"enabled\" record:\n",
		SCX_UEVENT_DIR);
	for (i = 0; i < n; i++) {
		if (e[i].kind != REF_UEV_SUB_ADD && e[i].kind != REF_UEV_SUB_REMOVE &&
		    e[i].kind != REF_UEV_OTHER)
			continue;
		fprintf(f, "  %+9.1f  %s@%s%s%s\n", en ? ms((int64_t)e[i].t - en) : NAN,
			e[i].action, e[i].devpath, e[i].name[0] ? " SCXOPS=" : "", e[i].name);
	}
}

void table_sub(FILE *f, const struct bench *b, const struct run_info *ri,
	       const struct cycle *cy, int n, const struct sub_run *sr,
	       const struct sub_cycle *sc, int ns)
{
	static const enum metric rows[] = { M_LOAD, M_DET_K, M_DET_U, M_SEEN, M_EXCESS };
	static double v[MAX_K];
	unsigned int by[SCX_WAKE_NR] = { 0 };
	int ok = 0, by_uev = 0, removes = 0, i, j, k;
	struct dist r, c, uevlag;
	char s[8][16];

	for (i = 0; i < ns; i++) {
		if (!sc[i].ok)
			continue;
		ok++;
		by[sc[i].attach_by]++;
		by_uev += sc[i].by_uevent;
		removes += sc[i].uev_remove != 0;
	}
	for (i = 0, k = 0; i < ns; i++)
		if (sc[i].ok && sc[i].k_enabled && sc[i].uev_add)
			v[k++] = ms((int64_t)sc[i].uev_add - kmsg_mono(ri, sc[i].k_enabled));
	uevlag = dist_of(v, k);

	fprintf(f, "\nscx_attach benchmark: a child scheduler's attach beneath a parent, next to the root's\n");
	fprintf(f, "parent: %s at the root (attached %llu ms after its spawn), held through the child's cycles\n",
		base_name(sr->sched), (unsigned long long)sr->parent_ms);
	fprintf(f, "child: %s -c <a private cgroup> (cgroup id %llu), spawned as sh -c '%s' (its output discarded)\n",
		base_name(sr->sched), sr->cgid, sub_quiet);
	fprintf(f, "K=%d child cycles (+%d warm-up, not counted), ok %d/%d; lib/: scx_sub_run() + scx_sub_finish(), the root's windows\n",
		ns, b->o.warmup, ok, ns);
	fprintf(f, "root: the lib/ watcher's cycles of the table above (%s)\n", base_name(b->o.sched));
	fprintf(f, "\n%-40s %35s %35s\n", "", "root: lib/ watcher", "child: scx_sub_run()");
	fprintf(f, "%-40s %8s %8s %8s %8s %8s %8s %8s %8s\n", "", "p50", "p95", "max", "n", "p50",
		"p95", "max", "n");
	for (j = 0; j < (int)ARRAY_SIZE(rows); j++) {
		const char *fmt = metrics[rows[j]].fmt;

		r = metric_dist(b, ri, cy, n, W_LIB, rows[j]);
		c = sub_dist(b, ri, sc, ns, rows[j]);
		fprintf(f, "%-40s %8s %8s %8s %8d %8s %8s %8s %8d\n", metrics[rows[j]].label,
			fmt_val(s[0], 16, fmt, r.p50), fmt_val(s[1], 16, fmt, r.p95),
			fmt_val(s[2], 16, fmt, r.max), r.n, fmt_val(s[3], 16, fmt, c.p50),
			fmt_val(s[4], 16, fmt, c.p95), fmt_val(s[5], 16, fmt, c.max), c.n);
	}
	fprintf(f, "(child: kmsg \"enabled\" is 'BPF sub-scheduler \"%s\" enabled', the uevent add@.../sub/sub-%llu)\n",
		sr->ops, sr->cgid);
	fprintf(f, "\nkernel: child's uevent at listener - kmsg \"enabled\": p50 %.1f, p95 %.1f, max %.1f ms (n=%d)\n",
		uevlag.p50, uevlag.p95, uevlag.max, uevlag.n);
	fprintf(f, "kernel: a \"remove\" uevent for the child's kobject within %d ms of its stop in %d of %d cycles\n",
		SUB_GONE_MS, removes, ok);
	fprintf(f, "child: attach revealed by");
	for (j = 0; j < SCX_WAKE_NR; j++)
		if (by[j])
			fprintf(f, " %s %u", scx_wake_name(j), by[j]);
	fprintf(f, "; its \"enabled\" taken from the uevent before the kernel log in %d of %d\n",
		by_uev, ok);
	for (i = 0; i < ns; i++) {
		if (sc[i].ok) {
			sub_uevents(f, ri, &sc[i]);
			break;
		}
	}
	r = metric_dist(b, ri, cy, n, W_LIB, M_DET_K);
	c = sub_dist(b, ri, sc, ns, M_DET_K);
	fprintf(f, "\ntargets (child):\n");
	fprintf(f, "  %s attach seen p95 <= 10 ms after the kernel's \"enabled\" record: %.1f ms (root: %.1f ms)\n",
		yes(c.p95 <= 10), c.p95, r.p95);
	fprintf(f, "percentiles: nearest rank over the ok cycles; \"-\": not measured\n");
}
