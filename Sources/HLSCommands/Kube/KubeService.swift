import HLSCore
import HLSLanguage
import Kube
import Synchronization

/// The run's Kubernetes side: the kubeconfig read once (as kubectl reads it: `KUBECONFIG`, else
/// `~/.kube/config`), and one `KubeClient` per context used, so every command of a run shares its
/// discovery cache, exec credentials and open connections. Each context's kubeconfig warnings
/// (`insecure-skip-tls-verify`) are printed once, when a command first uses its client (never
/// by REPL completion, which must not print into the line being edited).
final class KubeService: ClosableService {
    let kubeconfig: KubeconfigSet
    private let environment: [String: String]
    private let warn: @Sendable (String) -> Void
    private let clients = Mutex<[String: KubeClient]>([:])
    /// The contexts whose warnings were printed.
    private let warned = Mutex<Set<String>>([])

    private init(kubeconfig: KubeconfigSet, environment: [String: String], warn: @escaping @Sendable (String) -> Void) {
        self.kubeconfig = kubeconfig
        self.environment = environment
        self.warn = warn
    }

    static func of(_ inv: Invocation) throws -> KubeService { try of(inv.context) }

    static func of(_ context: ExecutionContext) throws -> KubeService {
        try context.service(KubeService.self) { () throws -> KubeService in
            KubeService(
                kubeconfig: try KubeconfigSet.load(environment: context.environment),
                environment: context.environment, warn: { context.err("warning: \($0)\n") })
        }
    }

    /// The client of `context` (`--context`), else of the kubeconfig's current context;
    /// `quiet` (completion) leaves its warnings for the first command that uses it.
    func client(context name: String? = nil, quiet: Bool = false) throws -> KubeClient {
        let endpoint = try kubeconfig.endpoint(context: name)
        let client = clients.withLock { clients in
            if let existing = clients[endpoint.context] { return existing }
            let client = KubeClient(endpoint: endpoint, environment: environment)
            clients[endpoint.context] = client
            return client
        }
        if !quiet, warned.withLock({ $0.insert(endpoint.context).inserted }) {
            for warning in endpoint.warnings { warn(warning) }
        }
        return client
    }

    /// Forgets the clients (their idle connections close with them).
    func close() { clients.withLock { $0 = [:] } }
}
