// SPDX-License-Identifier: GPL-2.0
/*
 * fake_sched - scheduler-shaped programs for the harness's own tests
 * (SIMULATION ONLY: they attach to selftest/fake_kernel.c, not to sched_ext).
 *
 * Usage: fake_sched SIMDIR MODE
 * Each mode is one way a real loader behaves at startup or while attached.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static const char *simdir;

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Attach through the fake kernel; returns the link fd, or exits. */
static int attach(const char *how, const char *want)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[64];
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/link", simdir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("fake: connect");
		exit(2);
	}
	dprintf(fd, "enable fake_1.0.0_gdeadbeef %s\n", how);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (strncmp(buf, want, strlen(want))) {
		printf("EXIT: %s", n > 0 ? buf : "link closed\n");
		exit(1);
	}
	printf("fake: %s", buf);
	fflush(stdout);
	return fd;
}

/* Run until SIGINT/SIGTERM, like scx_simple; detach by closing the link. */
static int run_attached(int link)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
	close(link);
	printf("EXIT: unregistered from user space\n");
	return 0;
}

/* Attach, and come back when the kernel asks: the tree's loaders on UEI_ECODE_RESTART. */
static void restart_once(const char *how)
{
	char buf[64];
	int link;

	link = attach(how, strcmp(how, "restart-unseen") ? "enabled" : "restart");
	if (strcmp(how, "restart-unseen") && read(link, buf, sizeof(buf)) < 0)
		exit(1);
	close(link);
	printf("EXIT: unregistered from the main kernel (cpu 1 going offline, exiting scheduler)\n");
	msleep(200);
}

/*
 * Restarted once, then what the mode after "restart-" says: ejected by its
 * BPF code (seen, or between two looks, its log lines there, missing or
 * late), crashed, asked again (and back, or gone).  False: another mode.
 */
