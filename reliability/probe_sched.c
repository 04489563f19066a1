// SPDX-License-Identifier: GPL-2.0
/*
 * probe_sched - a stand-in scheduler that reports what it was given
 * (used by sec_test; it never touches sched_ext).
 *
 * Prints its environment, open fds, parent-death signal, blocked and
 * ignored signals, process group and stdin, one "key: value" per line,
 * then exits 0, or with "wait" as its argument sleeps until killed.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

extern char **environ;

static void status_line(const char *key)
{
	char line[256];
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			printf("%s", line);
	fclose(f);
}

int main(int argc, char **argv)
{
	char p[300], target[256];
	struct dirent *de;
	char **e;
	int sig = -1, dfd;
	ssize_t n;
	DIR *d;

	for (e = environ; *e; e++)
		printf("env: %s\n", *e);
	d = opendir("/proc/self/fd");
	dfd = d ? dirfd(d) : -1;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dfd)
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		n = readlink(p, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("fd: %s %s\n", de->d_name, target);
	}
	if (d)
		closedir(d);
	prctl(PR_GET_PDEATHSIG, &sig);
	printf("pdeathsig: %d\n", sig);
	printf("pgid: %d\n", (int)getpgrp());
	printf("ppid: %d\n", (int)getppid());
	status_line("SigBlk:");
	status_line("SigIgn:");
	printf("end\n");
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "wait"))
		for (;;)
			pause();
	return 0;
}
