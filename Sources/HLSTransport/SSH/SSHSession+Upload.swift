internal import CSSH2
public import HLSCore

extension SSHSession {
    /// Writes `bytes` to `remotePath` on the host over SFTP, atomically: the data goes to
    /// `remotePath.tmp` (created exclusively with `mode`, then set to exactly `mode` whatever
    /// the remote umask), which is then renamed over `remotePath`. Readers see the old file or
    /// the whole new one, never a part. A leftover `.tmp` (a cut upload's, or a link someone
    /// planted) is removed first, never written through: a secret is never, even briefly, in a
    /// file of a wider mode. Nothing else is created: a missing parent directory is an error.
    ///
    /// SFTP version 3 (OpenSSH) refuses to rename over an existing file, so replacing one is
    /// finished with `mv -f` on the host (still a single rename(2)).
    ///
    /// - Throws: `.failed` naming the host and the path (with the SFTP status, e.g. "no such
    ///   file" for a missing directory), `.timeout` past `timeout`, `.interrupted`; the
    ///   temporary file is removed on failure when the connection still allows it.
    public func upload(
        _ bytes: [UInt8], to remotePath: String, mode: Int32 = 0o644, cancellation: Cancellation = .never,
        timeout: Duration? = nil
    ) throws(HLSError) {
        let temporary = remotePath + ".tmp"
        let deadline = Deadline(after: timeout)
        let renamed = try withIO { io throws(HLSError) in
            var sftp = SFTPRun(io: io, deadline: deadline, cancellation: cancellation, path: remotePath)
            return try sftp.upload(bytes, temporary: temporary, mode: mode)
        }
        if renamed { return }
        let quoted = [temporary, remotePath].map(\.shellQuoted)
        let result = try exec("mv -f -- \(quoted[0]) \(quoted[1])", cancellation: cancellation, timeout: timeout)
        guard result.succeeded else {
            throw HLSError(
                .failed, "cannot replace \(remotePath) on \(endpoint)", at: .host(endpoint.description),
                hint: "check the permissions of its directory", cause: result.stderrText)
        }
    }
}

/// One upload's SFTP conversation, under the session's lock.
private struct SFTPRun {
    let io: SSHSessionIO
    let deadline: Deadline
    let cancellation: Cancellation
    let path: String
    static let chunk = 256 * 1024

    /// Uploads to `temporary` and renames it; false when the rename must be finished by `mv`
    /// because the target exists.
    mutating func upload(_ bytes: [UInt8], temporary: String, mode: Int32) throws(HLSError) -> Bool {
        let sftp: OpaquePointer = try io.callReturningPointer(
            "starting SFTP", deadline: deadline, cancellation: cancellation
        ) { libssh2_sftp_init(io.session) }
        defer {
            let end = Deadline(after: .seconds(1))
            _ = try? io.call("ending SFTP", deadline: end, cancellation: .never) { libssh2_sftp_shutdown(sftp) }
        }
        do throws(HLSError) {
            try write(bytes, to: temporary, mode: mode, sftp: sftp)
        } catch {
            removeQuietly(temporary, sftp: sftp)
            throw error
        }
        let rc = try retrying { hlsh_ssh2_sftp_rename(sftp, temporary, path) }
        if rc == 0 { return true }
        let status = libssh2_sftp_last_error(sftp)
        if rc == LIBSSH2_ERROR_SFTP_PROTOCOL
            && (status == LIBSSH2_FX_FAILURE || status == LIBSSH2_FX_FILE_ALREADY_EXISTS)
        {
            return false
        }
        removeQuietly(temporary, sftp: sftp)
        throw failure(rc, sftp: sftp, doing: "renaming \(temporary) to \(path)")
    }

