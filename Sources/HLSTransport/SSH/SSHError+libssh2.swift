internal import CSSH2
import HLSCore

extension HLSError {
    /// The one place a libssh2 return code becomes a user-facing error: the message says what
    /// hlsh was doing (or that the connection dropped), the cause carries libssh2's own text
    /// (`libssh2_session_last_error`) and the code's name, the place is `user@host:port`.
    static func libssh2(
        _ rc: Int32, session: OpaquePointer?, while activity: String, at endpoint: SSHEndpoint
    ) -> HLSError {
        var text = ""
        if let session {
            var pointer: UnsafeMutablePointer<CChar>?
            var length: Int32 = 0
            _ = libssh2_session_last_error(session, &pointer, &length, 0)
            if let pointer, length > 0 {
                text = String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(length)), as: UTF8.self)
            }
        }
        let name = LibSSH2Error.name(rc)
        let cause = text.isEmpty ? name : "\(text) (\(name))"
        if LibSSH2Error.isConnectionLoss(rc) {
            return HLSError(
                .failed, "connection to \(endpoint) lost while \(activity)", at: .host(endpoint.description),
                hint: "the server closed the connection or the network dropped; "
                    + "check that the host is up and sshd is running",
                cause: cause)
        }
        return HLSError(.failed, "ssh: \(activity) failed", at: .host(endpoint.description), cause: cause)
    }

    /// A cancellation noticed while talking to `endpoint`.
    static func sshInterrupted(while activity: String, at endpoint: SSHEndpoint) -> HLSError {
        HLSError(.interrupted, "interrupted while \(activity)", at: .host(endpoint.description))
    }

    /// A deadline that passed while talking to `endpoint`.
    static func sshTimeout(_ budget: Duration?, while activity: String, at endpoint: SSHEndpoint) -> HLSError {
        let after = budget.map { " after \($0.text)" } ?? ""
        return HLSError(.timeout, "timed out\(after) while \(activity)", at: .host(endpoint.description))
    }
}

/// Names and classes of libssh2's error codes.
enum LibSSH2Error {
    /// Codes that mean the TCP connection is gone: the session cannot be used again.
    static func isConnectionLoss(_ rc: Int32) -> Bool {
        switch rc {
        case LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT,
            LIBSSH2_ERROR_SOCKET_TIMEOUT, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND,
            LIBSSH2_ERROR_BAD_SOCKET:
            return true
        default:
            return false
        }
    }

