// A tethered child (docs/adr/0018): the program runs under a small "tether" process that this
// process forks, which ends it — and everything it started — when this process ends, however it
// ends (SIGKILL included). The tether learns that from a pipe whose write end only this process
// holds: when the pipe reads end-of-file, its parent is gone.
//
// The tether is a session leader and a child subreaper (PR_SET_CHILD_SUBREAPER), so every
// process below it that loses its parent is re-parented to it, not to init: its children are
// then all that is left of the tree, and killing its children until it has none ends the tree,
// even processes that started sessions of their own (sshd's per-connection children do).
//
// After fork in a multi-threaded process only async-signal-safe calls are allowed until exec: the
// tether uses system calls only (no malloc, no stdio), and never execs.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hlsh_support.h"

/// The pipe whose write end this process keeps open until it exits (both ends close-on-exec).
static int lifeline[2] = {-1, -1};
static pthread_once_t lifeline_once = PTHREAD_ONCE_INIT;
static void make_lifeline(void) {
    if (pipe2(lifeline, O_CLOEXEC) != 0) lifeline[0] = lifeline[1] = -1;
}

/// Closes every descriptor from `first` up, except `keep` (-1: none).
static void close_from(int first, int keep) {
    if (keep >= first) {
        if (keep > first) close_range((unsigned)first, (unsigned)keep - 1, 0);
        close_range((unsigned)keep + 1, ~0U, 0);
    } else {
        close_range((unsigned)first, ~0U, 0);
    }
}

/// The signal the tether was asked to pass on to its program (0: none).
static volatile sig_atomic_t forward = 0;
static void on_forwarded(int signo) { forward = signo; }

/// SIGKILLs the tether's children until it has none: each killed process's own children come
/// to the tether (it is their subreaper), so the loop ends only when the whole tree is gone.
static void kill_all_children(void) {
    char path[64] = "/proc/self/task/";
    // The tether is single-threaded: its one task's id is its pid.
    char digits[16];
    int n = 0;
    for (pid_t p = getpid(); p > 0 && n < 15; p /= 10) digits[n++] = (char)('0' + p % 10);
    int at = 16;
    while (n > 0) path[at++] = digits[--n];
    const char *tail = "/children";
    for (int i = 0; tail[i]; i++) path[at++] = tail[i];
    path[at] = 0;
    for (;;) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            char buffer[4096];
            ssize_t got = read(fd, buffer, sizeof buffer);
            close(fd);
            pid_t pid = 0;
            for (ssize_t i = 0; i < got; i++) {
                if (buffer[i] >= '0' && buffer[i] <= '9') {
                    pid = pid * 10 + (buffer[i] - '0');
                } else if (pid > 0) {
                    kill(pid, SIGKILL);
                    pid = 0;
                }
            }
            if (pid > 0) kill(pid, SIGKILL);
        }
        if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD) return;
    }
}

/// The tether's life: start the program, pass on SIGTERM/SIGHUP/SIGINT, and end the tree when
/// the program exits (with its status) or the parent goes away.
static void tether(int watch, const char *path, char *const argv[], char *const envp[], const int fds[3]) {
    setsid();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    // The descriptors the program gets, moved above the standard ones first so none overwrites another.
    int moved[3];
    for (int i = 0; i < 3; i++) {
        int source = fds[i] >= 0 ? fds[i] : open("/dev/null", i == 0 ? O_RDONLY : O_WRONLY);
        moved[i] = source >= 0 ? fcntl(source, F_DUPFD, 10) : -1;
    }
    sigset_t none;
    sigemptyset(&none);
    pid_t program = fork();
    if (program == 0) {
        for (int i = 0; i < 3; i++) {
            if (moved[i] >= 0) dup2(moved[i], i);
        }
        close_from(3, -1);
        struct sigaction dfl = {0};
        dfl.sa_handler = SIG_DFL;
        for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        _exit(127);
    }
    close_from(0, watch);
    if (program < 0) _exit(127);
    struct sigaction pass = {0};
    pass.sa_handler = on_forwarded;
    sigemptyset(&pass.sa_mask);
    sigaction(SIGTERM, &pass, NULL);
    sigaction(SIGHUP, &pass, NULL);
    sigaction(SIGINT, &pass, NULL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (;;) {
        struct pollfd p = {.fd = watch, .events = POLLIN};
        int ready = poll(&p, 1, 200);
        if (ready > 0) {
            char byte;
            if (read(watch, &byte, 1) <= 0) {  // end of file: the parent is gone
                kill(program, SIGKILL);
                kill_all_children();
                _exit(128 + SIGKILL);
            }
        }
        if (forward) {
            int signo = forward;
            forward = 0;
            kill(program, signo);
        }
        int raw = 0;
        pid_t done;
        while ((done = waitpid(-1, &raw, WNOHANG)) > 0) {
            if (done == program) {
                kill_all_children();
                _exit(WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw));
            }
        }
    }
}

int hlsh_spawn_tethered(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdin_fd,
                        int stdout_fd, int stderr_fd) {
    pthread_once(&lifeline_once, make_lifeline);
    if (lifeline[0] < 0) return EMFILE;
    const int fds[3] = {stdin_fd, stdout_fd, stderr_fd};
    pid_t child = fork();
    if (child < 0) return errno;
    if (child == 0) {
        close(lifeline[1]);
        tether(lifeline[0], path, argv, envp, fds);
        _exit(127);
    }
    *pid = child;
    return 0;
}
