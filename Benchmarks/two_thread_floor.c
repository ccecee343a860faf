/* The floor for a client whose replies are read on one thread and handed to the caller on another: the caller
   writes a command and sleeps until a reader thread, blocked in read() on the socket, has the reply's line and
   wakes it (a futex, the cheapest hand-off Linux has). This is what any client does that reads on a thread of its
   own and never blocks the caller's thread in a socket call. qmpkit from an ordinary task has this shape (the
   caller's thread is a pool thread); qmpkit from withAffinity and rawqmp.c read on the caller's thread.
   usage: two_thread_floor SOCKET N   (prints the same line format as rawqmp.c) */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int fd;
static char buf[1 << 20];
static size_t len;
static _Atomic unsigned replies; /* lines the reader has taken; the caller sleeps on it */

static void futex_wait(_Atomic unsigned *word, unsigned seen) {
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}
static void futex_wake(_Atomic unsigned *word) { syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static int readline_(void) {
    for (;;) {
        char *nl = memchr(buf, '\n', len);
        if (nl) {
            size_t n = nl - buf + 1;
            memmove(buf, buf + n, len - n);
            len -= n;
            return 1;
        }
        ssize_t r = read(fd, buf + len, sizeof buf - len);
        if (r <= 0) return 0;
        len += r;
    }
}
static void sendall(const char *s, size_t n) {
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0) { perror("write"); exit(1); }
        s += w;
        n -= w;
    }
}
static void *reader(void *unused) {
    (void)unused;
    while (readline_()) {
        atomic_fetch_add(&replies, 1);
        futex_wake(&replies);
    }
    return NULL;
}
/* Sleeps until the reader has taken more than `seen` lines. */
static void await_reply(unsigned seen) {
    unsigned now;
    while ((now = atomic_load(&replies)) == seen) futex_wait(&replies, seen);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: two_thread_floor SOCKET N\n"); return 2; }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    int n = atoi(argv[2]);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); return 1; }
    pthread_t thread;
    pthread_create(&thread, NULL, reader, NULL);
    await_reply(0); /* the greeting */
    const char *cap = "{\"execute\":\"qmp_capabilities\"}\n";
    sendall(cap, strlen(cap));
    await_reply(1);
    const char *q = "{\"execute\":\"query-status\"}\n";
    size_t ql = strlen(q);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        unsigned seen = atomic_load(&replies);
        sendall(q, ql);
        await_reply(seen);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("two-thread-c: %d cmds in %.3fs = %.0f cmd/s, %.1f us/cmd\n", n, s, n / s, s / n * 1e6);
    shutdown(fd, SHUT_RDWR);
    pthread_join(thread, NULL);
    return 0;
}
