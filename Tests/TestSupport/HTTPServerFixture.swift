import Foundation

/// A real HTTP(S) server for transport tests: Python 3's `http.server` in a child process on a
/// loopback port it picks itself (port 0, reported through a file, so no other process on the
/// shared machine can take it in between). Stop it with `stop()` (tearDown); `deinit` stops it too.
///
/// Endpoints (every method, bodies always read so keep-alive works):
/// - `/echo…`: 200 with JSON `{method, path, headers: {name: value} (in order), body, client_port}`
/// - `/status/NNN[?reason=text][&echo=1]`: status NNN with that reason phrase; `echo=1` returns
///   the echo JSON as the body (to see what an error body would leak)
/// - `/slow?seconds=S`: answers after S seconds
/// - `/stall`: sends the status line, headers and a few body bytes, then nothing for 5 minutes
/// - `/flaky?fail=N&key=K`: 503 for the first N hits of key K, then 200 `{"attempt": n}`;
///   `/flaky/count?key=K` returns `{"hits": n}`; `/flaky/reset?key=K` forgets K
/// - `/stream?lines=N&interval=S`: chunked, one JSON line `{"line": i}` every S seconds
///
/// Given a `script`, the server answers from it instead, and logs every request (`requests()`):
/// a JSON list of rules `{"method", "path", "query": {name: value}, "responses": [response…]}`;
/// the first rule whose method and path match and whose query has those values answers with its
/// next response (the last one repeats). A response is `{"status", "headers": [[name, value]…],
/// "body": text}` or, for streams, `{"status", "chunks": [text…], "interval": seconds, "drop":
/// true}` — chunked, one chunk per text, and with `drop` the connection is cut instead of ended.
/// A request no rule matches gets a 599 whose body says so.
public final class HTTPServerFixture: @unchecked Sendable {
    public let port: UInt16
    public let scheme: String
    public let directory: TemporaryDirectory
    private let process: Process
    private var stopped = false

    /// The files for a TLS server: its certificate chain and key, and optionally a CA whose
    /// client certificates it requires.
    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String
        public var requiredClientCA: String?

