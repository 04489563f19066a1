// SPDX-License-Identifier: GPL-2.0
/*
 * attach_bench: attach-verdict latency, wakeups and overhead of lib/'s
 * evented watcher against a seed-faithful baseline, side by side in one run
 * on a real sched_ext kernel.  Not a test: it fails only when the run is
 * broken (a cycle that did not attach or detach), never on a number.
 *
 * K attach/detach cycles per waiter, alternating lib, baseline, lib, ...
 * Independent of both waiters, two threads record the kernel's side:
 *   - a NETLINK_KOBJECT_UEVENT listener: arrival (CLOCK_MONOTONIC) of
 *     add@/kernel/sched_ext/root and remove@...;
 *   - a /dev/kmsg reader: the timestamps of 'sched_ext: BPF scheduler "X"
 *     enabled' and '... disabled (...)'.  Those are local_clock() in us;
 *     clock probes (a record we write to /dev/kmsg between two
 *     clock_gettime(CLOCK_MONOTONIC) calls) measure its offset from
 *     CLOCK_MONOTONIC, and the median offset is subtracted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/netlink.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/kmsg.h"
#include "lib/report.h"
#include "lib/sysfs.h"
#include "lib/uevent.h"
#include "lib/watch.h"
#include "baseline.h"

#define MAX_K		1000
#define MAX_EVENTS	65536
#define MAX_PROBES	(2 * MAX_K + 64)
#define START_PROBES	8

/* ------------------------------------------------------------ the kernel's side */

enum ev_kind { EV_UEV_ADD, EV_UEV_REMOVE, EV_K_ENABLED, EV_K_DISABLED, EV_K_PROBE };

struct ev {
	enum ev_kind kind;
	uint64_t t;		/* uevent: arrival, CLOCK_MONOTONIC; kmsg: the record's ts, raw */
	int probe;		/* EV_K_PROBE: its number */
	long long seq;		/* EV_UEV_ADD: enable_seq read right after the arrival */
	char name[64];		/* SCXOPS= or the scheduler named in the kmsg line */
};

static struct ev evs[MAX_EVENTS];
static int nev;
static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static int kmsg_ready, uev_ready;
static char sysfs_root[PATH_MAX] = SCX_SYSFS_DEFAULT;

static long long read_enable_seq(void)
{
	char path[PATH_MAX + 16], buf[32];
	long long v = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/enable_seq", sysfs_root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		v = atoll(buf);
	}
	return v;
}

static void ev_add(enum ev_kind kind, uint64_t t, int probe, long long seq, const char *name)
{
	pthread_mutex_lock(&ev_lock);
	if (nev < MAX_EVENTS) {
		evs[nev] = (struct ev){ .kind = kind, .t = t, .probe = probe, .seq = seq };
		snprintf(evs[nev].name, sizeof(evs[nev].name), "%s", name ? name : "");
		nev++;
	}
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}

static int ev_mark(void)
{
	int n;

	pthread_mutex_lock(&ev_lock);
	n = nev;
	pthread_mutex_unlock(&ev_lock);
	return n;
}

/*
 * First event of @kind at or after index @from (name prefix @name, probe
 * number @probe if >= 0), waiting at most @ms.  Copies it out; false if none.
 */
static bool ev_wait(enum ev_kind kind, int from, const char *name, int probe, unsigned int ms,
		    struct ev *out)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct timespec ts;
	bool found = false;
	int i;

	pthread_mutex_lock(&ev_lock);
	for (;;) {
		for (i = from; i < nev; i++) {
			if (evs[i].kind != kind)
				continue;
			if (name && strncmp(evs[i].name, name, strlen(name)))
				continue;
			if (probe >= 0 && evs[i].probe != probe)
				continue;
			*out = evs[i];
			found = true;
			break;
		}
		if (found || scx_now_ns() >= deadline)
			break;
		/* The condvar runs on CLOCK_REALTIME: wait in short slices. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * NSEC_PER_MSEC;
		if (ts.tv_nsec >= (long)NSEC_PER_SEC) {
			ts.tv_sec++;
			ts.tv_nsec -= NSEC_PER_SEC;
		}
		pthread_cond_timedwait(&ev_cond, &ev_lock, &ts);
	}
	pthread_mutex_unlock(&ev_lock);
	return found;
}

static void set_ready(int *flag)
{
	pthread_mutex_lock(&ev_lock);
	*flag = 1;
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}

static void *uevent_thread(void *arg)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	char buf[8193];
	struct sockaddr_nl src;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr msg = { .msg_name = &src, .msg_namelen = sizeof(src),
			      .msg_iov = &iov, .msg_iovlen = 1 };
	struct scx_uevent ev;
	int fd, sz = 1 << 20;
	uint64_t t;
	ssize_t n;

	(void)arg;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0 || (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)), 0) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "attach_bench: uevent listener: %s\n", strerror(errno));
		set_ready(&uev_ready);
		return NULL;
	}
	set_ready(&uev_ready);
	for (;;) {
		msg.msg_namelen = sizeof(src);
		n = recvmsg(fd, &msg, 0);
		t = scx_now_ns();
		if (n < 0 && (errno == EINTR || errno == ENOBUFS))
			continue;
		if (n < 0)
			break;
		if (src.nl_pid != 0)
			continue;
		buf[n] = '\0';
		if (scx_uevent_parse(buf, n, &ev) || !scx_uevent_is_root(&ev))
			continue;
		/*
		 * Does the kernel bump enable_seq before or after this event?
		 * A watcher woken by it and requiring enable_seq to have moved
		 * needs to know.
		 */
		if (!strcmp(ev.action, "add"))
			ev_add(EV_UEV_ADD, t, -1, read_enable_seq(), ev.scxops);
		else if (!strcmp(ev.action, "remove"))
			ev_add(EV_UEV_REMOVE, t, -1, -1, ev.scxops);
	}
	return NULL;
}

