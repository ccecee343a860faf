/* The floor for a QMP command through libvirt: virDomainQemuMonitorCommand in a loop, with libvirt's default
   event loop running on a thread of its own (as any client that receives events has it).
   usage: libvirt_floor URI DOMAIN N      prints "N cmds in S s = X us/cmd"
   build: gcc -O2 -o libvirt_floor libvirt_floor.c -lvirt -lvirt-qemu -lpthread */
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *event_loop(void *unused) {
    (void)unused;
    for (;;) if (virEventRunDefaultImpl() < 0) return NULL;
}

static void quiet(void *unused, virErrorPtr error) { (void)unused; (void)error; }

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: libvirt_floor URI DOMAIN N\n"); return 2; }
    int n = atoi(argv[3]);
    virSetErrorFunc(NULL, quiet);
    if (virEventRegisterDefaultImpl() < 0) { fprintf(stderr, "no event loop\n"); return 1; }
    pthread_t thread;
    pthread_create(&thread, NULL, event_loop, NULL);
    virConnectPtr connection = virConnectOpen(argv[1]);
    if (!connection) { fprintf(stderr, "cannot open %s\n", argv[1]); return 1; }
    virDomainPtr domain = virDomainLookupByName(connection, argv[2]);
    if (!domain) { fprintf(stderr, "no domain %s\n", argv[2]); return 1; }
    const char *command = "{\"execute\":\"query-status\"}";
    char *reply = NULL;
    /* One call first, as qmpkit's connect makes one (query-version) before its loop. */
    if (virDomainQemuMonitorCommand(domain, command, &reply, 0) < 0) { fprintf(stderr, "command failed\n"); return 1; }
    free(reply);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        if (virDomainQemuMonitorCommand(domain, command, &reply, 0) < 0) { fprintf(stderr, "command failed\n"); return 1; }
        if (!strstr(reply, "\"return\"")) { fprintf(stderr, "unexpected reply %s\n", reply); return 1; }
        free(reply);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("libvirt-c: %d cmds in %.3fs = %.1f us/cmd\n", n, s, s / n * 1e6);
    virDomainFree(domain);
    virConnectClose(connection);
    return 0;
}
