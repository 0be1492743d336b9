// libssh2, loaded on first use (docs/adr/0016): each libssh2 function hlsh calls is defined here
// as a stub that loads libssh2.so.1 once and calls the real function, so the binary does not need
// libssh2 (and its OpenSSL) at start. The headers are still libssh2's own.
#include "include/shim.h"

#include <hlsh_lazy_load.h>
#include <stddef.h>

#if defined(__APPLE__)
#define LIBSSH2_SONAME "libssh2.1.dylib"
#else
#define LIBSSH2_SONAME "libssh2.so.1"
#endif

/// libssh2's entry points: without the library they return an error instead of ending hlsh.
#define LIBSSH2_ENTRY_POINTS(X)                                                                                        \
    X(libssh2_init)                                                                                                    \
    X(libssh2_session_init_ex)

/// libssh2's functions that take a session (or something made from one) and return a value:
/// X(return type, name, parameters, arguments).
#define LIBSSH2_VALUE_FUNCTIONS(X)                                                                                     \
    X(int, libssh2_session_handshake, (LIBSSH2_SESSION * s, libssh2_socket_t socket), (s, socket))                     \
    X(int, libssh2_session_disconnect_ex, (LIBSSH2_SESSION * s, int reason, const char *text, const char *lang),       \
      (s, reason, text, lang))                                                                                         \
    X(int, libssh2_session_free, (LIBSSH2_SESSION * s), (s))                                                           \
    X(const char *, libssh2_session_hostkey, (LIBSSH2_SESSION * s, size_t *length, int *type), (s, length, type))      \
    X(int, libssh2_session_last_errno, (LIBSSH2_SESSION * s), (s))                                                     \
    X(int, libssh2_session_last_error, (LIBSSH2_SESSION * s, char **message, int *length, int want_buffer),            \
      (s, message, length, want_buffer))                                                                               \
    X(int, libssh2_session_block_directions, (LIBSSH2_SESSION * s), (s))                                               \
    X(int, libssh2_keepalive_send, (LIBSSH2_SESSION * s, int *next), (s, next))                                        \
    X(char *, libssh2_userauth_list, (LIBSSH2_SESSION * s, const char *user, unsigned int length), (s, user, length))   \
    X(int, libssh2_userauth_authenticated, (LIBSSH2_SESSION * s), (s))                                                 \
    X(int, libssh2_userauth_publickey_fromfile_ex,                                                                     \
      (LIBSSH2_SESSION * s, const char *user, unsigned int length, const char *pub, const char *priv,                  \
       const char *passphrase),                                                                                        \
      (s, user, length, pub, priv, passphrase))                                                                        \
    X(LIBSSH2_AGENT *, libssh2_agent_init, (LIBSSH2_SESSION * s), (s))                                                 \
    X(int, libssh2_agent_connect, (LIBSSH2_AGENT * a), (a))                                                            \
    X(int, libssh2_agent_list_identities, (LIBSSH2_AGENT * a), (a))                                                    \
    X(int, libssh2_agent_get_identity,                                                                                 \
      (LIBSSH2_AGENT * a, struct libssh2_agent_publickey * *store, struct libssh2_agent_publickey * previous),         \
      (a, store, previous))                                                                                            \
    X(int, libssh2_agent_userauth, (LIBSSH2_AGENT * a, const char *user, struct libssh2_agent_publickey *identity),    \
      (a, user, identity))                                                                                             \
    X(int, libssh2_agent_disconnect, (LIBSSH2_AGENT * a), (a))                                                         \
    X(LIBSSH2_KNOWNHOSTS *, libssh2_knownhost_init, (LIBSSH2_SESSION * s), (s))                                        \
    X(int, libssh2_knownhost_readline, (LIBSSH2_KNOWNHOSTS * h, const char *line, size_t length, int type),            \
      (h, line, length, type))                                                                                         \
    X(int, libssh2_knownhost_readfile, (LIBSSH2_KNOWNHOSTS * h, const char *path, int type), (h, path, type))          \
    X(int, libssh2_knownhost_checkp,                                                                                   \
      (LIBSSH2_KNOWNHOSTS * h, const char *host, int port, const char *key, size_t length, int mask,                   \
       struct libssh2_knownhost **found),                                                                              \
      (h, host, port, key, length, mask, found))                                                                       \
    X(LIBSSH2_CHANNEL *, libssh2_channel_open_ex,                                                                      \
      (LIBSSH2_SESSION * s, const char *type, unsigned int type_length, unsigned int window, unsigned int packet,      \
       const char *message, unsigned int message_length),                                                              \
      (s, type, type_length, window, packet, message, message_length))                                                 \
    X(LIBSSH2_CHANNEL *, libssh2_channel_direct_tcpip_ex,                                                              \
      (LIBSSH2_SESSION * s, const char *host, int port, const char *source_host, int source_port),                     \
      (s, host, port, source_host, source_port))                                                                       \
    X(int, libssh2_channel_process_startup,                                                                            \
      (LIBSSH2_CHANNEL * c, const char *request, unsigned int request_length, const char *message,                     \
       unsigned int message_length),                                                                                   \
      (c, request, request_length, message, message_length))                                                           \
    X(int, libssh2_channel_request_pty_ex,                                                                             \
      (LIBSSH2_CHANNEL * c, const char *term, unsigned int term_length, const char *modes,                             \
       unsigned int modes_length, int width, int height, int width_px, int height_px),                                 \
      (c, term, term_length, modes, modes_length, width, height, width_px, height_px))                                 \
    X(int, libssh2_channel_request_pty_size_ex, (LIBSSH2_CHANNEL * c, int width, int height, int width_px,             \
                                                 int height_px),                                                       \
      (c, width, height, width_px, height_px))                                                                         \
    X(ssize_t, libssh2_channel_read_ex, (LIBSSH2_CHANNEL * c, int stream, char *buffer, size_t length),                \
      (c, stream, buffer, length))                                                                                     \
    X(ssize_t, libssh2_channel_write_ex, (LIBSSH2_CHANNEL * c, int stream, const char *buffer, size_t length),         \
      (c, stream, buffer, length))                                                                                     \
    X(int, libssh2_poll_channel_read, (LIBSSH2_CHANNEL * c, int extended), (c, extended))                              \
    X(int, libssh2_channel_eof, (LIBSSH2_CHANNEL * c), (c))                                                            \
    X(int, libssh2_channel_send_eof, (LIBSSH2_CHANNEL * c), (c))                                                       \
    X(int, libssh2_channel_close, (LIBSSH2_CHANNEL * c), (c))                                                          \
    X(int, libssh2_channel_wait_closed, (LIBSSH2_CHANNEL * c), (c))                                                    \
    X(int, libssh2_channel_get_exit_status, (LIBSSH2_CHANNEL * c), (c))                                                \
    X(int, libssh2_channel_get_exit_signal,                                                                            \
      (LIBSSH2_CHANNEL * c, char **signal, size_t *signal_length, char **message, size_t *message_length,              \
       char **lang, size_t *lang_length),                                                                              \
      (c, signal, signal_length, message, message_length, lang, lang_length))                                          \
    X(int, libssh2_channel_free, (LIBSSH2_CHANNEL * c), (c))                                                           \
    X(LIBSSH2_SFTP *, libssh2_sftp_init, (LIBSSH2_SESSION * s), (s))                                                   \
    X(LIBSSH2_SFTP_HANDLE *, libssh2_sftp_open_ex,                                                                     \
      (LIBSSH2_SFTP * sftp, const char *path, unsigned int length, unsigned long flags, long mode, int type),          \
      (sftp, path, length, flags, mode, type))                                                                         \
    X(ssize_t, libssh2_sftp_write, (LIBSSH2_SFTP_HANDLE * h, const char *buffer, size_t length), (h, buffer, length))  \
    X(int, libssh2_sftp_fstat_ex, (LIBSSH2_SFTP_HANDLE * h, LIBSSH2_SFTP_ATTRIBUTES * attributes, int set),            \
      (h, attributes, set))                                                                                            \
    X(int, libssh2_sftp_close_handle, (LIBSSH2_SFTP_HANDLE * h), (h))                                                  \
    X(int, libssh2_sftp_rename_ex,                                                                                     \
      (LIBSSH2_SFTP * sftp, const char *from, unsigned int from_length, const char *to, unsigned int to_length,        \
       long flags),                                                                                                    \
      (sftp, from, from_length, to, to_length, flags))                                                                 \
    X(int, libssh2_sftp_unlink_ex, (LIBSSH2_SFTP * sftp, const char *path, unsigned int length), (sftp, path, length)) \
    X(unsigned long, libssh2_sftp_last_error, (LIBSSH2_SFTP * sftp), (sftp))                                           \
    X(int, libssh2_sftp_shutdown, (LIBSSH2_SFTP * sftp), (sftp))