/* 'BPF scheduler "X" ...': copy X. */
static void kline_name(const char *msg, char *name, size_t len)
{
	const char *p = strstr(msg, "BPF scheduler \""), *q;

	name[0] = '\0';
	if (!p)
		return;
	p += 15;
	q = strchr(p, '"');
	if (q)
		snprintf(name, len, "%.*s", (int)(q - p), p);
}

static void *kmsg_thread(void *arg)
{
	char buf[8192], name[64], *msg;
	unsigned long long ts_us;
	int fd, probe;
	ssize_t n;

	(void)arg;
	fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || lseek(fd, 0, SEEK_END) < 0) {
		fprintf(stderr, "attach_bench: /dev/kmsg: %s\n", strerror(errno));
		set_ready(&kmsg_ready);
		return NULL;
	}
	set_ready(&kmsg_ready);
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		/* "prio,seq,ts_us,flags[,...];text\n" */
		if (sscanf(buf, "%*u,%*u,%llu", &ts_us) != 1)
			continue;
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		if (sscanf(msg, "scx_bench: clock probe %d", &probe) == 1) {
			ev_add(EV_K_PROBE, ts_us * 1000ULL, probe, -1, NULL);
			continue;
		}
		switch (scx_kline_parse(msg, NULL, 0, NULL)) {
		case SCX_KLINE_ENABLED:
			kline_name(msg, name, sizeof(name));
			ev_add(EV_K_ENABLED, ts_us * 1000ULL, -1, -1, name);
			break;
		case SCX_KLINE_DISABLED:
			kline_name(msg, name, sizeof(name));
			ev_add(EV_K_DISABLED, ts_us * 1000ULL, -1, -1, name);
			break;
		default:
			break;
		}
	}
	return NULL;
}

/* --------------------------------------------------------------- clock probes */

struct probe {
	uint64_t t;		/* CLOCK_MONOTONIC at the write */
	int64_t offset;		/* kmsg ts - CLOCK_MONOTONIC at the write's midpoint, ns */
	uint64_t width;		/* the write's duration: the offset's uncertainty */
};

static struct probe probes[MAX_PROBES];
static int nprobes;

static void clock_probe(void)
{
	static int id;
	char line[64];
	uint64_t t0, t1;
	struct ev e;
	int fd, len;
	int mark = ev_mark();

	if (nprobes >= MAX_PROBES)
		return;
	/* A fresh open each time: /dev/kmsg rate-limits writes per open file. */
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "<6>scx_bench: clock probe %d\n", ++id);
	t0 = scx_now_ns();
	if (write(fd, line, len) != len) {
		close(fd);
		return;
	}
	t1 = scx_now_ns();
	close(fd);
	if (!ev_wait(EV_K_PROBE, mark, NULL, id, 1000, &e))
		return;
	probes[nprobes++] = (struct probe){
		.t = t0,
		.offset = (int64_t)e.t - (int64_t)(t0 / 2 + t1 / 2),
		.width = t1 - t0,
	};
}

/* ------------------------------------------------------------------ statistics */

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the finite values; NAN if none. */
struct dist {
	int n;
	double min, p50, p95, max;
};

