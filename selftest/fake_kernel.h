/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated sched_ext for the harness's own tests (SIMULATION ONLY).
 *
 * A thread in the test process plays the kernel: it owns a fake sysfs tree
 * and a kmsg-format log file, and fake schedulers "attach" by connecting to
 * its socket, as a real loader attaches a struct_ops link.  It replays the
 * sequences measured on a real 7.3 kernel: state "enabling",
 * root/ops appearing 160 ms later while still enabling, "enabled" 210 ms
 * after that with enable_seq bumped; detach and ejection go disabling ->
 * root/ removed -> disabled, with the kernel's log lines.  When the loader's
 * connection closes (it died), it unregisters, as the kernel does when the
 * link's last fd goes away.
 */
#ifndef __SCX_FAKE_KERNEL_H
#define __SCX_FAKE_KERNEL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

struct fake_kernel {
	char dir[PATH_MAX];	/* private temp dir holding everything below */
	char sys[PATH_MAX];	/* fake /sys/kernel/sched_ext */
	char kmsg[PATH_MAX];	/* fake /dev/kmsg, kmsg record format */
	char sock[PATH_MAX];	/* where fake loaders attach */
	int lfd;
	int wake[2];
	long long seq;		/* enable_seq */
	pthread_t th;
	bool running;
};

int fk_start(struct fake_kernel *fk);
void fk_stop(struct fake_kernel *fk);
/* Pretend another scheduler is attached (for the busy verdict). */
int fk_set_busy(struct fake_kernel *fk, const char *ops);
/* The pid a daemonizing fake_sched wrote to daemon.pid, 0 if none. */
pid_t fk_daemon_pid(const struct fake_kernel *fk);
/* The fake state file, e.g. "disabled". */
int fk_state(struct fake_kernel *fk, char *buf, size_t len);

#endif /* __SCX_FAKE_KERNEL_H */