/// libssh2's functions that take a session (or something made from one) and return nothing.
#define LIBSSH2_VOID_FUNCTIONS(X)                                                                                      \
    X(void, libssh2_session_set_blocking, (LIBSSH2_SESSION * s, int blocking), (s, blocking))                          \
    X(void, libssh2_keepalive_config, (LIBSSH2_SESSION * s, int want_reply, unsigned interval),                        \
      (s, want_reply, interval))                                                                                       \
    X(void, libssh2_free, (LIBSSH2_SESSION * s, void *pointer), (s, pointer))                                          \
    X(void, libssh2_agent_set_identity_path, (LIBSSH2_AGENT * a, const char *path), (a, path))                         \
    X(void, libssh2_agent_free, (LIBSSH2_AGENT * a), (a))                                                              \
    X(void, libssh2_knownhost_free, (LIBSSH2_KNOWNHOSTS * h), (h))

// The table, the loader and the stubs of the two lists above.
HLSH_LAZY_DEFINE(LIBSSH2_SONAME, "libssh2-1", 0, LIBSSH2_ENTRY_POINTS, LIBSSH2_VALUE_FUNCTIONS, LIBSSH2_VOID_FUNCTIONS)

// MARK: Entry points: an error without libssh2

/// Non-zero (failure) without libssh2.
HLSH_LAZY_STUB int libssh2_init(int flags) { return lazy_loaded() ? lazy_functions.libssh2_init(flags) : -1; }

/// NULL (no session) without libssh2.
HLSH_LAZY_STUB LIBSSH2_SESSION *libssh2_session_init_ex(LIBSSH2_ALLOC_FUNC((*allocate)), LIBSSH2_FREE_FUNC((*release)),
                                                        LIBSSH2_REALLOC_FUNC((*reallocate)), void *abstract) {
    return lazy_loaded() ? lazy_functions.libssh2_session_init_ex(allocate, release, reallocate, abstract) : NULL;
}