static struct dist dist_of(const double *v, int n)
{
	double *s = malloc(sizeof(*s) * (n ? n : 1));
	struct dist d = { 0, NAN, NAN, NAN, NAN };
	int i, m = 0;

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

/* ---------------------------------------------------------------------- cycles */

enum waiter { W_LIB, W_BASE, W_NR };
static const char *const waiter_name[W_NR] = { "lib/ watcher", "baseline" };

struct cycle {
	enum waiter w;
	bool ok;
	char why[640];
	uint64_t t_call, t_return;	/* around scx_run() / bl_run() */
	uint64_t t_spawn, t_seen, t_verdict, t_kill, t_disabled;
	uint64_t t_last_miss;		/* baseline: its last empty read of root/ops */
	uint64_t k_enabled, k_disabled;	/* raw kmsg ts, 0: not seen */
	uint64_t uev_add, uev_remove;	/* listener arrival, 0: not seen */
	uint64_t cpu_ns;
	unsigned int wakeups;
	unsigned int wake_count[SCX_WAKE_NR];
	enum scx_wake attach_by;
	bool premature;			/* baseline: state not yet "enabled" at its verdict */
	long long seq_before;		/* enable_seq before the spawn */
	bool seq_late;			/* enable_seq had not moved when the add uevent came */
};

static struct cycle cycles[2 * MAX_K];
static int ncycles;

struct opts {
	int k, warmup;
	const char *sched, *ops;
	char *argv[16];			/* the scheduler's, argv[0] = sched */
	const char *exec;		/* what is spawned: sched, or sh for a delay */
	char *xargv[24];
	unsigned int delay_ms;		/* sh -c 'sleep ...; exec sched ...' */
	unsigned int gate_ms, hold_ms, cadence_ms, deadline_ms, settle_ms;
	bool emulated, verbose;
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int wait_disabled_quiet(const char *sysfs, unsigned int ms)
{
	struct scx_sysfs s;
	struct scx_snap snap;
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	int ret = -ETIMEDOUT;

	if (scx_sysfs_open(&s, sysfs))
		return -ENOENT;
	while (scx_now_ns() < deadline) {
		if (!scx_sysfs_read(&s, &snap) && snap.state == SCX_STATE_DISABLED && !snap.root) {
			ret = 0;
			break;
		}
		usleep(10000);
	}
	scx_sysfs_close(&s);
	return ret;
}

/* After a cycle: collect what the kernel said about it. */
static void kernel_side(struct cycle *cy, int mark, const char *ops)
{
	struct ev e;

	if (ev_wait(EV_K_ENABLED, mark, ops, -1, 2000, &e))
		cy->k_enabled = e.t;
	if (ev_wait(EV_UEV_ADD, mark, ops, -1, 2000, &e)) {
		cy->uev_add = e.t;
		cy->seq_late = e.seq >= 0 && cy->seq_before >= 0 && e.seq <= cy->seq_before;
	}
	if (ev_wait(EV_K_DISABLED, mark, ops, -1, 2000, &e))
		cy->k_disabled = e.t;
	if (ev_wait(EV_UEV_REMOVE, mark, ops, -1, 2000, &e))
		cy->uev_remove = e.t;
}

static int run_lib(const struct opts *o, const struct scx_cfg *cfg, struct cycle *cy)
{
	static struct scx_result r;
	struct scx_child c;
	char detail[256];
	uint64_t cpu0;
	int ret;

	cy->w = W_LIB;
	cy->t_call = scx_now_ns();
	cpu0 = thread_cpu_ns();
	ret = scx_run(cfg, o->exec, o->xargv, o->ops, &c, &r);
	cy->cpu_ns = thread_cpu_ns() - cpu0;
	cy->t_return = scx_now_ns();
	if (ret) {
		snprintf(cy->why, sizeof(cy->why), "scx_run: %s", r.detail);
		return ret;
	}
	cy->t_spawn = c.t_spawn;
	cy->t_seen = r.t_attach ? c.t_spawn + r.t_attach : 0;
	cy->t_verdict = c.t_spawn + r.t_verdict;
	cy->wakeups = r.wakeups;
	memcpy(cy->wake_count, r.wake_count, sizeof(cy->wake_count));
	cy->attach_by = r.attach_by;
	cy->ok = r.verdict == SCX_V_ATTACHED;
	if (!cy->ok)
		snprintf(cy->why, sizeof(cy->why), "lib verdict \"%s\": %s",
			 scx_verdict_name(r.verdict), r.detail);
	scx_kmsg_close(&r.klog);

	cy->t_kill = scx_now_ns();
	ret = scx_finish(cfg, &c, &r, detail, sizeof(detail));
	cy->t_disabled = scx_now_ns();
	scx_child_release(&c, false);
	if (ret) {
		cy->ok = false;
		snprintf(cy->why, sizeof(cy->why), "scx_finish: %s", detail);
	}
	return ret;
}

static int run_base(const struct opts *o, const struct bl_cfg *bcfg, struct cycle *cy)
{
	struct bl_result b;
	uint64_t cpu0;
	int ret;

	cy->w = W_BASE;
	cy->t_call = scx_now_ns();
	cpu0 = thread_cpu_ns();
	ret = bl_run(bcfg, o->exec, o->xargv, &b);
	cy->cpu_ns = thread_cpu_ns() - cpu0;
	cy->t_return = scx_now_ns();
	cy->t_spawn = b.t_spawn;
	cy->wakeups = b.wakeups;
	cy->ok = !ret && b.verdict == BL_ATTACHED;
	if (cy->ok) {
		cy->t_seen = cy->t_verdict = b.t_seen;
		cy->t_last_miss = b.t_last_miss;
		cy->premature = strcmp(b.state_at_hit, "enabled") != 0;
	} else {
		snprintf(cy->why, sizeof(cy->why), "baseline: %s", b.err);
	}
	/* The lib holds hold_ms after its verdict: so does the baseline. */
	if (cy->ok)
		usleep(o->hold_ms * 1000);
	if (b.pid > 0 || b.pidfd >= 0) {
		ret = bl_stop(bcfg, &b, o->settle_ms, &cy->t_kill, &cy->t_disabled);
		if (ret) {
			cy->ok = false;
			snprintf(cy->why, sizeof(cy->why), "baseline: sched_ext not disabled %u ms after SIGINT",
				 o->settle_ms);
		}
	}
	return ret;
}

static int one_cycle(const struct opts *o, const struct scx_cfg *cfg, const struct bl_cfg *bcfg,
		     enum waiter w, struct cycle *cy)
{
	int mark, ret;

