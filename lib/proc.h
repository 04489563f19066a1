/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: processes as /proc and the pidfd syscalls show them.
 */
#ifndef __SCX_ATTACH_PROC_H
#define __SCX_ATTACH_PROC_H

#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "common.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(__NR_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	return syscall(__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int sys_close_range(unsigned int fd, unsigned int max_fd, unsigned int flags)
{
	return syscall(__NR_close_range, fd, max_fd, flags);
}


/*
 * Read /proc/@pid/stat into @buf; return the fields after comm (from the
 * state on), or NULL if the process is gone.
 */
const char *scx_proc_stat(pid_t pid, char *buf, size_t len);

/* Start time of @pid in clock ticks since boot, 0 if it is gone. */
unsigned long long scx_proc_start_time(pid_t pid);

/*
 * Children of @parent per /proc, zombies too unless @live (a zombie leader
 * whose other threads still run counts as live).  -EXDEV when /proc is not
 * of our pid namespace (its pids would name others).
 */
int scx_proc_children(pid_t parent, pid_t *pids, int max, bool live);

/*
 * Does @pid hold a struct_ops BPF link (what a sched_ext loader attaches)?
 * 1 with its link and map ids, 0 if not, -errno if /proc cannot tell.
 */
int scx_proc_struct_ops_link(pid_t pid, unsigned int *link_id, unsigned int *map_id);

/* How many fds this process has open, or -errno. */
int scx_proc_fd_count(void);

/* Remember @pid in @seen (SCX_PROC_MAX slots, @n used); true the first time. */
bool scx_pid_once(pid_t *seen, int *n, pid_t pid);

/*
 * The path of @prog in the directory of the running binary, where the
 * kselftest install puts the fixtures and helpers.  0 or -errno.
 */
int scx_sibling_path(char *buf, size_t len, const char *prog);

/*
 * Every scheduler's environment names its owner, SCX_ATTACH_OWNER=PID:START
 * (the suite, or the spawning process without one; START is the owner's
 * start time, so a reused pid does not pass for it).  A daemon inherits it.
 */
#define SCX_OWNER_ENV	"SCX_ATTACH_OWNER"

/*
 * Does @pid's environment (as it was at its execve) hold @name=@value?
 * False if not, or if it cannot be read (a zombie, another user's).
 */
bool scx_proc_env_is(pid_t pid, const char *name, const char *value);

/* Make @pid the owner named in the tags from now on. */
void scx_owner_set(pid_t pid);
const char *scx_owner_tag(void);

/*
 * SIGKILL live processes whose owner is gone: strays of a suite that was
 * SIGKILLed whole, daemons that init adopted.  Returns how many were
 * killed, or -errno.
 */
int scx_stray_sweep(void);

#endif /* __SCX_ATTACH_PROC_H */
