internal import CHlshSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Threads of their own for blocking work, and a blocking sleep: what hlsh took from
/// Foundation's `Thread`, which would link all of Foundation and its ICU data (docs/adr/0023).
public enum Threads {
    /// Runs `body` on a new detached thread. `stackSize` is in bytes (reserved, not committed);
    /// 0 takes the system's default. `name` shows in `ps -L` and debuggers (cut to 15 bytes).
    public static func detach(name: String? = nil, stackSize: Int = 0, _ body: @escaping @Sendable () -> Void) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if stackSize > 0 { pthread_attr_setstacksize(&attributes, stackSize) }
        let box = Unmanaged.passRetained(
            Body {
                if let name { hlsh_set_thread_name(name) }
                body()
            }
        ).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, &attributes,
            { argument in
                Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue().run()
                return nil
            }, box)
        precondition(status == 0, "cannot start a thread (pthread_create: \(status))")
    }

    /// Blocks the calling thread for `duration` (resuming after signals).
    public static func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