	memset(cy, 0, sizeof(*cy));
	if (wait_disabled_quiet(cfg->sysfs, o->settle_ms)) {
		snprintf(cy->why, sizeof(cy->why), "sched_ext not disabled before the cycle");
		return -EBUSY;
	}
	clock_probe();
	cy->seq_before = read_enable_seq();
	mark = ev_mark();
	ret = w == W_LIB ? run_lib(o, cfg, cy) : run_base(o, bcfg, cy);
	kernel_side(cy, mark, o->ops);
	if (!ret)
		ret = wait_disabled_quiet(cfg->sysfs, o->settle_ms);
	return ret;
}

/* ----------------------------------------------------------------------- report */

enum metric {
	M_LOAD, M_DET_K, M_DET_U, M_SEEN, M_VERDICT, M_EXCESS, M_WAKE_S, M_WAKES,
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
	[M_WAKE_S]	= { "wakeups/s, spawn -> verdict", "%.2f" },
	[M_WAKES]	= { "wakeups, spawn -> verdict", "%.0f" },
	[M_CPU]		= { "waiter thread CPU per cycle (ms)", "%.2f" },
	[M_CPU_S]	= { "waiter thread CPU per s waited (ms)", "%.2f" },
	[M_DETACH]	= { "detach: kill -> \"disabled\" seen (ms)", "%.1f" },
	[M_DETACH_K]	= { "  kill -> kmsg \"disabled\" (ms)", "%.1f" },
};

static double ms(int64_t ns)
{
	return (double)ns / 1e6;
}

static int64_t kmsg_offset;	/* median probe offset, subtracted from kmsg ts */
static struct dist read_cost;	/* one scx_sysfs_read() while idle, us */

/* What one look at the files costs lib/ here (idle: state "disabled"). */
static void measure_read_cost(const char *sysfs)
{
	static double v[64];
	struct scx_sysfs s;
	struct scx_snap snap;
	uint64_t t;
	int i;

	if (scx_sysfs_open(&s, sysfs))
		return;
	for (i = 0; i < 64; i++) {
		t = scx_now_ns();
		scx_sysfs_read(&s, &snap);
		v[i] = (double)(scx_now_ns() - t) / 1e3;
	}
	scx_sysfs_close(&s);
	read_cost = dist_of(v, 64);
}

static void cycle_metrics(const struct opts *o, const struct cycle *cy, double *m)
{
	double wait_s = (double)(cy->t_verdict - cy->t_spawn) / 1e9;
	double call_s = (double)(cy->t_return - cy->t_call) / 1e9;
	int64_t en = cy->k_enabled ? (int64_t)cy->k_enabled - kmsg_offset : 0;
	int64_t dis = cy->k_disabled ? (int64_t)cy->k_disabled - kmsg_offset : 0;
	int64_t load;
	int i;

	for (i = 0; i < M_NR; i++)
		m[i] = NAN;
	load = en ? en - (int64_t)cy->t_spawn : 0;
	if (en) {
		m[M_LOAD] = ms(load);
		m[M_DET_K] = ms((int64_t)cy->t_seen - en);
		m[M_EXCESS] = ms((int64_t)cy->t_verdict - (int64_t)cy->t_spawn -
				 scx_max(load, (int64_t)o->gate_ms * 1000000));
	}
	if (cy->uev_add)
		m[M_DET_U] = ms((int64_t)cy->t_seen - (int64_t)cy->uev_add);
	m[M_SEEN] = ms(cy->t_seen - cy->t_spawn);
	m[M_VERDICT] = ms(cy->t_verdict - cy->t_spawn);
	m[M_WAKES] = cy->wakeups;
	if (wait_s > 0)
		m[M_WAKE_S] = cy->wakeups / wait_s;
	m[M_CPU] = ms(cy->cpu_ns);
	if (call_s > 0)
		m[M_CPU_S] = ms(cy->cpu_ns) / call_s;
	m[M_DETACH] = ms(cy->t_disabled - cy->t_kill);
	if (dis)
		m[M_DETACH_K] = ms(dis - (int64_t)cy->t_kill);
}

static void fmt_val(char *buf, size_t len, const char *fmt, double v)
{
	if (isfinite(v))
		snprintf(buf, len, fmt, v);
	else
		snprintf(buf, len, "-");
}

static void fmt_ratio(char *buf, size_t len, double base, double lib)
{
	if (isfinite(base) && isfinite(lib) && base > 0 && lib > 0)
		snprintf(buf, len, "%.1fx", base / lib);
	else
		snprintf(buf, len, "n/a");
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

static struct dist metric_dist(const struct opts *o, enum waiter w, enum metric m)
{
	static double v[2 * MAX_K];
	double mv[M_NR];
	int i, n = 0;

	for (i = 0; i < ncycles; i++) {
		if (cycles[i].w != w || !cycles[i].ok)
			continue;
		cycle_metrics(o, &cycles[i], mv);
		v[n++] = mv[m];
	}
	return dist_of(v, n);
}

static const char *yes(bool met)
{
	return met ? "MET   " : "MISSED";
}

static void report(const struct opts *o, const struct scx_cfg *cfg, const struct bl_cfg *bcfg)
{
	static double v[MAX_PROBES > 2 * MAX_K ? MAX_PROBES : 2 * MAX_K];
	struct dist d[W_NR][M_NR], uevlag, lag, off, width;
	unsigned int by[SCX_WAKE_NR] = { 0 }, src[SCX_WAKE_NR] = { 0 };
	int ok[W_NR] = { 0 }, fail = 0, premature = 0, seq_late = 0, n, i, j, w;
	const char *env_date = getenv("SCX_ATTACH_BENCH_DATE");
	char accel[64], date[64], c[6][16], r50[16], r95[16];
	struct utsname u;
	time_t now;

	for (i = 0; i < nprobes; i++)
		v[i] = (double)probes[i].offset / 1e3;
	off = dist_of(v, nprobes);
	for (i = 0; i < nprobes; i++)
		v[i] = (double)probes[i].width / 1e3;
	width = dist_of(v, nprobes);

	for (i = 0; i < ncycles; i++) {
		const struct cycle *cy = &cycles[i];

		if (!cy->ok) {
			fail++;
			continue;
		}
		ok[cy->w]++;
		seq_late += cy->seq_late;
		if (cy->w == W_LIB) {
			by[cy->attach_by]++;
			for (j = 0; j < SCX_WAKE_NR; j++)
				src[j] += cy->wake_count[j];
		} else {
			premature += cy->premature;
		}
	}
	for (w = 0; w < W_NR; w++)
		for (j = 0; j < M_NR; j++)
			d[w][j] = metric_dist(o, w, j);
	/* The kernel's own gap, whoever waited: uevent arrival - kmsg "enabled". */
	for (i = 0, n = 0; i < ncycles; i++)
		if (cycles[i].ok && cycles[i].k_enabled && cycles[i].uev_add)
			v[n++] = ms((int64_t)cycles[i].uev_add -
				    ((int64_t)cycles[i].k_enabled - kmsg_offset));
	uevlag = dist_of(v, n);
	/* The baseline's own lag is bounded by its last miss: hit - last miss. */
	for (i = 0, n = 0; i < ncycles; i++)
		if (cycles[i].ok && cycles[i].w == W_BASE && cycles[i].t_last_miss)
			v[n++] = ms(cycles[i].t_seen - cycles[i].t_last_miss);
	lag = dist_of(v, n);

	uname(&u);
	accel_name(accel, sizeof(accel));
	if (env_date && *env_date) {
		snprintf(date, sizeof(date), "%s", env_date);
	} else {
		now = time(NULL);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	}

	printf("scx_attach benchmark: lib/ watcher vs seed-faithful baseline\n");
	printf("kernel %s, accel %s, %ld CPUs, %s\n", u.release, accel,
	       sysconf(_SC_NPROCESSORS_ONLN), date);
	printf("K=%d cycles per waiter, alternating lib/baseline (+%d warm-up each, not counted); ok: lib %d, baseline %d, failed %d\n",
	       o->k, o->warmup, ok[W_LIB], ok[W_BASE], fail);
	printf("scheduler: %s", strrchr(o->sched, '/') ? strrchr(o->sched, '/') + 1 : o->sched);
	for (i = 1; o->argv[i]; i++)
		printf(" %s", o->argv[i]);
	printf(" (ops \"%s\"); gate %u ms for both; %u ms held after each verdict\n",
	       o->ops, o->gate_ms, o->hold_ms);
	if (o->delay_ms)
		printf("slow load: spawned as sh -c '%s' ...: it starts loading %u ms after the spawn\n",
		       o->xargv[2], o->delay_ms);
	printf("lib/: scx_run() + scx_finish(); fallback cadence %u ms, uevent %s, CPU budget %u ms, wall %u ms\n",
	       cfg->poll_ms, cfg->uevent ? "on" : "off", cfg->attach_ms, cfg->wall_ms);
	printf("baseline: pidfd gate, then root/ops non-empty via inotify + %u ms cadence, deadline %u ms after the gate\n",
	       bcfg->cadence_ms, bcfg->deadline_ms);
	if (off.n)
		printf("kmsg ts - CLOCK_MONOTONIC: %+.0f us median, %+.0f..%+.0f us over %d probes (write() takes %.0f us p50); median subtracted\n",
		       off.p50, off.min, off.max, off.n, width.p50);
	else
		printf("kmsg ts - CLOCK_MONOTONIC: no probe came back (kmsg rows are unreliable)\n");
	printf("\n%-40s %26s %26s %16s\n", "", "lib/ watcher", "baseline", "baseline/lib");
	printf("%-40s %8s %8s %8s %8s %8s %8s %7s %7s\n", "", "p50", "p95", "max", "p50", "p95",
	       "max", "p50", "p95");
	for (j = 0; j < M_NR; j++) {
		fmt_val(c[0], 16, metrics[j].fmt, d[W_LIB][j].p50);
		fmt_val(c[1], 16, metrics[j].fmt, d[W_LIB][j].p95);
		fmt_val(c[2], 16, metrics[j].fmt, d[W_LIB][j].max);
		fmt_val(c[3], 16, metrics[j].fmt, d[W_BASE][j].p50);
		fmt_val(c[4], 16, metrics[j].fmt, d[W_BASE][j].p95);
		fmt_val(c[5], 16, metrics[j].fmt, d[W_BASE][j].max);
		fmt_ratio(r50, sizeof(r50), d[W_BASE][j].p50, d[W_LIB][j].p50);
		fmt_ratio(r95, sizeof(r95), d[W_BASE][j].p95, d[W_LIB][j].p95);
		printf("%-40s %8s %8s %8s %8s %8s %8s %7s %7s\n", metrics[j].label,
		       c[0], c[1], c[2], c[3], c[4], c[5], r50, r95);
	}

	printf("\nCPU: CLOCK_THREAD_CPUTIME_ID of the waiting thread around scx_run() (spawn, wait, %u ms hold;\n"
	       "     not scx_finish) and around bl_run() (fork, gate, wait); \"per s waited\": over that call's wall time\n",
	       o->hold_ms);
	printf("kernel: uevent at listener - kmsg \"enabled\": p50 %.1f, p95 %.1f, max %.1f ms (n=%d)\n",
	       uevlag.p50, uevlag.p95, uevlag.max, uevlag.n);
	printf("kernel: enable_seq had not yet moved when the listener read it right after the add uevent: %d of %d cycles\n",
	       seq_late, ok[W_LIB] + ok[W_BASE]);
	printf("lib/: attach revealed by");
	for (j = 0; j < SCX_WAKE_NR; j++)
		if (by[j])
			printf(" %s %u", scx_wake_name(j), by[j]);
	printf("; wakeups by source, spawn to end of hold:");
	for (j = 1; j < SCX_WAKE_NR; j++)
		printf(" %s %u", scx_wake_name(j), src[j]);
	printf("\n");
	printf("baseline: verdict while state was not yet \"enabled\" in %d of %d cycles (root/ops appears while enabling)\n",
	       premature, ok[W_BASE]);
	printf("baseline: attach seen - kmsg \"enabled\" ranges %+.1f .. %+.1f ms (negative: before the kernel enabled it)\n",
	       d[W_BASE][M_DET_K].min, d[W_BASE][M_DET_K].max);
	if (read_cost.n)
		printf("lib/: one re-read of the sysfs files (state, enable_seq, root) costs %.0f us p50, %.0f us p95 here (idle)\n",
		       read_cost.p50, read_cost.p95);
	if (lag.n)
		printf("baseline: hit - its previous empty read (bounds its own cadence lag): p50 %.1f, p95 %.1f, max %.1f ms (n=%d)\n",
		       lag.p50, lag.p95, lag.max, lag.n);
	else
		printf("baseline: root/ops was already there at its first read after the gate, in every cycle\n");

	printf("\ntargets (lib/ watcher):\n");
	printf("  %s detection p95 <= 2 ms after the kernel's enable: %.1f ms after kmsg \"enabled\", %.1f ms after the uevent\n",
	       yes(d[W_LIB][M_DET_K].p95 <= 2 && d[W_LIB][M_DET_U].p95 <= 2),
	       d[W_LIB][M_DET_K].p95, d[W_LIB][M_DET_U].p95);
	if (d[W_BASE][M_DET_K].p95 > 0 && d[W_LIB][M_DET_K].p95 > 0)
		printf("  %s detection p95 >= 10x better than the baseline's: %.1fx (kmsg)\n",
		       yes(d[W_BASE][M_DET_K].p95 >= 10 * d[W_LIB][M_DET_K].p95),
		       d[W_BASE][M_DET_K].p95 / d[W_LIB][M_DET_K].p95);
	else
		printf("  n/a    detection p95 >= 10x better than the baseline's: the baseline's p95 is %.1f ms, not > 0 (it answers on root/ops, before the enable)\n",
		       d[W_BASE][M_DET_K].p95);
	printf("  %s wakeups while waiting <= 2/s: p50 %.2f/s, p95 %.2f/s (baseline p50 %.2f/s)\n",
	       yes(d[W_LIB][M_WAKE_S].p95 <= 2), d[W_LIB][M_WAKE_S].p50, d[W_LIB][M_WAKE_S].p95,
	       d[W_BASE][M_WAKE_S].p50);
	printf("  %s verdict <= max(gate, load) + 5 ms: p95 %+.1f ms, max %+.1f ms\n",
	       yes(d[W_LIB][M_EXCESS].p95 <= 5), d[W_LIB][M_EXCESS].p95, d[W_LIB][M_EXCESS].max);
	printf("percentiles: nearest rank over the ok cycles; \"-\": not measured\n");
}

static void print_cycle(FILE *f, const struct opts *o, int idx, const struct cycle *cy)
{
	double m[M_NR];

	cycle_metrics(o, cy, m);
	fprintf(f, "cycle %3d %-8s %s load %.0f det_k %.1f det_u %.1f verdict %.0f excess %.1f wakeups %u (%.2f/s) cpu %.2f ms detach %.1f%s%s%s%s\n",
	       idx, cy->w == W_LIB ? "lib" : "baseline", cy->ok ? "ok  " : "FAIL",
	       m[M_LOAD], m[M_DET_K], m[M_DET_U], m[M_VERDICT], m[M_EXCESS], cy->wakeups,
	       m[M_WAKE_S], m[M_CPU], m[M_DETACH],
	       cy->w == W_LIB ? " by " : (cy->premature ? " premature" : ""),
	       cy->w == W_LIB ? scx_wake_name(cy->attach_by) : "",
	       cy->ok ? "" : ": ", cy->ok ? "" : cy->why);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
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
		"  --delay-ms MS        slow load: start it through sh -c 'sleep MS; exec ...'\n"
		"  --gate-ms MS         liveness gate of both waiters (default 1000)\n"
		"  --hold-ms MS         held after each verdict (default 100)\n"
		"  --cadence-ms MS      baseline re-read cadence (default 50)\n"
		"  --deadline-ms MS     baseline deadline after the gate (default 10000,\n"
		"                       60000 when emulated)\n"
		"  --emulated|--no-emulated  wide windows (default: on when SCX_ATTACH_VM=1)\n"
		"  -v                   one line per cycle\n"
		"The lib/ side reads SCX_ATTACH_* like the suite, then gets the gate,\n"
		"hold and (when emulated) run_tests.sh --emulated windows from here.\n"
		"Exit: 0, 1 if a cycle failed to attach or detach (a broken run), 2 usage.\n", f);
}

int main(int argc, char **argv)
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
		{ "emulated", no_argument, NULL, 'e' },
		{ "no-emulated", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.k = 30, .warmup = 1, .sched = "./scx_fault", .ops = "fault",
		.gate_ms = 1000, .hold_ms = 100, .cadence_ms = 50, .deadline_ms = 0,
	};
	const char *vm = getenv("SCX_ATTACH_VM");
	static char sched_path[PATH_MAX];
	int nargs = 0, opt, i, failed = 0, ret;
	bool stop = false;
	static int64_t offs[MAX_PROBES];
	char err[SCX_ERR_LEN];
	pthread_t th;
	struct scx_cfg cfg;
	struct bl_cfg bcfg;

