import HLSCore
import HLSTransport
import Synchronization

/// A ticket from `POST /access/ticket` and its CSRF token.
struct PVETicket: Sendable {
    let ticket: PVESecret
    let csrfToken: PVESecret
    /// The user PVE says it is (`root@pam`).
    let username: String
    let obtained: ContinuousClock.Instant
}

/// The ticket of a password login: obtained on first use, renewed when it is older than
/// `renewal` (before PVE's 2 h expiry) by posting the old ticket as the password, and obtained
/// afresh with the password when renewal fails or a request was refused with 401.
///
/// Thread-safe: the ticket sits behind a mutex; logins are serialised by a second one, so
/// concurrent requests that find the ticket stale log in once.
final class PVETicketSession: Sendable {
    let login: PVEUserPassword
    let renewal: Duration
    private let current = Mutex<PVETicket?>(nil)
    private let gate = Mutex<Void>(())
    /// How often a ticket was obtained with the password, and renewed with the old ticket.
    let counts = Mutex<(logins: Int, renewals: Int)>((0, 0))

    init(login: PVEUserPassword, renewal: Duration) {
        self.login = login
        self.renewal = renewal
    }

    /// A ticket fit to use; `fresh` forces a new login (after a 401).
    func ticket(client: PVEClient, fresh: Bool, cancellation: Cancellation) throws(HLSError) -> PVETicket {
        let seen = current.withLock { $0 }
        if !fresh, let seen, ContinuousClock.now - seen.obtained < renewal { return seen }
        return try gate.withLock { _ throws(HLSError) -> PVETicket in
            // Another thread may have logged in while this one waited.
            let now = current.withLock { $0 }
            if let now, now.obtained != seen?.obtained, ContinuousClock.now - now.obtained < renewal { return now }
            var ticket: PVETicket?
            if !fresh, let old = now {
                // A renewal refused (the old ticket expired) falls back to the password login
                // below, which reports any real failure (refused, unreachable, interrupted) itself.
                ticket = try? obtain(client: client, password: old.ticket, cancellation: cancellation)
                if ticket != nil { counts.withLock { $0.renewals += 1 } }
            }
            if ticket == nil {
                ticket = try obtain(client: client, password: login.password, cancellation: cancellation)
                counts.withLock { $0.logins += 1 }
            }
            let result = ticket!
            current.withLock { $0 = result }
            return result
        }
    }

    /// `POST /access/ticket` with `username` and `password` (the password or an old ticket).
    private func obtain(client: PVEClient, password: PVESecret, cancellation: Cancellation) throws(HLSError)
        -> PVETicket
    {
        let path = "/access/ticket"
        let place = Place.request(method: "POST", url: path)
        let answer = try client.send(
            "POST", path, form: [("username", login.username), ("password", password.value)],
            headers: ["Accept": "application/json"], cancellation: cancellation)
        let data: Document
        switch answer {
        case .data(let document): data = document
        case .failure(var failure):
            failure.usingToken = false
            var error = failure.error()
            if failure.status == 401 {
                error.message = "login as \(login.username) failed: \(error.message)"
            }
            throw error
        }
        if data["NeedTFA"]?.pveBool == true {
            throw HLSError(
                .failed, "\(login.username) has two-factor authentication, which hlsh cannot answer", at: place,
                hint: "use an API token instead: \(PVEConnectionSettings.Variable.apiToken)=USER@REALM!TOKENID=SECRET")
        }
        let fields = PVEFields(data, at: place, what: "the login answer")
        return PVETicket(
            ticket: PVESecret(try fields.string("ticket")),
            csrfToken: PVESecret(try fields.string("CSRFPreventionToken")),
            username: fields.optionalString("username") ?? login.username, obtained: .now)
    }
}
