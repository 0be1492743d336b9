/// When and how often an `HTTPClient` repeats a request that failed in a way that may pass.
///
/// Only idempotent requests are ever retried (`HTTPRequest.isIdempotent`), and only after a
/// transient failure: a connection that could not be made or broke, a connect timeout, or a
/// response whose status is in `retryableStatuses`. A streaming request whose receiver already
/// got data is not retried. The wait before retry *n* (1-based) is
/// `min(maxDelay, baseDelay * 2^(n-1))`; cancellation is observed while waiting.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (1 = never retry).
    public var attempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Statuses worth another try. The default is 502, 503, 504 and Proxmox's 595–599
    /// (pveproxy's "no ticket", connection and proxy errors). 500 is left out on purpose: Proxmox
    /// reports ordinary API errors ("VM is locked", "already running") as 500, and repeating
    /// those only delays the message.
    public var retryableStatuses: Set<Int>

    public static let defaultRetryableStatuses: Set<Int> = [502, 503, 504, 595, 596, 597, 598, 599]

    public init(
        attempts: Int = 3, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(4),
        retryableStatuses: Set<Int> = RetryPolicy.defaultRetryableStatuses
    ) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryableStatuses = retryableStatuses
    }

    /// Three attempts, 0.25 s then 0.5 s apart.
    public static let `default` = RetryPolicy()
    /// One attempt.
    public static let never = RetryPolicy(attempts: 1)

    /// The wait before retry number `retry` (1 for the first retry).
    public func delay(beforeRetry retry: Int) -> Duration {
        var delay = baseDelay
        var n = 1
        while n < retry && delay < maxDelay {
            delay *= 2
            n += 1
        }
        return min(delay, maxDelay)
    }
}
