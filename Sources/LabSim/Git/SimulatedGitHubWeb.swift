import HLSCore
import HLSFormats
import NIOCore
import NIOHTTP1
import NIOSSL

/// GitHub's HTTPS side, as far as a homelab's bootstrap uses it, on one loopback port that the
/// lab maps `github.com:443`, `api.github.com:443` and `release-assets.githubusercontent.com:443`
/// to (`HLSH_SIM_CONNECT_TO`), told apart by the `Host` header:
///
/// - `api.github.com`: the REST API's repository and deploy-key calls
///   (`GET /repos/{owner}/{repo}`, `GET|POST /repos/{owner}/{repo}/keys`,
///   `GET|DELETE /repos/{owner}/{repo}/keys/{id}`) with a bearer token, answering as GitHub does
///   (its JSON, its 401, 404 and 422 bodies);
/// - `github.com`: release downloads (`/OWNER/REPO/releases/download/TAG/ASSET`), answered with
///   the redirect to `release-assets.githubusercontent.com` that the real site sends, which serves
///   the bytes.
///
/// The keys it registers are the git host's (`SimulatedGitHost`), so a key added here opens SSH.
final class SimulatedGitHubWeb: Sendable {
    let git: SimulatedGitHost
    /// The one token the API accepts (`Authorization: Bearer TOKEN` or `token TOKEN`).
    let token: String
    /// Release assets by `OWNER/REPO/TAG/ASSET`.
    let assets: [String: [UInt8]]
    private let listener = SimHTTPListener()

    static let apiHost = "api.github.com"
    static let assetHost = "release-assets.githubusercontent.com"
    /// The names its certificate covers and the lab maps to it.
    static let hostNames = ["github.com", apiHost, assetHost]

    init(git: SimulatedGitHost, token: String, assets: [String: [UInt8]]) {
        self.git = git
        self.token = token
        self.assets = assets
    }

    /// Listens on a free loopback port behind `tls`; returns the port.
    func start(tls: NIOSSLContext) throws -> Int {
        try listener.start(host: "127.0.0.1", port: 0, tls: tls) { [self] in GitHubWebHandler(web: self) }
    }

    func stop() { listener.stop() }

    /// A response: status, reason, content type, extra headers and body.
    struct Answer {
        var status: Int
        var type = "application/json; charset=utf-8"
        var headers: [(String, String)] = []
        var body: [UInt8] = []

        static func json(_ status: Int, _ document: Document) -> Answer {
            Answer(status: status, body: Array(JSONCodec.encode(document, pretty: true).utf8))
        }

        /// GitHub's error body: `message`, `documentation_url` and the status as a string.
        static func error(_ status: Int, _ message: String, docs: String, errors: Document? = nil) -> Answer {
            var pairs: [(String, Document)] = [("message", .string(message))]
            if let errors { pairs.append(("errors", errors)) }
            pairs += [("documentation_url", .string(docs)), ("status", .string(String(status)))]
            return json(status, .object(pairs))
        }
    }

    /// Answers one request.
    func answer(method: String, host: String, path: String, headers: HTTPHeaders, body: [UInt8]) -> Answer {
        switch host.split(separator: ":").first.map(String.init) ?? host {
        case Self.apiHost: return api(method: method, path: path, headers: headers, body: body)
        case "github.com": return release(method: method, path: path)
        case Self.assetHost: return asset(method: method, path: path)
        default: return Answer(status: 404, type: "text/plain; charset=utf-8", body: Array("Not Found".utf8))
        }
    }

    private func release(method: String, path: String) -> Answer {
        // /OWNER/REPO/releases/download/TAG/ASSET
        let parts = path.split(separator: "/").map(String.init)
        guard method == "GET" || method == "HEAD", parts.count == 6, parts[2] == "releases", parts[3] == "download",
            assets["\(parts[0])/\(parts[1])/\(parts[4])/\(parts[5])"] != nil
        else { return Answer(status: 404, type: "text/plain; charset=utf-8", body: Array("Not Found".utf8)) }
        let location =
            "https://\(Self.assetHost)/github-production-release-asset/\(parts[0])/\(parts[1])/\(parts[4])/\(parts[5])"
            + "?response-content-disposition=attachment%3B%20filename%3D\(parts[5])"
            + "&response-content-type=application%2Foctet-stream"
        return Answer(status: 302, type: "text/html; charset=utf-8", headers: [("Location", location)])
    }

