/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: nothing a suite started outlives it.
 *
 * The kselftest harness runs each test in a process of its own (with its
 * own process group) and the scheduler is that process's child.  Without
 * these helpers, three ways a run ends early leave a scheduler attached:
 *  - the suite's main process is killed, or TERMed by runner.sh's timeout:
 *    the test process is not in its group, and runs on with the scheduler
 *    until its windows end;
 *  - TEST_F_TIMEOUT SIGKILLs the test's group: a scheduler daemon that
 *    left the group (setsid) and lost its subreaper goes to init, attached;
 *  - the same daemon when the test process is SIGKILLed alone.
 * The suite's main process becomes the subreaper of the tests, so such
 * daemons come back to it; each test sweeps them before it starts, the
 * suite at exit; and each test process watches the suite's pidfd and, when
 * the suite dies, kills its scheduler and all that came back to it.
 * When every process of a suite is SIGKILLed at once, none is left to do
 * that: the next suite finds the strays by the owner tag in their
 * environment (proc.h), whose owner is dead, and kills them as it starts.
 */
#ifndef __SCX_ATTACH_REAPER_H
#define __SCX_ATTACH_REAPER_H

/*
 * In main(), before the tests: strays of dead suites killed, subreaper,
 * the suite's pidfd for the guards, a sweep at exit.  -errno if part of it
 * is unavailable (pidfd before 5.3): the rest still holds.
 */
int scx_suite_init(void);

/*
 * In each test process: a thread that, when the suite's main process
 * dies, SIGKILLs this process's children (the scheduler, and its daemons
 * as they come back) and exits.  -EINVAL without scx_suite_init().
 */
int scx_suite_guard(void);

/*
 * SIGKILL what earlier tests left reparented to the suite (not the calling
 * test, nor its harness parent).  Returns how many were killed, or -errno.
 */
int scx_suite_sweep(void);


#endif /* __SCX_ATTACH_REAPER_H */