    /// The `LIBSSH2_ERROR_*` name of a code, for the error's cause line.
    static func name(_ rc: Int32) -> String {
        switch rc {
        case LIBSSH2_ERROR_SOCKET_NONE: return "LIBSSH2_ERROR_SOCKET_NONE"
        case LIBSSH2_ERROR_BANNER_RECV: return "LIBSSH2_ERROR_BANNER_RECV"
        case LIBSSH2_ERROR_BANNER_SEND: return "LIBSSH2_ERROR_BANNER_SEND"
        case LIBSSH2_ERROR_INVALID_MAC: return "LIBSSH2_ERROR_INVALID_MAC"
        case LIBSSH2_ERROR_KEX_FAILURE: return "LIBSSH2_ERROR_KEX_FAILURE"
        case LIBSSH2_ERROR_ALLOC: return "LIBSSH2_ERROR_ALLOC"
        case LIBSSH2_ERROR_SOCKET_SEND: return "LIBSSH2_ERROR_SOCKET_SEND"
        case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE: return "LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE"
        case LIBSSH2_ERROR_TIMEOUT: return "LIBSSH2_ERROR_TIMEOUT"
        case LIBSSH2_ERROR_HOSTKEY_INIT: return "LIBSSH2_ERROR_HOSTKEY_INIT"
        case LIBSSH2_ERROR_HOSTKEY_SIGN: return "LIBSSH2_ERROR_HOSTKEY_SIGN"
        case LIBSSH2_ERROR_DECRYPT: return "LIBSSH2_ERROR_DECRYPT"
        case LIBSSH2_ERROR_SOCKET_DISCONNECT: return "LIBSSH2_ERROR_SOCKET_DISCONNECT"
        case LIBSSH2_ERROR_PROTO: return "LIBSSH2_ERROR_PROTO"
        case LIBSSH2_ERROR_PASSWORD_EXPIRED: return "LIBSSH2_ERROR_PASSWORD_EXPIRED"
        case LIBSSH2_ERROR_FILE: return "LIBSSH2_ERROR_FILE"
        case LIBSSH2_ERROR_METHOD_NONE: return "LIBSSH2_ERROR_METHOD_NONE"
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED: return "LIBSSH2_ERROR_AUTHENTICATION_FAILED"
        case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED: return "LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED"
        case LIBSSH2_ERROR_CHANNEL_OUTOFORDER: return "LIBSSH2_ERROR_CHANNEL_OUTOFORDER"
        case LIBSSH2_ERROR_CHANNEL_FAILURE: return "LIBSSH2_ERROR_CHANNEL_FAILURE"
        case LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED: return "LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED"
        case LIBSSH2_ERROR_CHANNEL_UNKNOWN: return "LIBSSH2_ERROR_CHANNEL_UNKNOWN"
        case LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED: return "LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED"
        case LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED: return "LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED"
        case LIBSSH2_ERROR_CHANNEL_CLOSED: return "LIBSSH2_ERROR_CHANNEL_CLOSED"
        case LIBSSH2_ERROR_CHANNEL_EOF_SENT: return "LIBSSH2_ERROR_CHANNEL_EOF_SENT"
        case LIBSSH2_ERROR_SCP_PROTOCOL: return "LIBSSH2_ERROR_SCP_PROTOCOL"
        case LIBSSH2_ERROR_ZLIB: return "LIBSSH2_ERROR_ZLIB"
        case LIBSSH2_ERROR_SOCKET_TIMEOUT: return "LIBSSH2_ERROR_SOCKET_TIMEOUT"
        case LIBSSH2_ERROR_SFTP_PROTOCOL: return "LIBSSH2_ERROR_SFTP_PROTOCOL"
        case LIBSSH2_ERROR_REQUEST_DENIED: return "LIBSSH2_ERROR_REQUEST_DENIED"
        case LIBSSH2_ERROR_METHOD_NOT_SUPPORTED: return "LIBSSH2_ERROR_METHOD_NOT_SUPPORTED"
        case LIBSSH2_ERROR_INVAL: return "LIBSSH2_ERROR_INVAL"
        case LIBSSH2_ERROR_INVALID_POLL_TYPE: return "LIBSSH2_ERROR_INVALID_POLL_TYPE"
        case LIBSSH2_ERROR_PUBLICKEY_PROTOCOL: return "LIBSSH2_ERROR_PUBLICKEY_PROTOCOL"
        case LIBSSH2_ERROR_EAGAIN: return "LIBSSH2_ERROR_EAGAIN"
        case LIBSSH2_ERROR_BUFFER_TOO_SMALL: return "LIBSSH2_ERROR_BUFFER_TOO_SMALL"
        case LIBSSH2_ERROR_BAD_USE: return "LIBSSH2_ERROR_BAD_USE"
        case LIBSSH2_ERROR_COMPRESS: return "LIBSSH2_ERROR_COMPRESS"
        case LIBSSH2_ERROR_OUT_OF_BOUNDARY: return "LIBSSH2_ERROR_OUT_OF_BOUNDARY"
        case LIBSSH2_ERROR_AGENT_PROTOCOL: return "LIBSSH2_ERROR_AGENT_PROTOCOL"
        case LIBSSH2_ERROR_SOCKET_RECV: return "LIBSSH2_ERROR_SOCKET_RECV"
        case LIBSSH2_ERROR_ENCRYPT: return "LIBSSH2_ERROR_ENCRYPT"
        case LIBSSH2_ERROR_BAD_SOCKET: return "LIBSSH2_ERROR_BAD_SOCKET"
        case LIBSSH2_ERROR_KNOWN_HOSTS: return "LIBSSH2_ERROR_KNOWN_HOSTS"
        case LIBSSH2_ERROR_CHANNEL_WINDOW_FULL: return "LIBSSH2_ERROR_CHANNEL_WINDOW_FULL"
        case LIBSSH2_ERROR_KEYFILE_AUTH_FAILED: return "LIBSSH2_ERROR_KEYFILE_AUTH_FAILED"
        case LIBSSH2_ERROR_RANDGEN: return "LIBSSH2_ERROR_RANDGEN"
        default: return "libssh2 error \(rc)"
        }
    }
}
