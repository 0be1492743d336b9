// Process-level helpers that Swift cannot express safely: SIGINT, SIGTERM and SIGHUP handlers that
// only set a flag, and posix_spawn with inherited descriptors closed (and optionally tethered).
#ifndef HLSH_SUPPORT_H
#define HLSH_SUPPORT_H

#include <sys/types.h>
#include <wchar.h>

/// Installs a SIGINT handler (without SA_RESTART, so blocking reads return EINTR) that only
/// records the interrupt. Returns 0 on success, -1 with errno set otherwise.
int hlsh_install_sigint_handler(void);
/// Restores the default SIGINT disposition.
int hlsh_restore_sigint_handler(void);
/// How many SIGINTs arrived since the last call; resets the count to zero.
int hlsh_take_interrupts(void);
/// Whether a SIGINT arrived and has not been taken yet (does not reset).
int hlsh_interrupt_pending(void);
/// Records an interrupt as though SIGINT arrived (for tests and for cancellation from Swift).
void hlsh_raise_interrupt_flag(void);

/// Reads one character (in the locale's encoding) from `fd` for libedit's EL_GETCFN: returns 1
/// with it in `*wc`, 0 at end of input, or -1 with errno EINTR when a Ctrl-C is pending or a
/// signal arrives while waiting. Unlike libedit's own read(), it does not lose a SIGINT that
/// arrived while libedit was busy between two reads (the flag is checked with SIGINT blocked,
/// and SIGINT is unblocked only inside ppoll). Give it a terminal opened O_NONBLOCK: a Ctrl-C
/// flushes the terminal's input, which can empty it between ppoll and read.
int hlsh_read_char_interruptible(int fd, wchar_t *wc);

/// Installs SIGTERM and SIGHUP handlers (without SA_RESTART) that only record the first such
/// signal, so the program can stop what it started and exit 128 + the signal. Returns 0 or -1.
int hlsh_install_termination_handlers(void);
/// The first SIGTERM or SIGHUP received, or 0.
int hlsh_termination_signal(void);

/// Names the calling thread (`ps -L`, debuggers), cut to the 15 bytes Linux keeps.
void hlsh_set_thread_name(const char *name);

/// Starts `path` with `argv` and `envp` (both NULL-terminated). The child's stdin, stdout and
/// stderr are the given descriptors (-1: /dev/null); every other descriptor is closed in it, so
/// it inherits no socket of this process's event loops. Signal dispositions are reset to default
/// and the mask emptied; `new_session` makes it a session (and process group) leader.
/// Returns 0 and sets `*pid`, or an errno value.
int hlsh_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
               int stderr_fd, int new_session);

/// Like `hlsh_spawn` with `new_session`, but the program runs under a "tether" process (whose pid
/// is returned) that ends the program and every process below it when this process ends — even
/// by SIGKILL — or when the program exits, and then exits with the program's status (128 + the
/// signal that ended it). The tether passes SIGTERM, SIGHUP and SIGINT on to the program; a
/// SIGKILL for both goes to the process group `-pid`. See docs/adr/0018.
int hlsh_spawn_tethered(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdin_fd,
                        int stdout_fd, int stderr_fd);

#endif