static bool restart_then(const char *mode, int *ret)
{
	static const char *const unseen[] = { "error-unseen", "error-unlogged", "error-late" };
	char buf[64];
	size_t i;
	int link;

	if (strncmp(mode, "restart-", 8))
		return false;
	mode += 8;
	for (i = 0; i < ARRAY_SIZE(unseen); i++) {
		if (strcmp(mode, unseen[i]))
			continue;
		restart_once("restart=300");
		close(attach(unseen[i], "ejected"));
		printf("EXIT: scx_bpf_error (fake.bpf.c:42: fault: injected error after 0 ms)\n");
		*ret = 0;
		return true;
	}
	if (!strcmp(mode, "eject")) {
		restart_once("restart=300");
		link = attach("eject=500", "enabled");
		*ret = read(link, buf, sizeof(buf)) < 0;
		printf("EXIT: runtime error (fault: injected error)\n");
		return true;
	}
	if (!strcmp(mode, "die")) {
		restart_once("restart=300");
		/* Some loaders retry an attach that raced the hotplug. */
		printf("libbpf: map 'fake_ops': failed to attach struct_ops: -EBUSY, retrying\n");
		link = attach("ok", "enabled");
		msleep(400);
		printf("fake: about to crash\n");
		raise(SIGSEGV);
		*ret = link;
		return true;
	}
	if (!strcmp(mode, "twice") || !strcmp(mode, "twice-unseen") ||
	    !strcmp(mode, "twice-exit")) {
		restart_once("restart=300");
		restart_once(strcmp(mode, "twice") ? "restart-unseen" : "restart=300");
		*ret = strcmp(mode, "twice-exit") ? run_attached(attach("ok", "enabled")) : 0;
		return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *mode;
	char buf[128];
	int link, i;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: fake_sched SIMDIR MODE\n");
		return 2;
	}
	simdir = argv[1];
	mode = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("fake: mode %s, loading BPF programs\n", mode);

	if (!strcmp(mode, "healthy")) {
		msleep(200);
		return run_attached(attach("ok", "enabled"));
	}
	if (!strcmp(mode, "splat")) {
		msleep(200);
		return run_attached(attach("splat=300", "enabled"));
	}
	if (!strcmp(mode, "slow")) {
		/* A loaded host: long in wall time, little CPU. */
		msleep(1500);
		return run_attached(attach("ok", "enabled"));
	}
	if (!strcmp(mode, "spin")) {
		/* Busy before attaching: burns its CPU budget. */
		for (volatile unsigned long n = 0;; n++)
			;
	}
	if (!strcmp(mode, "never")) {
		printf("fake: waiting for something that never comes\n");
		pause();
		return 0;
	}
	if (!strcmp(mode, "reject")) {
		attach("reject", "enabled");
		return 1;
	}
	if (!strcmp(mode, "reject-slow")) {
		/* A loader that takes its time to say why. */
		attach("reject", "rejected");
		msleep(300);
		printf("fake: failed to attach struct_ops 'fake_ops': -22 (Invalid argument)\n");
		return 1;
	}
	if (!strcmp(mode, "reject-stay")) {
		link = attach("reject", "rejected");
		pause();
		return 0;
	}
	if (!strcmp(mode, "reject-unseen")) {
		link = attach("reject-unseen", "rejected");
		pause();
		return 0;
	}
	if (!strcmp(mode, "eject")) {
		link = attach("eject=700", "enabled");
		i = read(link, buf, sizeof(buf));
		printf("EXIT: runtime error (%s)\n", i > 0 ? "ejected" : "?");
		return 0;
	}
	if (!strcmp(mode, "watchdog")) {
		/* Ejected by the kernel's watchdog 3 s into the hold. */
		link = attach("stall=3000", "enabled");
		i = read(link, buf, sizeof(buf));
		printf("EXIT: runnable task stall (kworker/0:1[42] failed to run for 3.000s)\n");
		return 0;
	}
	if (!strcmp(mode, "restart") || !strcmp(mode, "no-restart") ||
	    !strcmp(mode, "stuck-restart")) {
		/* Like the tree's loaders on UEI_ECODE_RESTART, or not. */
		link = attach("restart=500", "enabled");
		i = read(link, buf, sizeof(buf));
		close(link);
		printf("EXIT: unregistered from the main kernel (cpu 1 going offline, exiting scheduler)\n");
		if (!strcmp(mode, "no-restart"))
			return 0;
		if (!strcmp(mode, "stuck-restart"))
			pause();
		msleep(200);
		return run_attached(attach("ok", "enabled"));
	}
	if (restart_then(mode, &i))
		return i;
	if (!strcmp(mode, "glitch-die")) {
		/* Its load fails while the kernel's files cannot be read. */
		attach("glitch", "glitched");
		printf("fake: giving up\n");
		return 1;
	}
	if (!strcmp(mode, "late-line")) {
		msleep(200);
		return run_attached(attach("stale-ok", "enabled"));
	}
	if (!strcmp(mode, "glitch-hold"))
		return run_attached(attach("glitch-hold=300", "enabled"));
	if (!strcmp(mode, "die-early")) {
		printf("fake: initializing\n");
		msleep(300);
		abort();
	}
	if (!strcmp(mode, "die-after")) {
		link = attach("ok", "enabled");
		msleep(400);
		printf("fake: about to crash\n");
		raise(SIGSEGV);
		return 0;
	}
	if (!strcmp(mode, "exit0"))
		return 0;
	if (!strcmp(mode, "ignore-term")) {
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		link = attach("ok", "enabled");
		for (;;)
			pause();
	}
	if (!strcmp(mode, "daemonize")) {
		if (fork())
			return 0;
		setsid();
		snprintf(buf, sizeof(buf), "%s/daemon.pid", simdir);
		f = fopen(buf, "w");
		if (f) {
			fprintf(f, "%d\n", getpid());
			fclose(f);
		}
		msleep(200);
		return run_attached(attach("ok", "enabled"));
	}
	if (!strcmp(mode, "flood")) {
		for (i = 0; i < 200000; i++)
			printf("fake: flood line %d, padding padding padding padding\n", i);
		printf("fake: done flooding\n");
		return run_attached(attach("ok", "enabled"));
	}
	fprintf(stderr, "fake: unknown mode %s\n", mode);
	return 2;
}
