// SPDX-License-Identifier: GPL-2.0
/*
 * soak - attach and detach a scheduler many times through lib/, and check
 * that nothing accumulates: open fds, children, zombies, kernel state.
 *
 *   soak [-n CYCLES] [--sim] [--ops NAME] [--] SCHEDULER [ARGS...]
 *
 * Real mode (the default, in the VM): SCHEDULER is run CYCLES times with
 * scx_run() + scx_finish(), every cycle must be "attached", and at the end
 * sched_ext's enable_seq must have advanced by exactly CYCLES.  Windows
 * come from the SCX_ATTACH_* environment, as for the test.
 *
 * --sim (SIMULATION, for the sanitizer build on any host): the kernel is
 * selftest/fake_kernel.c and SCHEDULER is fake_sched, run in "healthy"
 * mode; the same checks apply to the fake sysfs tree.
 *
 * Prints TAP and a "soak: N passed, N failed" line; exits 0 or 1.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/proc.h"
#include "lib/report.h"
#include "lib/spawn.h"
#include "lib/sysfs.h"
#include "lib/watch.h"
#include "selftest/fake_kernel.h"

static int nr_test, nr_fail;

static void result(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void result(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	nr_test++;
	nr_fail += !ok;
	printf("%sok %d %s\n", ok ? "" : "not ", nr_test, name);
	if (fmt) {
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
}

static int count_fds(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static void list_fds(void)
{
	char p[300], target[256];
	struct dirent *de;
	ssize_t n;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		n = readlink(p, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("#   fd %s -> %s\n", de->d_name, target);
	}
	closedir(d);
}

/*
 * Processes whose parent is us, zombies included; in @named, those named
 * @comm that carry our owner tag (a scheduler of ours, a daemon it left):
 * another run's on a shared machine is not ours to count.
 */
static int count_procs(const char *comm, int *named)
{
	char path[300], buf[512], name[64], *p, *q;
	int n = 0, fd, ppid;
	struct dirent *de;
	char self[32];
	ssize_t len;
	DIR *d;

	*named = 0;
	len = readlink("/proc/self", self, sizeof(self) - 1);
	self[len > 0 ? len : 0] = '\0';
	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || !strcmp(de->d_name, self))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		p = strchr(buf, '(');
		q = strrchr(buf, ')');
		if (!p || !q || q < p)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(q - p - 1), p + 1);
		if (sscanf(q + 1, " %*c %d", &ppid) == 1 && ppid == atoi(self)) {
			printf("#   child %s (%s) left\n", de->d_name, name);
			n++;
		}
		if (!comm || strncmp(name, comm, 15))
			continue;
		if (!scx_proc_env_is(atoi(de->d_name), SCX_OWNER_ENV, scx_owner_tag())) {
			printf("#   %s pid %s is not this run's (no owner tag of ours)\n", name,
			       de->d_name);
			continue;
		}
		printf("#   %s still running as pid %s\n", name, de->d_name);
		(*named)++;
	}
	closedir(d);
	return n;
}

