// SPDX-License-Identifier: GPL-2.0
/*
 * attach_bench: attach-verdict latency, wakeups and overhead of lib/'s
 * evented watcher against a waiter that works the way ktstr's scheduler
 * start does, side by side in one run on a real sched_ext kernel.  Not a
 * test: it fails only when the run is broken (a cycle that did not attach
 * or detach), never on a number.
 *
 * K attach/detach cycles per waiter, alternating lib, [lib at 500 ms
 * looks,] ktstr-style, lib, ...  The kernel's side of each cycle is
 * recorded independently of the waiters (reference.h).  With --reject,
 * loads the kernel rejects while the spawned process lives on show how
 * late lib/ names a rejection nothing reports.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/sysfs.h"
#include "reference.h"
#include "table.h"

#define START_PROBES	8
#define POLL_MS_500	125	/* the fallback then looks every 500 ms while live */

static struct cycle cycles[W_NR * MAX_K], rejects[W_NR * MAX_K];
static struct sub_cycle subs[MAX_K];

/* What one look at the files costs lib/ here (idle: state "disabled"). */
static struct dist read_cost(const char *sysfs)
{
	static double v[64];
	struct scx_sysfs s;
	struct scx_snap snap;
	uint64_t t;
	int i;

	if (scx_sysfs_open(&s, sysfs))
		return dist_of(v, 0);
	for (i = 0; i < 64; i++) {
		t = scx_now_ns();
		scx_sysfs_read(&s, &snap);
		v[i] = (double)(scx_now_ns() - t) / 1e3;
	}
	scx_sysfs_close(&s);
	return dist_of(v, 64);
}