	o.emulated = vm && !strcmp(vm, "1");
	while ((opt = getopt_long(argc, argv, "k:vh", lopts, NULL)) != -1) {
		unsigned int *ms = NULL;

		switch (opt) {
		case 'k':
			o.k = atoi(optarg);
			if (o.k < 1 || o.k > MAX_K) {
				fprintf(stderr, "attach_bench: -k 1..%d\n", MAX_K);
				return 2;
			}
			break;
		case 'w':
			o.warmup = atoi(optarg);
			if (o.warmup < 0 || o.warmup > 10) {
				fprintf(stderr, "attach_bench: --warmup 0..10\n");
				return 2;
			}
			break;
		case 's':
			o.sched = optarg;
			break;
		case 'a':
			if (nargs >= 12) {
				fprintf(stderr, "attach_bench: too many --arg\n");
				return 2;
			}
			o.argv[1 + nargs++] = optarg;
			break;
		case 'o':
			o.ops = optarg;
			break;
		case 'D':
			ms = &o.delay_ms;
			break;
		case 'g':
			ms = &o.gate_ms;
			break;
		case 'H':
			ms = &o.hold_ms;
			break;
		case 'c':
			ms = &o.cadence_ms;
			break;
		case 'd':
			ms = &o.deadline_ms;
			break;
		case 'e':
		case 'E':
			o.emulated = opt == 'e';
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
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
	if (!realpath(o.sched, sched_path)) {
		fprintf(stderr, "attach_bench: %s: %s\n", o.sched, strerror(errno));
		return 1;
	}
	o.sched = sched_path;
	o.argv[0] = sched_path;
	if (!nargs)
		o.argv[1] = "--fault=none";
	o.exec = o.sched;
	memcpy(o.xargv, o.argv, sizeof(o.argv));
	if (o.delay_ms) {
		static char script[96];

		snprintf(script, sizeof(script), "sleep %u.%03u; exec \"$0\" \"$@\"",
			 o.delay_ms / 1000, o.delay_ms % 1000);
		o.exec = "/bin/sh";
		o.xargv[0] = "sh";
		o.xargv[1] = "-c";
		o.xargv[2] = script;
		memcpy(o.xargv + 3, o.argv, sizeof(o.argv));
	}
	if (!o.deadline_ms)
		o.deadline_ms = o.emulated ? 60000 : 10000;

	if (scx_cfg_init(&cfg, err, sizeof(err))) {
		fprintf(stderr, "attach_bench: %s\n", err);
		return 2;
	}
	cfg.gate_ms = o.gate_ms;
	cfg.hold_ms = o.hold_ms;
	cfg.load = false;	/* the hold's load is no part of the wait */
	if (o.emulated) {	/* as run_tests.sh --emulated, unless set */
		if (!getenv("SCX_ATTACH_TIMEOUT_MS"))
			cfg.attach_ms = 60000;
		if (!getenv("SCX_ATTACH_WALL_MS"))
			cfg.wall_ms = 180000;
		if (!getenv("SCX_ATTACH_SETTLE_MS"))
			cfg.settle_ms = 30000;
		if (!getenv("SCX_ATTACH_GRACE_MS"))
			cfg.grace_ms = 5000;
	}
	o.settle_ms = cfg.settle_ms;
	snprintf(sysfs_root, sizeof(sysfs_root), "%s", cfg.sysfs);
	bcfg = (struct bl_cfg){
		.gate_ms = o.gate_ms, .cadence_ms = o.cadence_ms,
		.deadline_ms = o.deadline_ms, .sysfs = cfg.sysfs,
	};

	if (access(cfg.sysfs, F_OK)) {
		fprintf(stderr, "attach_bench: %s: no sched_ext in this kernel\n", cfg.sysfs);
		return 1;
	}
	if (pthread_create(&th, NULL, uevent_thread, NULL) ||
	    pthread_create(&th, NULL, kmsg_thread, NULL)) {
		fprintf(stderr, "attach_bench: pthread_create failed\n");
		return 1;
	}
	pthread_mutex_lock(&ev_lock);
	while (!uev_ready || !kmsg_ready)
		pthread_cond_wait(&ev_cond, &ev_lock);
	pthread_mutex_unlock(&ev_lock);
	for (i = 0; i < START_PROBES; i++)
		clock_probe();
	measure_read_cost(cfg.sysfs);

	/* Warm-up: first loads pay for cold caches and kthread creation. */
	for (i = 0; i < 2 * o.warmup && !stop; i++) {
		struct cycle scratch;

		ret = one_cycle(&o, &cfg, &bcfg, i % 2 ? W_BASE : W_LIB, &scratch);
		if (!scratch.ok) {
			fprintf(stderr, "attach_bench: warm-up cycle %d failed: %s\n", i, scratch.why);
			failed++;
		}
		stop = ret == -EBUSY;
	}
	for (i = 0; i < 2 * o.k && !stop; i++) {
		struct cycle *cy = &cycles[ncycles++];

		ret = one_cycle(&o, &cfg, &bcfg, i % 2 ? W_BASE : W_LIB, cy);
		if (!cy->ok) {
			failed++;
			fprintf(stderr, "attach_bench: cycle %d (%s) failed: %s\n", i,
				waiter_name[cy->w], cy->why);
		}
		if (ret == -EBUSY || (ret && wait_disabled_quiet(cfg.sysfs, o.settle_ms))) {
			fprintf(stderr, "attach_bench: sched_ext stays busy, stopping\n");
			stop = true;
		}
		if (o.verbose)
			fprintf(stderr, "attach_bench: cycle %d/%d %s %s\n", i + 1, 2 * o.k,
				waiter_name[cy->w], cy->ok ? "ok" : "FAILED");
	}
	for (i = 0; i < START_PROBES / 2; i++)
		clock_probe();

	for (i = 0; i < nprobes; i++)
		offs[i] = probes[i].offset;
	qsort(offs, nprobes, sizeof(offs[0]), cmp_i64);
	kmsg_offset = nprobes ? offs[(nprobes + 1) / 2 - 1] : 0;
	if (o.verbose)
		for (i = 0; i < ncycles; i++)
			print_cycle(stdout, &o, i, &cycles[i]);
	if (o.verbose)
		for (i = 0; i < nprobes; i++)
			printf("probe %3d at %.3f s: kmsg ts - CLOCK_MONOTONIC %+.1f us, write %.1f us\n", i,
			       (double)(probes[i].t - probes[0].t) / 1e9, probes[i].offset / 1e3,
			       probes[i].width / 1e3);
	report(&o, &cfg, &bcfg);
	return failed ? 1 : 0;
}
