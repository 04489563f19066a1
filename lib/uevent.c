// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: kobject uevents, the kernel's own word that sched_ext's root
 * came or went.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "uevent.h"

#define UEVENT_GROUP_KERNEL	1
#define UEVENT_BUF		8192
#define UEVENT_RCVBUF		(1 << 20)

int scx_uevent_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = UEVENT_GROUP_KERNEL,
	};
	int fd, sz = UEVENT_RCVBUF;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	/* A burst of device events must not push ours out. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		sz = -errno;
		close(fd);
		return sz;
	}
	return fd;
}

int scx_uevent_parse(char *buf, size_t len, struct scx_uevent *ev)
{
	char *p = buf, *end = buf + len, *at;

	memset(ev, 0, sizeof(*ev));
	if (!len || buf[len] != '\0')
		return -EINVAL;
	/* udev's re-broadcasts start with "libudev": not the kernel's. */
	at = memchr(buf, '@', strnlen(buf, len));
	if (!at || at == buf)
		return -EINVAL;
	*at = '\0';
	ev->action = buf;
	ev->devpath = at + 1;
	p += strlen(p) + 1;
	p += strlen(p) + 1;
	for (; p < end; p += strlen(p) + 1)
		ev->scxops = scx_after(p, "SCXOPS=") ?: ev->scxops;
	return *ev->devpath == '/' ? 0 : -EINVAL;
}

bool scx_uevent_is_root(const struct scx_uevent *ev)
{
	return ev->devpath && !strcmp(ev->devpath, SCX_ROOT_DEVPATH);
}

bool scx_uevent_sub_cgid(const struct scx_uevent *ev, unsigned long long *cgid)
{
	const char *p = ev->devpath ? scx_after(ev->devpath, SCX_ROOT_DEVPATH) : NULL;
	char *end;

	/* Each level is "/sub/sub-<id>"; anything else (a kset "/sub") is not one. */
	if (!p || !*p)
		return false;
	while ((p = scx_after(p, "/sub/sub-"))) {
		if (*p < '0' || *p > '9')
			return false;
		errno = 0;
		*cgid = strtoull(p, &end, 10);
		if (errno)
			return false;
		if (!*end)
			return true;
		p = end;
	}
	return false;
}

/* Note one sched_ext event in @seen; false if it is none of ours. */
static bool seen_add(struct scx_uevent_seen *seen, const struct scx_uevent *ev)
{
	unsigned long long cgid;
	int i;

	if (scx_uevent_is_root(ev)) {
		if (!strcmp(ev->action, "add"))
			seen->add = true;
		else if (!strcmp(ev->action, "remove"))
			seen->remove = true;
		snprintf(seen->ops, sizeof(seen->ops), "%s", ev->scxops ?: "");
		return true;
	}
	if (!scx_uevent_sub_cgid(ev, &cgid))
		return false;
	/* Its "remove" only wakes the waiter: the directory's going says the rest. */
	if (strcmp(ev->action, "add") || !ev->scxops || seen->nsub >= SCX_UEVENT_SUBS)
		return true;
	i = seen->nsub++;
	seen->sub[i].cgid = cgid;
	snprintf(seen->sub[i].ops, sizeof(seen->sub[i].ops), "%s", ev->scxops);
	return true;
}

int scx_uevent_drain(int fd, struct scx_uevent_seen *seen)
{
	char buf[UEVENT_BUF + 1];
	struct sockaddr_nl src;
	struct iovec iov = { .iov_base = buf, .iov_len = UEVENT_BUF };
	struct msghdr msg = {
		.msg_name = &src, .msg_namelen = sizeof(src),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct scx_uevent ev;
	int ours = 0;
	ssize_t n;

	for (;;) {
		msg.msg_namelen = sizeof(src);
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS)	/* overrun: the files still tell */
			continue;
		if (n <= 0)
			break;
		/* Only the kernel (port 0) speaks for the kernel. */
		if (src.nl_pid != 0)
			continue;
		buf[n] = '\0';
		if (!scx_uevent_parse(buf, n, &ev) && seen_add(seen, &ev))
			ours++;
	}
	return ours;
}