        public init(certificate: String, key: String, requiredClientCA: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.requiredClientCA = requiredClientCA
        }
    }

    /// Starts the server and waits until it accepts connections.
    public init(tls: TLSFiles? = nil, script: String? = nil) throws {
        directory = try TemporaryDirectory("hlsh-http")
        let source = try directory.write("server.py", HTTPServerFixture.pythonSource)
        let portFile = directory.file("port")
        var arguments = [source, "--port-file", portFile]
        if let script {
            arguments += [
                "--script", try directory.write("script.json", script), "--log", directory.file("requests.jsonl"),
            ]
        }
        if let tls {
            arguments += ["--cert", tls.certificate, "--key", tls.key]
            if let ca = tls.requiredClientCA { arguments += ["--client-ca", ca] }
        }
        let logPath = directory.file("server.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try HTTPServerFixture.python())
        process.arguments = ["-u"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        scheme = tls == nil ? "http" : "https"

        // The server writes its port once it is bound (atomically, by rename).
        let deadline = Date().addingTimeInterval(20)
        var found: UInt16?
        while found == nil && Date() < deadline && process.isRunning {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let value = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                found = value
            } else {
                usleep(20_000)
            }
        }
        guard let found, waitForListener(port: found, timeout: 10) else {
            let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw HTTPFixtureError("test HTTP server did not start:\n\(output)")
        }
        port = found
    }

    public var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    /// `baseURL` + `path` (which starts with `/`).
    public func url(_ path: String) -> String { baseURL + path }

    /// What the server printed (its request log and errors), for failure messages.
    public var log: String { (try? String(contentsOfFile: directory.file("server.log"), encoding: .utf8)) ?? "" }

    /// The requests a scripted server received, in order: `method`, `path` (with the query, as
    /// sent), `headers` (name → value) and `body` (text).
    public func requests() throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: directory.file("requests.jsonl"), encoding: .utf8) else {
            return []
        }
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw HTTPFixtureError("not a request record: \(line)")
            }
            return object
        }
    }

    /// How many requests a scripted server received.
    public var requestsCount: Int { (try? requests().count) ?? 0 }

    /// Terminates the server and waits for it (SIGKILL if SIGTERM is not enough within 3 s).
    public func stop() {
        guard !stopped else { return }
        stopped = true
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    /// The real interpreter behind `python3` on PATH (pyenv shims cost a few hundred ms a start).
    public static func python() throws -> String {
        if let cached = pythonPath { return cached }
        throw HTTPFixtureError("python3 not found on PATH")
    }

    private static let pythonPath: String? = {
        guard
            let result = try? runProcess(
                "/usr/bin/env", ["python3", "-c", "import sys; print(sys.executable)"]),
            result.status == 0
        else { return nil }
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }()

    static let pythonSource = #"""
        import argparse, json, os, ssl, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlparse, parse_qs

        hits = {}
        hits_lock = threading.Lock()
        script = None
        log_path = None

        def scripted(handler, body):
            url = urlparse(handler.path)
            q = parse_qs(url.query)
            with hits_lock:
                with open(log_path, "a") as f:
                    f.write(json.dumps({"method": handler.command, "path": handler.path,
                                        "headers": dict(handler.headers.items()),
                                        "body": body.decode("utf-8", "replace")}) + "\n")
                rule = next((r for r in script if r["method"] == handler.command and r["path"] == url.path
                             and all(q.get(k, [None])[0] == v for k, v in r.get("query", {}).items())), None)
                if rule is None:
                    response = {"status": 599, "body": "no script rule for %s %s" % (handler.command, handler.path)}
                else:
                    n = rule.get("_hits", 0)
                    rule["_hits"] = n + 1
                    response = rule["responses"][min(n, len(rule["responses"]) - 1)]
            handler.send_response(response.get("status", 200))
            headers = response.get("headers", [])
            if not any(k.lower() == "content-type" for k, _ in headers):
                handler.send_header("Content-Type", "application/json")
            for k, v in headers:
                handler.send_header(k, v)
            if "chunks" not in response:
                data = response.get("body", "").encode()
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)
                return
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            handler.wfile.flush()
            try:
                for chunk in response["chunks"]:
                    data = chunk.encode()
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    handler.wfile.flush()
                    time.sleep(response.get("interval", 0.01))
                if response.get("drop"):
                    handler.close_connection = True
                    handler.connection.shutdown(2)
                    return
                handler.wfile.write(b"0\r\n\r\n")
                handler.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                handler.close_connection = True

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                if isinstance(self.request, ssl.SSLSocket):
                    self.request.settimeout(10)
                    self.request.do_handshake()
                    self.request.settimeout(None)
                super().setup()

            def log_message(self, fmt, *args):
                sys.stderr.write("%s\n" % (fmt % args))

            def read_body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def reply(self, code, payload, reason=None, extra=()):
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(code, reason)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in extra:
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def echo(self, body):
                return {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": body.decode("utf-8", "replace"),
                    "client_port": self.client_address[1],
                }

            def handle_any(self):
                body = self.read_body()
                if script is not None:
                    return scripted(self, body)
                url = urlparse(self.path)
                q = parse_qs(url.query)
                arg = lambda name, default: q.get(name, [default])[0]
                parts = url.path.strip("/").split("/")
                if parts[0] == "echo":
                    self.reply(200, self.echo(body))
                elif parts[0] == "status" and len(parts) > 1:
                    code = int(parts[1])
                    payload = self.echo(body) if arg("echo", None) else {"status": code}
                    self.reply(code, payload, arg("reason", None))
                elif parts[0] == "slow":
                    time.sleep(float(arg("seconds", "30")))
                    self.reply(200, {"slow": True})
                elif parts[0] == "stall":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b"partial")
                    self.wfile.flush()
                    time.sleep(300)
                elif parts[0] == "flaky":
                    key = arg("key", "default")
                    action = parts[1] if len(parts) > 1 else "hit"
                    with hits_lock:
                        if action == "reset":
                            hits.pop(key, None)
                            n = 0
                        elif action == "count":
                            n = hits.get(key, 0)
                        else:
                            n = hits.get(key, 0) + 1
                            hits[key] = n
                    if action == "hit" and n <= int(arg("fail", "2")):
                        self.reply(503, {"attempt": n}, "Service Unavailable")
                    elif action == "hit":
                        self.reply(200, {"attempt": n})
                    else:
                        self.reply(200, {"hits": n})
                elif parts[0] == "stream":
                    lines = int(arg("lines", "5"))
                    interval = float(arg("interval", "0.05"))
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    try:
                        for i in range(lines):
                            chunk = (json.dumps({"line": i}) + "\n").encode()
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            self.wfile.flush()
                            time.sleep(interval)
                        self.wfile.write(b"0\r\n\r\n")
                        self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                        self.close_connection = True
                else:
                    self.reply(404, {"error": "no such endpoint"}, "Not Found")

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = handle_any

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 64

            def handle_error(self, request, client_address):
                sys.stderr.write("connection from %s: %s\n" % (client_address, sys.exc_info()[1]))

        def main():
            ap = argparse.ArgumentParser()
            ap.add_argument("--port-file", required=True)
            ap.add_argument("--cert")
            ap.add_argument("--key")
            ap.add_argument("--client-ca")
            ap.add_argument("--script")
            ap.add_argument("--log")
            args = ap.parse_args()
            global script, log_path
            if args.script:
                with open(args.script) as f:
                    script = json.load(f)
                log_path = args.log
            server = Server(("127.0.0.1", 0), Handler)
            if args.cert:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(args.cert, args.key)
                if args.client_ca:
                    ctx.verify_mode = ssl.CERT_REQUIRED
                    ctx.load_verify_locations(args.client_ca)
                # The handshake happens in the handler thread (setup), so a client that
                # connects and says nothing cannot block the accept loop.
                server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
            tmp = args.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write(str(server.server_address[1]))
            os.rename(tmp, args.port_file)
            server.serve_forever()

        main()
        """#
}

/// A self-signed P-256 certificate, for 127.0.0.1 unless told otherwise (made with `openssl`), its key, its public
/// key pin in curl's `sha256//BASE64` form and its SHA-256 fingerprint as PVE prints it (`AA:BB:…`, from
/// `openssl x509 -fingerprint`). Lives as long as `directory`.
public struct SelfSignedCertificate: Sendable {
    public let directory: TemporaryDirectory
    public let certificate: String
    public let key: String
    public let pin: String
    public let fingerprint: String

    /// Generates the certificate (and pin) in a fresh temp dir. `subjectAltName` is openssl's
    /// syntax (`IP:127.0.0.1`, `DNS:pve.example.invalid`).
    public static func generate(
        commonName: String = "127.0.0.1", subjectAltName: String = "IP:127.0.0.1"
    ) throws -> SelfSignedCertificate {
        let directory = try TemporaryDirectory("hlsh-cert")
        let cert = directory.file("cert.pem")
        let key = directory.file("key.pem")
        let made = try runProcess(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=\(commonName)",
                "-addext", "subjectAltName=\(subjectAltName)", "-keyout", key, "-out", cert,
            ])
        guard made.status == 0 else { throw HTTPFixtureError("openssl req failed: \(made.stderr)") }
        let pinned = try runProcess(
            "/bin/sh",
            [
                "-c",
                "openssl x509 -in \"$1\" -pubkey -noout | openssl pkey -pubin -outform der"
                    + " | openssl dgst -sha256 -binary | openssl enc -base64 -A",
                "sh", cert,
            ])
        let base64 = pinned.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard pinned.status == 0, base64.count == 44 else {
            throw HTTPFixtureError("computing the public key pin failed: \(pinned.stderr)")
        }
        // OpenSSL 3 prints `sha256 Fingerprint=AA:…`, older ones `SHA256 Fingerprint=AA:…`.
        let digest = try runProcess(
            "/usr/bin/env", ["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"])
        let fingerprint = String(digest.stdout.split(separator: "=").last ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard digest.status == 0, fingerprint.count == 95 else {
            throw HTTPFixtureError("computing the certificate fingerprint failed: \(digest.stderr)")
        }
        return SelfSignedCertificate(
            directory: directory, certificate: cert, key: key, pin: "sha256//" + base64, fingerprint: fingerprint)
    }
}

/// A fixture that could not be set up.
public struct HTTPFixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