    private func write(_ bytes: [UInt8], to temporary: String, mode: Int32, sftp: OpaquePointer) throws(HLSError) {
        // O_EXCL: never an existing file (whose mode would stay while the bytes arrive), never
        // through a link.
        removeQuietly(temporary, sftp: sftp)
        let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL)
        var opened: OpaquePointer?
        let openRC = try retrying { () -> Int32 in
            opened = hlsh_ssh2_sftp_open(sftp, temporary, flags, Int(mode))
            return opened == nil ? libssh2_session_last_errno(io.session) : 0
        }
        guard openRC == 0, let handle = opened else {
            throw failure(openRC, sftp: sftp, doing: "creating \(temporary)")
        }
        var closed = false
        defer {
            if !closed { _ = try? retrying { hlsh_ssh2_sftp_close(handle) } }
        }
        var offset = 0
        while offset < bytes.count {
            let count = min(Self.chunk, bytes.count - offset)
            let n = bytes.withUnsafeBytes { all in
                libssh2_sftp_write(
                    handle, all.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self), count)
            }
            if n >= 0 {
                offset += n
            } else if n == Int(LIBSSH2_ERROR_EAGAIN) {
                try io.wait("uploading \(path)", deadline: deadline, cancellation: cancellation)
            } else {
                throw failure(Int32(truncatingIfNeeded: n), sftp: sftp, doing: "writing \(temporary)")
            }
        }
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = hlsh_ssh2_sftp_attr_permissions()
        attributes.permissions = UInt(mode)
        let statRC = try retrying { hlsh_ssh2_sftp_fsetstat(handle, &attributes) }
        if statRC != 0 { throw failure(statRC, sftp: sftp, doing: "setting the mode of \(temporary)") }
        closed = true
        let closeRC = try retrying { hlsh_ssh2_sftp_close(handle) }
        if closeRC != 0 { throw failure(closeRC, sftp: sftp, doing: "closing \(temporary)") }
    }

    /// Calls `body` until it stops returning EAGAIN; returns its code (errors included, for
    /// the caller to read the SFTP status). Connection loss throws.
    private func retrying(_ body: () -> Int32) throws(HLSError) -> Int32 {
        while true {
            let rc = body()
            if rc != LIBSSH2_ERROR_EAGAIN {
                if LibSSH2Error.isConnectionLoss(rc) { throw io.failure(rc, while: "uploading \(path)") }
                return rc
            }
            try io.wait("uploading \(path)", deadline: deadline, cancellation: cancellation)
        }
    }

    private func removeQuietly(_ file: String, sftp: OpaquePointer) {
        guard io.lost == nil else { return }
        let end = Deadline(after: .seconds(1))
        var rc = hlsh_ssh2_sftp_unlink(sftp, file)
        while rc == LIBSSH2_ERROR_EAGAIN && !end.hasPassed {
            _ = try? io.wait("removing \(file)", deadline: end, cancellation: .never)
            rc = hlsh_ssh2_sftp_unlink(sftp, file)
        }
    }

    /// An upload error naming the path, with the SFTP status when the server sent one.
    private func failure(_ rc: Int32, sftp: OpaquePointer, doing activity: String) -> HLSError {
        if LibSSH2Error.isConnectionLoss(rc) { return io.failure(rc, while: activity) }
        guard rc == LIBSSH2_ERROR_SFTP_PROTOCOL else { return io.failure(rc, while: activity) }
        let status = libssh2_sftp_last_error(sftp)
        let (text, hint) = Self.describe(status)
        return HLSError(
            .failed, "upload to \(io.endpoint) failed while \(activity): \(text)", at: .host(io.endpoint.description),
            hint: hint, cause: "SFTP status \(status)")
    }

    static func describe(_ status: UInt) -> (String, String?) {
        switch status {
        case LIBSSH2_FX_NO_SUCH_FILE, LIBSSH2_FX_NO_SUCH_PATH:
            return ("no such file or directory", "the directory must exist; hlsh does not create it")
        case LIBSSH2_FX_PERMISSION_DENIED, LIBSSH2_FX_WRITE_PROTECT:
            return ("permission denied", "upload somewhere the user may write, then move it with sudo")
        case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM, LIBSSH2_FX_QUOTA_EXCEEDED:
            return ("no space left on the device", nil)
        case LIBSSH2_FX_NOT_A_DIRECTORY: return ("a path component is not a directory", nil)
        default: return ("the server refused", nil)
        }
    }
}