    private func asset(method: String, path: String) -> Answer {
        let parts = path.split(separator: "/").map(String.init)
        guard method == "GET" || method == "HEAD", parts.count == 5, parts[0] == "github-production-release-asset",
            let bytes = assets[parts[1...].joined(separator: "/")]
        else {
            return Answer(
                status: 404, type: "application/xml",
                body: Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code></Error>".utf8))
        }
        return Answer(
            status: 200, type: "application/octet-stream",
            headers: [("Content-Disposition", "attachment; filename=\(parts[4])")], body: bytes)
    }

    private static let keysDocs = "https://docs.github.com/rest/deploy-keys/deploy-keys"

    private func api(method: String, path: String, headers: HTTPHeaders, body: [UInt8]) -> Answer {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "repos" else {
            return .error(404, "Not Found", docs: "https://docs.github.com/rest")
        }
        let repository = parts[1] + "/" + parts[2]
        let docs: String
        switch (method, parts.count) {
        case ("POST", 4): docs = Self.keysDocs + "#create-a-deploy-key"
        case ("GET", 4): docs = Self.keysDocs + "#list-deploy-keys"
        case ("DELETE", 5): docs = Self.keysDocs + "#delete-a-deploy-key"
        case ("GET", 5): docs = Self.keysDocs + "#get-a-deploy-key"
        default: docs = "https://docs.github.com/rest/repos/repos#get-a-repository"
        }
        let authorization = headers.first(name: "Authorization") ?? ""
        let words = authorization.split(separator: " ", maxSplits: 1).map(String.init)
        guard words.count == 2 else { return .error(401, "Requires authentication", docs: docs) }
        guard ["bearer", "token"].contains(words[0].lowercased()), words[1] == token else {
            return .error(401, "Bad credentials", docs: "https://docs.github.com/rest")
        }
        // GitHub answers 404, not 403, for a repository the token cannot see.
        guard git.hasRepository(repository) else { return .error(404, "Not Found", docs: docs) }
        switch (method, parts.count > 3 ? parts[3] : nil, parts.count) {
        case ("GET", nil, 3):
            return .json(200, repositoryDocument(repository))
        case ("GET", "keys", 4):
            return .json(200, .array(git.deployKeys(of: repository).map { keyDocument($0, repository) }))
        case ("POST", "keys", 4):
            return addKey(to: repository, body: body, docs: docs)
        case ("GET", "keys", 5), ("DELETE", "keys", 5):
            guard let id = Int(parts[4]), let key = git.deployKeys(of: repository).first(where: { $0.id == id })
            else { return .error(404, "Not Found", docs: docs) }
            if method == "GET" { return .json(200, keyDocument(key, repository)) }
            guard (try? git.removeDeployKey(id: id, from: repository)) == true else {
                return .error(500, "Server Error", docs: docs)
            }
            return Answer(status: 204, type: "", body: [])
        default:
            return .error(404, "Not Found", docs: "https://docs.github.com/rest")
        }
    }

    private func addKey(to repository: String, body: [UInt8], docs: String) -> Answer {
        guard let request = try? JSONCodec.decode(String(decoding: body, as: UTF8.self)), request.isObject else {
            return .error(400, "Problems parsing JSON", docs: docs)
        }
        guard case .string(let key) = request["key"] ?? .null else {
            return .error(422, "Invalid request.\n\n\"key\" wasn't supplied.", docs: docs)
        }
        var readOnly = false
        if case .bool(let flag) = request["read_only"] ?? .null { readOnly = flag }
        var title = ""
        if case .string(let text) = request["title"] ?? .null { title = text }
        do {
            let added = try git.addDeployKey(
                SimulatedGitHost.DeployKey(repository: repository, title: title, key: key, readOnly: readOnly))
            return .json(201, keyDocument(added, repository))
        } catch {
            let errors = Document.array([
                .object([
                    ("resource", .string("PublicKey")), ("code", .string("custom")), ("field", .string("key")),
                    ("message", .string(error.message)),
                ])
            ])
            return .error(422, "Validation Failed", docs: docs, errors: errors)
        }
    }

    private func keyDocument(_ key: SimulatedGitHost.DeployKey, _ repository: String) -> Document {
        .object([
            ("id", .int(key.id)), ("key", .string(key.key)),
            ("url", .string("https://\(Self.apiHost)/repos/\(repository)/keys/\(key.id)")),
            ("title", .string(key.title)), ("verified", .bool(true)), ("created_at", .string(key.createdAt)),
            ("read_only", .bool(key.readOnly)), ("added_by", .string(String(repository.prefix { $0 != "/" }))),
            ("last_used", .null), ("enabled", .bool(true)),
        ])
    }

    private func repositoryDocument(_ repository: String) -> Document {
        let owner = String(repository.prefix { $0 != "/" })
        let name = String(repository.drop { $0 != "/" }.dropFirst())
        return .object([
            ("name", .string(name)), ("full_name", .string(repository)), ("private", .bool(true)),
            ("owner", .object([("login", .string(owner)), ("type", .string("User"))])),
            ("html_url", .string("https://github.com/\(repository)")),
            ("clone_url", .string("https://github.com/\(repository).git")),
            ("ssh_url", .string("git@github.com:\(repository).git")),
            ("default_branch", .string("main")),
        ])
    }
}

/// One connection of `SimulatedGitHubWeb`: collects each request and writes its answer.
final class GitHubWebHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let web: SimulatedGitHubWeb
    private var collector = HTTPRequestCollector(limit: 1 << 20)

    init(web: SimulatedGitHubWeb) { self.web = web }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let request = collector.add(unwrapInboundIn(data)) else { return }
        let head = request.head
        let answer = web.answer(
            method: head.method.rawValue, host: head.headers.first(name: "Host") ?? "", path: String(request.path),
            headers: head.headers, body: request.body)
        var headers = HTTPHeaders()
        headers.add(name: "Server", value: "github.com")
        if !answer.type.isEmpty { headers.add(name: "Content-Type", value: answer.type) }
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(answer.body.count))
        context.writeResponse(
            status: HTTPResponseStatus(statusCode: answer.status), headers: headers, body: answer.body, for: head,
            keepAlive: head.isKeepAlive)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
