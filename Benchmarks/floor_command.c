/* Floor client for any argument-less QMP command: like ../shared/bench/rawqmp.c (no JSON parsing, no id),
   but the command is a parameter, so the floor for e.g. query-qmp-schema can be measured.
   usage: floor_command SOCKET N COMMAND */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

static int fd;
static char *buf;
static size_t cap = 1 << 24, len;

static int read_line(void) {
    for (;;) {
        char *nl = memchr(buf, '\n', len);
        if (nl) {
            size_t n = (size_t)(nl - buf) + 1;
            memmove(buf, buf + n, len - n);
            len -= n;
            return 1;
        }
        if (len == cap) return 0;
        ssize_t r = read(fd, buf + len, cap - len);
        if (r <= 0) return 0;
        len += (size_t)r;
    }
}

static void send_all(const char *s, size_t n) {
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0) { perror("write"); exit(1); }
        s += w; n -= (size_t)w;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s SOCKET N COMMAND\n", argv[0]); return 2; }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    int n = atoi(argv[2]);
    char request[256];
    snprintf(request, sizeof request, "{\"execute\":\"%s\"}\n", argv[3]);
    buf = malloc(cap);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); return 1; }
    read_line();
    const char *negotiate = "{\"execute\":\"qmp_capabilities\"}\n";
    send_all(negotiate, strlen(negotiate));
    read_line();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        send_all(request, strlen(request));
        if (!read_line()) return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("floor %s: %d cmds in %.3fs = %.0f cmd/s, %.1f us/cmd\n", argv[3], n, s, n / s, s / n * 1e6);
    return 0;
}
