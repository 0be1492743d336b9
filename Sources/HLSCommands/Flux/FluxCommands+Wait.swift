import HLSCore
import HLSLanguage
import Kube

extension FluxCommands {
    static let wait = CommandSpec(
        ["flux", "wait"], summary: "Wait until a Kustomization (or every one, and the HelmReleases) is Ready",
        discussion: """
            Follows each object by a watch, so the wait ends as soon as the controller writes Ready=True for \
            the object's current generation with its status settled. While it waits, the progress and the \
            timeout error name what it is stuck behind: "apps waits for infrastructure-configs, which is not \
            Ready: …" when a dependsOn entry is not Ready, else the object's own Ready message. all waits for \
            every Kustomization, then every HelmRelease, of the namespace in dependsOn order. A suspended \
            object fails at once, and so does one the controller gave up on, with its reason and message: \
            Stalled=True (a HelmRelease whose remediation retries are exhausted: RetriesExceeded), or a \
            Kustomization's Ready=False BuildFailed once the controller has handled its current generation \
            and the last reconcile request (the same revision builds the same way; a SOPS decryption failure \
            is one, and its hint names the decryption Secret). Failures the controller \
            retries at spec.retryInterval and that often heal (ReconciliationFailed while a webhook does not \
            answer yet, HealthCheckFailed, InstallFailed), waiting for a dependency or a source \
            (DependencyNotReady, ArtifactFailed) and work in progress keep it waiting, their message shown.
            """,
        positionals: [Parameter("name", .name("flux-object"), "a Kustomization's name, or all")],
        flags: [
            namespaceFlag,
            Flag("kind", .choice(["ks", "hr"]), "the kind of NAME", default: .string("ks")),
            Flag("timeout", .duration, "give up after this long", default: .duration(.seconds(300))),
            KubeCommands.contextFlag,
        ],
        columns: ["target", "revision", "waited"],
        examples: [
            Example("flux wait flux-system --timeout 10m", "until the root Kustomization is Ready", needsLab: true),
            Example("flux wait all", "until everything in flux-system is Ready", needsLab: true),
        ],
        implementation: .query { inv in
            let client = try client(inv)
            let name = inv.string("name")!
            var targets: [FluxObject]
            if name == "all" {
                targets = []
                for kind in try served([.kustomization, .helmRelease], client: client, inv: inv) {
                    targets += try FluxDependencyOrder.sorted(
                        objects(kind, namespace: namespace(inv), client: client, inv: inv))
                }
            } else {
                let kind: FluxKind = inv.string(defaulted: "kind") == "hr" ? .helmRelease : .kustomization
                let found = try client.getIfPresent(
                    kind.resource, name, namespace: namespace(inv), cancellation: inv.context.cancellation)
                targets = [
                    FluxObject(
                        kind: kind,
                        object: found
                            ?? .object([
                                (
                                    "metadata",
                                    .object([("name", .string(name)), ("namespace", .string(namespace(inv)))])
                                )
                            ]))
                ]
            }
            var rows: [Value] = []
            for target in targets {
                let (ready, waited) = try waitReady(target, client: client, inv: inv)
                rows.append(
                    .record(
                        Record([
                            ("target", .string(describe(ready))),
                            ("revision", .string(FluxObject.shortenHashes(ready.revision))),
                            ("waited", .duration(waited)),
                        ])))
            }
            return name == "all" ? .list(rows) : rows[0]
        })

    /// Waits through a watch until `target` is Ready; returns it and how long it took.
    static func waitReady(_ target: FluxObject, client: KubeClient, inv: Invocation) throws -> (FluxObject, Duration) {
        let timeout = inv.duration(defaulted: "timeout")
        var poll = Poll(
            "\(describe(target)) (Ready)", timeout: timeout, every: .seconds(5),
            cancellation: inv.context.cancellation, at: .source(inv.location),
            hint:
                "raise --timeout, or look at it: flux get \(target.kind.words[0]) \(target.name) -n \(target.namespace)"
        )
        poll.timeoutMessage = "\(inv.spec.name): \(describe(target)) is not Ready after \(timeout.text)"
        let wait = KubeObjectWait(
            client: client, resource: target.kind.resource, name: target.name, namespace: target.namespace
        )
        var absent: String? = nil
        let ready = try wait.until(poll, context: inv.context) { document -> Poll.Check<FluxObject> in
            guard let document else {
                // Flux creates objects from the repository, so one may appear later: keep
                // waiting, but say at once what is there instead (looked up once).
                if absent == nil { absent = absence(of: target, client: client, inv: inv) }
                return .pending(absent!)
            }
            let object = FluxObject(kind: target.kind, object: document)
            if object.suspended {
                throw inv.failure(
                    "\(describe(object)) is suspended",
                    hint: "resume it: flux resume \(object.kind.words[0]) \(object.name) -n \(object.namespace)")
            }
            if object.isReady { return .ready(object) }
            if let failed = object.failure {
                throw inv.failure(
                    "\(describe(object)) failed (\(failed.reason)): \(FluxObject.shortenHashes(failed.message))",
                    hint: failureHint(object, failed))
            }
            return .pending(try blocker(of: object, client: client, inv: inv) ?? object.pendingState)
        }
        return (ready.value, ready.waited)
    }

