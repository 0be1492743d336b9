#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns runaway recursion (a `def` that calls itself without end, a file that sources itself)
/// into an error instead of a crash: blocks check how much of their thread's stack is left.
///
/// Each thread's stack bounds are looked up once and kept in a pthread key, so a check costs a
/// `pthread_getspecific` and a subtraction.
enum StackGuard {
    /// What must stay free for the error path and the C libraries a command may call.
    static let reserve = 512 * 1024

    nonisolated(unsafe) private static var key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether the current thread is too deep in its stack to start another block.
    static var isExhausted: Bool { hasLessThan(reserve) }

    /// Whether less than `bytes` of the current thread's stack is left. The parser stops at half
    /// the interpreter's reserve, so a script that recurses at run time (a file that sources
    /// itself) is stopped by the interpreter, as a run-time error, before a parse runs short.
    static func hasLessThan(_ bytes: Int) -> Bool {
        hasLessThan(bytes, above: lowEnd())
    }

    /// The low end of the current thread's stack (0 when unknown), for a caller that checks
    /// often on one thread (the parser, at every nested value) and keeps it.
    static func lowEnd() -> UInt {
        var low = UInt(bitPattern: pthread_getspecific(key))
        if low == 0 {
            low = lowestAddress()
            guard low != 0 else { return 0 }
            pthread_setspecific(key, UnsafeRawPointer(bitPattern: low))
        }
        return low
    }

    /// `hasLessThan(bytes)` on a thread whose stack ends at `low` (from `lowEnd()`; 0: unknown,
    /// never too deep).
    @inline(__always) static func hasLessThan(_ bytes: Int, above low: UInt) -> Bool {
        guard low != 0 else { return false }
        var marker: UInt8 = 0
        let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        return here < low || here - low < UInt(bytes)
    }

    /// The low end of the current thread's stack (stacks grow down); 0 when unknown.
    private static func lowestAddress() -> UInt {
        #if canImport(Darwin)
            let thread = pthread_self()
            return UInt(bitPattern: pthread_get_stackaddr_np(thread)) - UInt(pthread_get_stacksize_np(thread))
        #else
            if let low = mainStackLowestAddress() { return low }
            // `pthread_getattr_np` is a GNU extension the Swift Glibc module does not declare.
            typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
            guard let symbol = dlsym(nil, "pthread_getattr_np") else { return 0 }
            let getAttributes = unsafeBitCast(symbol, to: GetAttributes.self)
            var attributes = pthread_attr_t()
            guard getAttributes(pthread_self(), &attributes) == 0 else { return 0 }
            defer { pthread_attr_destroy(&attributes) }
            var address: UnsafeMutableRawPointer? = nil
            var size = 0
            guard pthread_attr_getstack(&attributes, &address, &size) == 0, let address else { return 0 }
            return UInt(bitPattern: address)
        #endif
    }

    #if !canImport(Darwin)
        /// The low end of the main thread's stack when the current thread is the main thread, nil
        /// otherwise. For the main thread `pthread_getattr_np` reads `/proc/self/maps`, 0.1–0.3 ms
        /// of `hlsh -n`'s 3 ms start; this asks the kernel's layout instead. The stack's top is just
        /// above the executable's name (`AT_EXECFN`), the first string exec copies there, and
        /// with a finite `RLIMIT_STACK` Linux keeps that much below the top free of mappings
        /// (`mmap_base`), which is what `pthread_getattr_np` would find. A thread's own stack is
        /// a mapping, so never in that range: the caller then asks `pthread_getattr_np`.
        private static func mainStackLowestAddress() -> UInt? {
            var marker: UInt8 = 0
            let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
            #if canImport(Glibc)
                let resource = __rlimit_resource_t(RLIMIT_STACK.rawValue)
            #else
                let resource = RLIMIT_STACK
            #endif
            var limit = rlimit()
            // `RLIM_INFINITY` (all ones) does not import as a constant.
            guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
            // `getauxval` is in <sys/auxv.h>, which the Swift Glibc module does not include.
            typealias GetAuxiliaryValue = @convention(c) (UInt) -> UInt
            guard let symbol = dlsym(nil, "getauxval") else { return nil }
            let executableName = unsafeBitCast(symbol, to: GetAuxiliaryValue.self)(31)  // AT_EXECFN
            guard executableName != 0, let name = UnsafePointer<CChar>(bitPattern: executableName) else {
                return nil
            }
            let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
            let top = (executableName + UInt(strlen(name)) + 1 + page - 1) / page * page
            let size = UInt(limit.rlim_cur) / page * page
            guard size < top, here < top, here > top - size else { return nil }
            return top - size
        }
    #endif
}