static void usage(FILE *f)
{
	fputs(
		"Usage: attach_bench [options]   (root, on a kernel with sched_ext)\n"
		"  -k N                 measured cycles per waiter (default 30)\n"
		"  --warmup N           unmeasured cycles per waiter first (default 1)\n"
		"  --sched PATH         scheduler (default ./scx_fault)\n"
		"  --arg ARG            scheduler argument, repeatable (default --fault=none)\n"
		"  --ops NAME           expected ops name (default fault)\n"
		"  --delay-ms MS        slow load: it starts MS after the spawn (sh -c 'sleep ...')\n"
		"  --gate-ms MS         liveness gate of every waiter (default 1000)\n"
		"  --hold-ms MS         held after each verdict (default: the suite's hold)\n"
		"  --cadence-ms MS      ktstr-style re-read cadence (default 50)\n"
		"  --deadline-ms MS     ktstr-style deadline after the gate (default 10000,\n"
		"                       60000 when emulated)\n"
		"  --compare-cadence    lib/ with SCX_ATTACH_POLL_MS=125 too (500 ms looks)\n"
		"  --reject N           N loads the kernel rejects, the process living on, per\n"
		"                       lib/ waiter (scheduler --fault=init-fail; default 0)\n"
		"  --reject-wall-ms MS  lib/'s wall guard for those (default 8000)\n"
		"  --sub N              then N child cycles: --sub-sched at the root, held, and\n"
		"                       the same as a child on a private cgroup (-c CGROUP)\n"
		"  --sub-sched PATH     parent and child (default ./scx_qmap)\n"
		"  --sub-ops NAME       their ops name (default qmap)\n"
		"  --emulated|--no-emulated  wide windows (default: on when SCX_ATTACH_VM=1)\n"
		"  -v                   one line per cycle\n"
		"The lib/ side reads SCX_ATTACH_* like the suite, then gets the gate and\n"
		"hold from here, and the wide windows when emulated.\n"
		"Exit: 0, 1 if a cycle failed to attach or detach (a broken run), 2 usage.\n", f);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "warmup", required_argument, NULL, 'w' },
		{ "sched", required_argument, NULL, 's' },
		{ "arg", required_argument, NULL, 'a' },
		{ "ops", required_argument, NULL, 'o' },
		{ "delay-ms", required_argument, NULL, 'D' },
		{ "gate-ms", required_argument, NULL, 'g' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "cadence-ms", required_argument, NULL, 'c' },
		{ "deadline-ms", required_argument, NULL, 'd' },
		{ "compare-cadence", no_argument, NULL, 'C' },
		{ "reject", required_argument, NULL, 'r' },
		{ "reject-wall-ms", required_argument, NULL, 'R' },
		{ "sub", required_argument, NULL, 'S' },
		{ "sub-sched", required_argument, NULL, 'P' },
		{ "sub-ops", required_argument, NULL, 'O' },
		{ "emulated", no_argument, NULL, 'e' },
		{ "no-emulated", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int nargs = 0, opt;

	while ((opt = getopt_long(argc, argv, "k:vh", lopts, NULL)) != -1) {
		unsigned int *ms = NULL;

		switch (opt) {
		case 'k':
			o->k = atoi(optarg);
			if (o->k < 1 || o->k > MAX_K) {
				fprintf(stderr, "attach_bench: -k 1..%d\n", MAX_K);
				return 2;
			}
			break;
		case 'w':
			o->warmup = atoi(optarg);
			if (o->warmup < 0 || o->warmup > 10) {
				fprintf(stderr, "attach_bench: --warmup 0..10\n");
				return 2;
			}
			break;
		case 'r':
			o->reject_k = atoi(optarg);
			if (o->reject_k < 0 || o->reject_k > MAX_K) {
				fprintf(stderr, "attach_bench: --reject 0..%d\n", MAX_K);
				return 2;
			}
			break;
		case 'S':
			o->sub_k = atoi(optarg);
			if (o->sub_k < 0 || o->sub_k > MAX_K) {
				fprintf(stderr, "attach_bench: --sub 0..%d\n", MAX_K);
				return 2;
			}
			break;
		case 'P':
			o->sub_sched = optarg;
			break;
		case 'O':
			o->sub_ops = optarg;
			break;
		case 's':
			o->sched = optarg;
			break;
		case 'a':
			if (nargs >= 12) {
				fprintf(stderr, "attach_bench: too many --arg\n");
				return 2;
			}
			o->argv[1 + nargs++] = optarg;
			break;
		case 'o':
			o->ops = optarg;
			break;
		case 'D':
			ms = &o->delay_ms;
			break;
		case 'g':
			ms = &o->gate_ms;
			break;
		case 'H':
			ms = &o->hold_ms;
			break;
		case 'c':
			ms = &o->cadence_ms;
			break;
		case 'd':
			ms = &o->deadline_ms;
			break;
		case 'R':
			ms = &o->reject_wall_ms;
			break;
		case 'C':
			o->compare_cadence = true;
			break;
		case 'e':
		case 'E':
			o->emulated = opt == 'e';
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
		if (ms && scx_parse_ms(optarg, ms)) {
			fprintf(stderr, "attach_bench: bad window '%s'\n", optarg);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (!nargs)
		o->argv[1] = "--fault=none";
	return 0;
}

/*
 * Everything is spawned through sh, which discards the scheduler's output
 * (so the waiters' wakeups are their own) and may delay the load.
 */
static int set_spawn(struct opts *o)
{
	static char sched_path[PATH_MAX];
	int i;

	if (!realpath(o->sched, sched_path)) {
		fprintf(stderr, "attach_bench: %s: %s\n", o->sched, strerror(errno));
		return 1;
	}
	o->sched = o->argv[0] = sched_path;
	if (o->delay_ms)
		snprintf(o->script, sizeof(o->script), "sleep %u.%03u; ", o->delay_ms / 1000,
			 o->delay_ms % 1000);
	strcat(o->script, "exec \"$0\" \"$@\" >/dev/null 2>&1");
	o->xargv[0] = "sh";
	o->xargv[1] = "-c";
	o->xargv[2] = o->script;
	for (i = 0; o->argv[i]; i++)
		o->xargv[3 + i] = o->argv[i];
	return 0;
}

static int set_cfgs(struct bench *b)
{
	struct opts *o = &b->o;
	struct scx_cfg *cfg = &b->cfg;
	char err[SCX_ERR_LEN];

	if (scx_cfg_init(cfg, err, sizeof(err))) {
		fprintf(stderr, "attach_bench: %s\n", err);
		return 2;
	}
	cfg->gate_ms = o->gate_ms;
	if (o->hold_ms)
		cfg->hold_ms = o->hold_ms;
	o->hold_ms = cfg->hold_ms;
	cfg->load = false;	/* the hold's load is no part of the wait */
	if (o->emulated) {	/* as run_tests.sh --emulated, unless set */
		if (!getenv("SCX_ATTACH_TIMEOUT_MS"))
			cfg->attach_ms = 60000;
		if (!getenv("SCX_ATTACH_WALL_MS"))
			cfg->wall_ms = 180000;
		if (!getenv("SCX_ATTACH_SETTLE_MS"))
			cfg->settle_ms = 30000;
		if (!getenv("SCX_ATTACH_GRACE_MS"))
			cfg->grace_ms = 5000;
	}
	o->settle_ms = cfg->settle_ms;
	if (!o->deadline_ms)
		o->deadline_ms = o->emulated ? 60000 : 10000;
	b->cfg500 = *cfg;
	b->cfg500.poll_ms = POLL_MS_500;
	b->cfg_reject = *cfg;
	b->cfg_reject.wall_ms = o->reject_wall_ms;
	b->cfg_reject500 = b->cfg500;
	b->cfg_reject500.wall_ms = o->reject_wall_ms;
	b->kcfg = (struct kt_cfg){
		.gate_ms = o->gate_ms, .cadence_ms = o->cadence_ms,
		.deadline_ms = o->deadline_ms, .sysfs = cfg->sysfs,
	};
	return 0;
}

/* The waiters of this run, in the order they alternate. */
static int waiters(const struct opts *o, enum waiter *w)
{
	int n = 0;

	w[n++] = W_LIB;
	if (o->compare_cadence)
		w[n++] = W_LIB500;
	w[n++] = W_KTSTR;
	return n;
}

/* Run @rounds rounds of every waiter; false if sched_ext stays busy. */
static bool run_cycles(const struct bench *b, int rounds, bool reject, struct cycle *out,
		       int *n, int *failed)
{
	enum waiter ws[W_NR];
	int nw = waiters(&b->o, ws), i, ret;
	struct cycle scratch, *cy;

	for (i = 0; i < rounds * nw; i++) {
		enum waiter w = ws[i % nw];

		if (reject && w == W_KTSTR)
			continue;
		cy = out ? &out[(*n)++] : &scratch;
		if (reject)
			ret = reject_cycle(b, w == W_LIB ? &b->cfg_reject : &b->cfg_reject500, w, cy);
		else
			ret = one_cycle(b, w, cy);
		if (!cy->ok) {
			(*failed)++;
			fprintf(stderr, "attach_bench: %scycle %d (%s) failed: %s\n",
				out ? "" : "warm-up ", i, waiter_name[w], cy->why);
		}
		if (b->o.verbose)
			fprintf(stderr, "attach_bench: cycle %d/%d %s %s\n", i + 1, rounds * nw,
				waiter_name[w], cy->ok ? "ok" : "FAILED");
		if (ret == -EBUSY || (ret && wait_disabled_quiet(b->cfg.sysfs, b->o.settle_ms))) {
			fprintf(stderr, "attach_bench: sched_ext stays busy, stopping\n");
			return false;
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	static struct bench b = {
		.o = {
			.k = 30, .warmup = 1, .sched = "./scx_fault", .ops = "fault",
			.gate_ms = 1000, .cadence_ms = 50, .reject_wall_ms = 8000,
			.sub_sched = "./scx_qmap", .sub_ops = "qmap",
		},
	};
	const char *vm = getenv("SCX_ATTACH_VM");
	static struct sub_run sr;
	struct run_info ri = { 0 };
	int ncycles = 0, nrejects = 0, nsubs = 0, failed = 0, i, ret;
	bool go;

	b.o.emulated = vm && !strcmp(vm, "1");
	ret = parse(argc, argv, &b.o);
	if (ret)
		return ret;
	if (set_spawn(&b.o))
		return 1;
	ret = set_cfgs(&b);
	if (ret)
		return ret;

	if (access(b.cfg.sysfs, F_OK)) {
		fprintf(stderr, "attach_bench: %s: no sched_ext in this kernel\n", b.cfg.sysfs);
		return 1;
	}
	if (ref_start(b.cfg.sysfs)) {
		fprintf(stderr, "attach_bench: cannot start the reference listeners\n");
		return 1;
	}
	for (i = 0; i < START_PROBES; i++)
		ref_clock_probe();
	ri.read_cost = read_cost(b.cfg.sysfs);

	/* Warm-up: first loads pay for cold caches and kthread creation. */
	go = run_cycles(&b, b.o.warmup, false, NULL, &i, &failed);
	go = go && run_cycles(&b, b.o.k, false, cycles, &ncycles, &failed);
	go = go && run_cycles(&b, b.o.reject_k, true, rejects, &nrejects, &failed);
	if (go && b.o.sub_k) {
		sr.sched = realpath(b.o.sub_sched, NULL);
		sr.ops = b.o.sub_ops;
		ret = sr.sched ? sub_cycles(&b, &sr, b.o.sub_k, subs, &nsubs) : -1;
		if (!sr.sched)
			snprintf(sr.why, sizeof(sr.why), "%s: %s", b.o.sub_sched, strerror(errno));
		if (ret < 0)
			fprintf(stderr, "attach_bench: no child cycles: %s\n", sr.why);
		failed += ret < 0 ? 1 : ret;
	}
	for (i = 0; i < START_PROBES / 2; i++)
		ref_clock_probe();
	ri.kmsg_offset = ref_kmsg_offset();

	if (b.o.verbose) {
		int np;
		const struct ref_probe *p = ref_probes(&np);

		for (i = 0; i < ncycles; i++)
			table_cycle(stdout, &b, &ri, i, &cycles[i]);
		for (i = 0; i < nrejects; i++)
			table_cycle(stdout, &b, &ri, i, &rejects[i]);
		for (i = 0; i < np; i++)
			printf("probe %3d at %.3f s: kmsg ts - CLOCK_MONOTONIC %+.1f us, write %.1f us\n",
			       i, (double)(p[i].t - p[0].t) / 1e9, p[i].offset / 1e3, p[i].width / 1e3);
	}
	table_attach(stdout, &b, &ri, cycles, ncycles);
	if (nrejects)
		table_reject(stdout, &b, &ri, rejects, nrejects);
	if (nsubs)
		table_sub(stdout, &b, &ri, cycles, ncycles, &sr, subs, nsubs);
	return failed || !go ? 1 : 0;
}