    /// Why `target` is not there, for the wait's progress and its timeout error: the same name
    /// in another namespace or of the other kind (a missing `-n` or `--kind hr`), else the
    /// closest names of its kind in its namespace, else what that namespace has. A listing
    /// the credentials may not make is left out.
    static func absence(of target: FluxObject, client: KubeClient, inv: Invocation) -> String {
        func listed(_ kind: FluxKind) -> [FluxObject] {
            (try? objects(kind, namespace: nil, client: client, inv: inv))
                ?? (try? objects(kind, namespace: target.namespace, client: client, inv: inv)) ?? []
        }
        let mine = listed(target.kind)
        if let other = mine.first(where: { $0.name == target.name && $0.namespace != target.namespace }) {
            return
                "not found in \(target.namespace); there is \(other.namespace)/\(other.name): add -n \(other.namespace)"
        }
        if let kind = [FluxKind.kustomization, .helmRelease].first(where: { $0 != target.kind }),
            listed(kind).contains(where: { $0.name == target.name && $0.namespace == target.namespace })
        {
            return "not found; there is a \(kind.kind) of that name: add --kind \(kind.words[0])"
        }
        let here = mine.filter { $0.namespace == target.namespace }.map(\.name).sorted()
        if let guess = Suggest.didYouMean(target.name, in: here) { return "not found (yet); \(guess)" }
        if here.isEmpty { return "not found (yet); \(target.namespace) has no \(target.kind.kind) yet" }
        let shown = here.prefix(6).joined(separator: ", ") + (here.count > 6 ? ", …" : "")
        return "not found (yet); \(target.namespace) has \(shown)"
    }

    /// What to do about a failure the controller gave up on. A decryption failure (kustomize-controller
    /// reports it as `BuildFailed` too) is mended in the cluster's decryption Secret, which the
    /// controller does not watch, so it names the Secret and a reconcile without the source; a
    /// HelmRelease out of retries is tried again only once its failures are reset.
    static func failureHint(_ object: FluxObject, _ failed: KubeCondition) -> String {
        let (word, name, namespace) = (object.kind.words[0], object.name, object.namespace)
        let reconcile = "flux reconcile \(word) \(name) -n \(namespace)"
        if let secret = object.decryptionFailure(failed) {
            let fix =
                secret.missing
                ? "the Secret \(namespace)/\(secret.name) that holds the age key is missing"
                : "the age key in Secret \(namespace)/\(secret.name) does not open it (lab doctor compares the keys)"
            return "\(fix): flux bootstrap puts gitops.age_key_file there; then: \(reconcile)"
        }
        let again = failed.reason == "RetriesExceeded" ? "--reset" : "--with-source"
        return "look at it: flux get \(word) \(name) -n \(namespace); once the cause is fixed: \(reconcile) \(again)"
    }

    /// The first `dependsOn` entry of `object` that is not Ready, in words: "apps waits for
    /// infrastructure-configs, which is not Ready: …"; nil when every one is.
    static func blocker(of object: FluxObject, client: KubeClient, inv: Invocation) throws -> String? {
        for dependency in object.dependsOn {
            let name = dependency.namespace == object.namespace ? dependency.name : dependency.description
            guard
                let found = try client.getIfPresent(
                    object.kind.resource, dependency.name, namespace: dependency.namespace,
                    cancellation: inv.context.cancellation)
            else { return "\(object.name) waits for \(name), which does not exist" }
            let other = FluxObject(kind: object.kind, object: found)
            if !other.isReady {
                let message = other.ready.map { FluxObject.shortenHashes($0.message) } ?? other.pendingState
                return "\(object.name) waits for \(name), which is not Ready: \(message)"
            }
        }
        return nil
    }
}
