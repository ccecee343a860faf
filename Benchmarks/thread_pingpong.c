/* Two plain threads pass one byte back and forth over two pipes: what one cross-thread wake-up round trip costs in
   C (user+sys CPU of the whole process a round trip), to compare with a Swift task resumed from a plain thread
   (qmpkit-bench hop). usage: thread_pingpong [COUNT] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>

static int there[2], back[2];

static void *peer(void *unused) {
    char byte;
    (void)unused;
    while (read(there[0], &byte, 1) == 1) (void)!write(back[1], &byte, 1);
    return 0;
}

static double cpu_us(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 100000;
    pthread_t thread;
    char byte = 1;
    if (pipe(there) || pipe(back) || pthread_create(&thread, 0, peer, 0)) { perror("setup"); return 1; }
    double start = cpu_us();
    for (int i = 0; i < count; i++) {
        if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1) { perror("ping"); return 1; }
    }
    printf("%.3f us a round trip\n", (cpu_us() - start) / count);
    return 0;
}
