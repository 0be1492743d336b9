// bench/ssh-floor.c — the fastest libssh2 client bench/ssh-fanout.sh could think of, as the floor
// for hlsh: one thread per host, blocking libssh2 calls, no config, no known_hosts check, no
// agent, one key file; TCP connect (TCP_NODELAY), handshake, public-key login, `exec true`,
// wait for the exit status. Exits 1 unless every host ran it with status 0.
//
//   ssh-floor USER PUBLIC_KEY PRIVATE_KEY PORT... (all on 127.0.0.1)
// With SSH_FLOOR_TRACE set, prints each host's phase times (ms since start) on stderr.
#include <arpa/inet.h>
#include <libssh2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *user, *public_key, *private_key;
static int failures;
static double origin;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *run(void *argument) {
    int port = *(int *)argument, ok = 0;
    double start = now_ms(), kex = 0, auth = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    LIBSSH2_SESSION *session = NULL;
    LIBSSH2_CHANNEL *channel = NULL;
    if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        session = libssh2_session_init();
        if (session && libssh2_session_handshake(session, fd) == 0) {
            kex = now_ms();
            if (libssh2_userauth_publickey_fromfile(session, user, public_key, private_key, NULL) == 0) {
                auth = now_ms();
                channel = libssh2_channel_open_session(session);
                if (channel && libssh2_channel_exec(channel, "true") == 0) {
                    char buffer[256];
                    while (libssh2_channel_read(channel, buffer, sizeof buffer) > 0) {}
                    libssh2_channel_close(channel);
                    libssh2_channel_wait_closed(channel);
                    ok = libssh2_channel_get_exit_status(channel) == 0;
                }
            }
        }
    }
    if (getenv("SSH_FLOOR_TRACE"))
        fprintf(stderr, "port %d start %.1f kex %.1f auth %.1f done %.1f %s\n", port, start - origin, kex - origin,
                auth - origin, now_ms() - origin, ok ? "ok" : "failed");
    if (!ok) __sync_fetch_and_add(&failures, 1);
    if (channel) libssh2_channel_free(channel);
    if (session) {
        libssh2_session_disconnect(session, "done");
        libssh2_session_free(session);
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: ssh-floor USER PUBLIC_KEY PRIVATE_KEY PORT...\n");
        return 2;
    }
    user = argv[1], public_key = argv[2], private_key = argv[3];
    int hosts = argc - 4;
    int *ports = calloc(hosts, sizeof *ports);
    pthread_t *threads = calloc(hosts, sizeof *threads);
    origin = now_ms();
    if (libssh2_init(0) != 0) return 1;
    for (int i = 0; i < hosts; i++) {
        ports[i] = atoi(argv[4 + i]);
        pthread_create(&threads[i], NULL, run, &ports[i]);
    }
    for (int i = 0; i < hosts; i++) pthread_join(threads[i], NULL);
    libssh2_exit();
    return failures ? 1 : 0;
}