static long rss_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: soak [-n CYCLES] [--sim] [--ops NAME] [--] SCHEDULER [ARGS...]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cycles", required_argument, NULL, 'n' },
		{ "sim", no_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char err[SCX_ERR_LEN], detail[SCX_ERR_LEN], sim_argv_dir[PATH_MAX];
	int cycles = 200, opt, i, fd0, fd1 = -1, fdn, kids, named, attached = 0;
	uint64_t t0, t, dt, dt_max = 0, dt_sum = 0;
	struct scx_snap before, after;
	struct fake_kernel fk;
	struct scx_sysfs sys;
	struct scx_result r;
	struct scx_child c;
	struct scx_cfg cfg;
	const char *ops = NULL, *comm;
	char **sargv, *sim_argv[4];
	bool sim = false;
	long rss0, rss1;
	siginfo_t si;

	while ((opt = getopt_long(argc, argv, "+n:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			cycles = atoi(optarg);
			if (cycles <= 0) {
				fprintf(stderr, "soak: -n needs a positive count\n");
				return 2;
			}
			break;
		case 's':
			sim = true;
			break;
		case 'o':
			ops = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (scx_cfg_init(&cfg, err, sizeof(err))) {
		fprintf(stderr, "soak: %s\n", err);
		return 2;
	}
	sargv = argv + optind;
	if (sim) {
		if (fk_start(&fk)) {
			fprintf(stderr, "soak: cannot start the fake kernel\n");
			return 2;
		}
		snprintf(cfg.sysfs, sizeof(cfg.sysfs), "%s", fk.sys);
		snprintf(cfg.kmsg, sizeof(cfg.kmsg), "%s", fk.kmsg);
		cfg.uevent = false;
		snprintf(sim_argv_dir, sizeof(sim_argv_dir), "%s", fk.dir);
		sim_argv[0] = sargv[0];
		sim_argv[1] = sim_argv_dir;
		sim_argv[2] = "healthy";
		sim_argv[3] = NULL;
		sargv = sim_argv;
		ops = "fake";
	}
	comm = strrchr(sargv[0], '/');
	comm = comm ? comm + 1 : sargv[0];

	printf("TAP version 13\n1..6\n");
	printf("# soak: %d cycles of %s%s, gate %u ms, hold %u ms, grace %u ms\n", cycles,
	       sargv[0], sim ? " (SIMULATED kernel)" : "", cfg.gate_ms, cfg.hold_ms, cfg.grace_ms);
	if (scx_sysfs_open(&sys, cfg.sysfs) || scx_sysfs_read(&sys, &before)) {
		printf("1..0 # SKIP no sched_ext sysfs at %s\n", cfg.sysfs);
		return 4;
	}
	scx_sysfs_close(&sys);

	fd0 = count_fds();
	rss0 = rss_kb();
	t0 = scx_now_ns();
	for (i = 0; i < cycles; i++) {
		t = scx_now_ns();
		if (scx_run(&cfg, sargv[0], sargv, ops, &c, &r)) {
			printf("# cycle %d: watcher setup failed: %s\n", i + 1, r.detail);
		} else if (r.verdict != SCX_V_ATTACHED) {
			printf("# cycle %d: %s\n", i + 1, scx_verdict_name(r.verdict));
			scx_report(stdout, &r, &c, comm);
		} else {
			attached++;
		}
		if (scx_finish(&cfg, &c, &r, detail, sizeof(detail)))
			printf("# cycle %d: cleanup: %s\n", i + 1, detail);
		scx_child_release(&c, false);
		dt = scx_now_ns() - t;
		dt_sum += dt;
		dt_max = scx_max(dt_max, dt);
		if (i == 0)
			fd1 = count_fds();
		if ((i + 1) % 25 == 0)
			printf("# %d cycles, %.1f s\n", i + 1, (double)(scx_now_ns() - t0) / NSEC_PER_SEC);
	}
	dt = scx_now_ns() - t0;
	fdn = count_fds();
	rss1 = rss_kb();

	result(attached == cycles, "every cycle attached", "%d of %d cycles attached", attached,
	       cycles);
	result(fdn == fd0, "open fds did not grow", "fds: %d before, %d after one cycle, %d after %d",
	       fd0, fd1, fdn, cycles);
	if (fdn != fd0)
		list_fds();

	kids = count_procs(comm, &named);
	errno = 0;
	memset(&si, 0, sizeof(si));
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
		kids++;
	result(kids == 0 && errno != 0, "no child or zombie left", "%d children", kids);
	result(named == 0, "no scheduler process left", "%d processes named %.15s", named, comm);

	if (scx_sysfs_open(&sys, cfg.sysfs) || scx_sysfs_read(&sys, &after))
		after.state = SCX_STATE_UNKNOWN;
	scx_sysfs_close(&sys);
	result(after.state == SCX_STATE_DISABLED && !after.root, "sched_ext disabled at the end",
	       "state %s%s", scx_state_name(after.state), after.root ? ", root/ present" : "");
	result(after.enable_seq - before.enable_seq == attached && attached == cycles,
	       "enable_seq advanced by exactly the cycles",
	       "enable_seq %lld -> %lld (+%lld) for %d cycles", before.enable_seq,
	       after.enable_seq, after.enable_seq - before.enable_seq, cycles);

	printf("# duration: %.1f s for %d cycles, %.2f s per cycle on average, %.2f s at most\n",
	       (double)dt / NSEC_PER_SEC, cycles, (double)dt_sum / cycles / NSEC_PER_SEC,
	       (double)dt_max / NSEC_PER_SEC);
	printf("# rss: %ld kB before, %ld kB after\n", rss0, rss1);
	if (sim)
		fk_stop(&fk);
	printf("soak: %d passed, %d failed\n", nr_test - nr_fail, nr_fail);
	return nr_fail ? 1 : 0;
}
