// Functions for libssh2's function-like macros, which Swift cannot call.
// Only HLSTransport imports this module, and only `internal`ly.
#ifndef HLSH_CSSH2_SHIM_H
#define HLSH_CSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_sftp.h>

static inline LIBSSH2_SESSION *hlsh_ssh2_session_init(void) { return libssh2_session_init(); }
static inline int hlsh_ssh2_session_disconnect(LIBSSH2_SESSION *s, const char *why) {
    return libssh2_session_disconnect(s, why);
}
static inline LIBSSH2_CHANNEL *hlsh_ssh2_channel_open_session(LIBSSH2_SESSION *s) {
    return libssh2_channel_open_session(s);
}
static inline int hlsh_ssh2_channel_exec(LIBSSH2_CHANNEL *c, const char *command) {
    return libssh2_channel_exec(c, command);
}
static inline int hlsh_ssh2_channel_shell(LIBSSH2_CHANNEL *c) { return libssh2_channel_shell(c); }
static inline int hlsh_ssh2_channel_request_pty(LIBSSH2_CHANNEL *c, const char *term) {
    return libssh2_channel_request_pty(c, term);
}
static inline ssize_t hlsh_ssh2_channel_read(LIBSSH2_CHANNEL *c, char *buf, size_t len) {
    return libssh2_channel_read(c, buf, len);
}
static inline ssize_t hlsh_ssh2_channel_read_stderr(LIBSSH2_CHANNEL *c, char *buf, size_t len) {
    return libssh2_channel_read_stderr(c, buf, len);
}
static inline ssize_t hlsh_ssh2_channel_write(LIBSSH2_CHANNEL *c, const char *buf, size_t len) {
    return libssh2_channel_write(c, buf, len);
}
static inline int hlsh_ssh2_channel_close(LIBSSH2_CHANNEL *c) { return libssh2_channel_close(c); }
static inline int hlsh_ssh2_channel_eof(LIBSSH2_CHANNEL *c) { return libssh2_channel_eof(c); }
static inline int hlsh_ssh2_channel_send_eof(LIBSSH2_CHANNEL *c) { return libssh2_channel_send_eof(c); }
static inline int hlsh_ssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *s, const char *user,
                                                       const char *pub, const char *priv,
                                                       const char *passphrase) {
    return libssh2_userauth_publickey_fromfile(s, user, pub, priv, passphrase);
}
static inline int hlsh_ssh2_knownhost_readfile(LIBSSH2_KNOWNHOSTS *h, const char *path) {
    return libssh2_knownhost_readfile(h, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
}
static inline LIBSSH2_SFTP_HANDLE *hlsh_ssh2_sftp_open(LIBSSH2_SFTP *s, const char *path,
                                                      unsigned long flags, long mode) {
    return libssh2_sftp_open(s, path, flags, mode);
}

static inline int hlsh_ssh2_channel_request_pty_size(LIBSSH2_CHANNEL *c, int width, int height) {
    return libssh2_channel_request_pty_size(c, width, height);
}
static inline LIBSSH2_CHANNEL *hlsh_ssh2_channel_direct_tcpip(LIBSSH2_SESSION *s, const char *host, int port) {
    return libssh2_channel_direct_tcpip_ex(s, host, port, "127.0.0.1", 0);
}
static inline int hlsh_ssh2_sftp_fsetstat(LIBSSH2_SFTP_HANDLE *h, LIBSSH2_SFTP_ATTRIBUTES *attrs) {
    return libssh2_sftp_fsetstat(h, attrs);
}
static inline int hlsh_ssh2_sftp_rename(LIBSSH2_SFTP *s, const char *from, const char *to) {
    return libssh2_sftp_rename(s, from, to);
}
static inline int hlsh_ssh2_sftp_unlink(LIBSSH2_SFTP *s, const char *path) { return libssh2_sftp_unlink(s, path); }
static inline int hlsh_ssh2_sftp_close(LIBSSH2_SFTP_HANDLE *h) { return libssh2_sftp_close(h); }
/// The SFTP attribute flag for permissions (a macro libssh2 defines as an unsigned long).
static inline unsigned long hlsh_ssh2_sftp_attr_permissions(void) { return LIBSSH2_SFTP_ATTR_PERMISSIONS; }

#endif
