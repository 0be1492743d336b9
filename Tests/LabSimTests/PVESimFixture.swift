import Foundation
import LabSim
import TestSupport
import XCTest

/// One HTTP exchange as the `curl` CLI saw it: the raw status line's code and reason phrase,
/// headers, body, and the body parsed as JSON when it is JSON.
struct HTTPReply {
    var status: Int
    var reason: String
    var headers: [String: String]
    var body: String
    var elapsed: TimeInterval

    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])) as? [String: Any]
    }
    var data: Any? { json?["data"] }
    var dataObject: [String: Any]? { data as? [String: Any] }
    var errors: [String: String]? { json?["errors"] as? [String: String] }
    var message: String? { json?["message"] as? String }
}

/// A running simulator for one test, driven with `curl` (never hlsh's own HTTP client, so the
/// simulator is checked against a third party), with helpers for tokens, tickets and tasks.
final class PVESimFixture {
    static let tokenSecret = "11111111-2222-3333-4444-555555555555"
    static let rootToken = "root@pam!hlsh=\(tokenSecret)"
    static let password = "sim-root-password"

    /// A lab of the PVE API alone.
    let lab: SimulatedLab
    var sim: PVESimulator { lab.pve }
    let endpoint: PVESimulator.Endpoint
    /// The test's own files.
    let dir: TemporaryDirectory

    /// Fast timings unless a test changes them; TLS optional.
    init(tls: Bool = false, configure: (inout PVESimulatorConfig) -> Void = { _ in }) throws {
        var config = PVESimulatorConfig.seedLab(
            rootPassword: Self.password, tokenSecret: Self.tokenSecret, timings: .fastTest)
        configure(&config)
        dir = try TemporaryDirectory("labsim-pve")
        lab = try SimulatedLab.temporary(
            SimulatedLab.Options(pve: config, pveTLS: tls, nodeImage: nil), under: TemporaryDirectory.root)
        endpoint = try XCTUnwrap(lab.pve.endpoint)
    }

    deinit { lab.stop() }

    enum Auth {
        case token(String)
        case ticket(ticket: String, csrf: String?)
        case none
    }

    /// Sends one request with curl. `form` is sent urlencoded (each value encoded once);
    /// `body` is sent as is with `contentType`.
    func request(
        _ method: String, _ path: String, query: [(String, String)] = [], form: [(String, String)]? = nil,
        body: String? = nil, contentType: String? = nil, auth: Auth = .token(PVESimFixture.rootToken),
        extraHeaders: [String] = []
    ) throws -> HTTPReply {
        var url = endpoint.url + "api2/json" + path
        if !query.isEmpty { url += "?" + Self.formEncode(query) }
        var args = ["-sS", "-i", "--max-time", "60", "-X", method]
        if let ca = endpoint.caPath { args += ["--cacert", ca] }
        switch auth {
        case .token(let token): args += ["-H", "Authorization: PVEAPIToken=\(token)"]
        case .ticket(let ticket, let csrf):
            args += ["-b", "PVEAuthCookie=\(Self.percentEncode(ticket))"]
            if let csrf { args += ["-H", "CSRFPreventionToken: \(csrf)"] }
        case .none: break
        }
        for h in extraHeaders { args += ["-H", h] }
        var stdin: String?
        if let form {
            stdin = Self.formEncode(form)
            args += ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "@-"]
        } else if let body {
            stdin = body
            if let contentType { args += ["-H", "Content-Type: \(contentType)"] }
            args += ["--data-binary", "@-"]
        }
        args.append(url)
        let started = Date()
        let result = try runProcess("/usr/bin/curl", args, stdin: stdin)
        guard result.status == 0 else {
            throw NSError(
                domain: "curl", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: result.stderr])
        }
        return Self.parse(result.stdout, elapsed: Date().timeIntervalSince(started))
    }

    static func parse(_ raw: String, elapsed: TimeInterval) -> HTTPReply {
        let split = raw.range(of: "\r\n\r\n")
        let head = split.map { String(raw[..<$0.lowerBound]) } ?? raw
        let body = split.map { String(raw[$0.upperBound...]) } ?? ""
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return HTTPReply(
            status: parts.count > 1 ? Int(parts[1]) ?? 0 : 0, reason: parts.count > 2 ? String(parts[2]) : "",
            headers: headers, body: body, elapsed: elapsed)
    }

    /// Logs in with a password and returns (ticket, CSRF token).
    func login(user: String = "root@pam", password: String = PVESimFixture.password) throws -> (String, String) {
        let reply = try request(
            "POST", "/access/ticket", form: [("username", user), ("password", password)], auth: .none)
        guard reply.status == 200, let data = reply.dataObject, let ticket = data["ticket"] as? String,
            let csrf = data["CSRFPreventionToken"] as? String
        else { throw NSError(domain: "login", code: reply.status, userInfo: [NSLocalizedDescriptionKey: reply.body]) }
        return (ticket, csrf)
    }

    /// Polls the task until it stops; returns its final status object.
    func waitForTask(_ upid: String, timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line)
        throws -> [String: Any]
    {
        let node = upid.split(separator: ":")[1]
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let reply = try request("GET", "/nodes/\(node)/tasks/\(upid)/status")
            if let data = reply.dataObject, data["status"] as? String == "stopped" { return data }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("task \(upid) did not finish within \(timeout) s", file: file, line: line)
        return [:]
    }

    func taskLog(_ upid: String) throws -> [String] {
        let node = upid.split(separator: ":")[1]
        let reply = try request("GET", "/nodes/\(node)/tasks/\(upid)/log", query: [("start", "0"), ("limit", "0")])
        return (reply.data as? [[String: Any]] ?? []).compactMap { $0["t"] as? String }
    }

    /// Clones template 9000 on pve1 into `newid` and waits for the task.
    @discardableResult
    func cloneTemplate(newid: Int, name: String, full: Bool = true) throws -> String {
        let reply = try request(
            "POST", "/nodes/pve1/qemu/9000/clone",
            form: [("newid", String(newid)), ("name", name), ("full", full ? "1" : "0")])
        XCTAssertEqual(reply.status, 200, reply.body)
        let upid = try XCTUnwrap(reply.data as? String)
        let status = try waitForTask(upid)
        XCTAssertEqual(status["exitstatus"] as? String, "OK")
        return upid
    }

    // MARK: Encoding, written here (not taken from hlsh or the simulator)

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func percentEncode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }

    static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }
}

/// A real-looking OpenSSH public key (valid base64 whose first field names its type).
let testSSHKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ5wBFsPZnQOrk0uNeSSb6ysCgWzjTfsQ2jxWrqx0i0T ops@homelab"
