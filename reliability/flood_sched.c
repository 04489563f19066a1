// SPDX-License-Identifier: GPL-2.0
/*
 * flood_sched - write a flood of output, then become a real scheduler.
 *
 *   flood_sched MB PROG [ARGS...]
 *
 * Writes MB megabytes of numbered log lines to stdout, then "flood: done",
 * then execs PROG (e.g. scx_fault --fault=none), which attaches under the
 * same pid.  Used to check that the harness caps the scheduler's log and
 * that the disk under TMPDIR does not fill.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[65536];
	unsigned long long want, done = 0, line = 0;
	size_t off = 0;
	ssize_t n;
	int len;

	if (argc < 3) {
		fprintf(stderr, "usage: flood_sched MB PROG [ARGS...]\n");
		return 2;
	}
	want = strtoull(argv[1], NULL, 10) << 20;
	while (done < want) {
		off = 0;
		while (off < sizeof(buf) - 128) {
			len = snprintf(buf + off, sizeof(buf) - off,
				       "flood: line %llu of a scheduler that will not stop talking\n",
				       line++);
			off += len;
		}
		for (size_t w = 0; w < off; w += n) {
			n = write(1, buf + w, off - w);
			if (n <= 0)
				return 3;
		}
		done += off;
	}
	printf("flood: done, %llu bytes in %llu lines\n", done, line);
	fflush(stdout);
	execv(argv[2], argv + 2);
	perror("flood: exec");
	return 127;
}
