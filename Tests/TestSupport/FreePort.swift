import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP port that was free a moment ago: bind port 0, read the port, close.
/// The machine is shared, so tests never use fixed ports.
public func freeLoopbackPort() throws -> UInt16 {
    try TCPListener().port
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`, or the deadline passes
/// (it tries at least once).
public func waitForListener(port: UInt16, timeout: TimeInterval = 10) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if acceptsConnections(port: port) { return true }
        usleep(50_000)
    } while Date() < deadline
    return false
}

/// Whether something accepts a TCP connection on 127.0.0.1:`port` now (one try).
public func acceptsConnections(port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    return rc == 0
}
