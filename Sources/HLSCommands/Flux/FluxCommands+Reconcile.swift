import HLSCore
import HLSFormats
import HLSLanguage
import Kube

extension FluxCommands {
    static let allFlag = Flag("all", "every object of the kind in the namespace, in dependsOn order")

    // MARK: reconcile

    static let reconcile = CommandSpec(
        ["flux", "reconcile"], summary: "Ask the controller to reconcile now and wait until it has (Ready=True)",
        discussion: """
            Sets the annotation reconcile.fluxcd.io/requestedAt (a merge patch under field manager hlsh, \
            never kubectl, whose fields kustomize-controller reverts), then follows the object by a watch until \
            the controller has handled the request (status.lastHandledReconcileAt changed) and its status is \
            settled (generation observed, not Reconciling); Ready must then be True, else the verb fails with \
            the condition's message. A suspended object is refused. --with-source first does the same to the \
            spec.sourceRef object, so a push is fetched before it is applied. --all reconciles every object of \
            the kind in dependsOn order, each waited for before the next. For a HelmRelease, --force also sets \
            reconcile.fluxcd.io/forceAt (a one-off Helm upgrade even when nothing changed) and --reset sets \
            reconcile.fluxcd.io/resetAt (its failure count reset, so a release Stalled with RetriesExceeded is \
            tried again), as the flux CLI's flags do.
            """,
        positionals: [kindParameter, Parameter("name", .name("flux-object"), "the object's name", optional: true)],
        flags: [
            namespaceFlag, Flag("with-source", "reconcile its source first"), allFlag,
            Flag("force", "HelmRelease: run a Helm upgrade now, even when nothing changed"),
            Flag("reset", "HelmRelease: reset its failure count, so a release out of retries is tried again"),
            timeoutFlag, KubeCommands.contextFlag,
        ],
        columns: ["target", "action", "revision", "status", "elapsed"],
        examples: [
            Example(
                "flux reconcile ks flux-system --with-source", "fetch the GitOps repository and apply it now",
                needsLab: true),
            Example("flux reconcile ks --all", "every Kustomization, dependencies first", needsLab: true),
        ],
        idempotent: false,
        implementation: .mutation { inv in
            let kind = try kind(inv)
            for flag in ["force", "reset"] where inv.flag(flag) && kind != .helmRelease {
                throw inv.usage("--\(flag) is for HelmReleases (flux reconcile hr NAME --\(flag))")
            }
            let client = try client(inv)
            var targets = try selected(kind, inv: inv, client: client)
            if inv.string("name") != nil, let target = targets.first, target.suspended {
                throw inv.failure(
                    "resource is suspended", hint: "resume it first: flux resume \(kind.words[0]) \(target.name)")
            }
            targets = targets.filter { !$0.suspended }
            var steps: [FluxObject] = []
            for target in targets {
                if inv.flag("with-source"), let source = try source(of: target, client: client, inv: inv),
                    !steps.contains(where: { $0.kind == source.kind && $0.ref == source.ref })
                {
                    if source.suspended {
                        throw inv.failure(
                            "resource is suspended: \(source.kind.kind) \(source.ref)",
                            hint:
                                "resume it first: flux resume \(source.kind.words[0]) \(source.name) -n \(source.namespace)"
                        )
                    }
                    steps.append(source)
                }
                steps.append(target)
            }
            let revisions = KubeApplyResults()
            return ChangePlan(
                steps.map { step in
                    Change(target: describe(step), action: "reconcile") { _ in
                        let done = try requestReconcile(step, client: client, inv: inv)
                        revisions.set(describe(step), done.revision)
                    }
                }, result: { outcomes in results(outcomes, revisions) })
        })

    /// The objects a `reconcile`, `suspend` or `resume` acts on: NAME, or with `--all` every
    /// one of the kind in the namespace, in dependsOn order.
    static func selected(_ kind: FluxKind, inv: Invocation, client: KubeClient) throws -> [FluxObject] {
        if let name = inv.string("name") {
            if inv.flag("all") { throw inv.usage("give a NAME or --all, not both") }
            return [try object(kind, name, namespace: namespace(inv), client: client, inv: inv)]
        }
        guard inv.flag("all") else { throw inv.usage("give the object's NAME, or --all") }
        return try FluxDependencyOrder.sorted(objects(kind, namespace: namespace(inv), client: client, inv: inv))
    }

    /// The object `spec.sourceRef` names (its namespace defaulting to the object's), nil for
    /// kinds without one.
    static func source(of target: FluxObject, client: KubeClient, inv: Invocation) throws -> FluxObject? {
        var reference = target.object.at("spec", "sourceRef")
        if target.kind == .helmRelease { reference = target.object.at("spec", "chart", "spec", "sourceRef") }
        guard let reference, let kindName = reference.string("kind"), let name = reference.string("name") else {
            return nil
        }
        guard let kind = FluxKind.of(kind: kindName) else {
            throw inv.failure("\(describe(target)): unknown source kind \(kindName)")
        }
        return try object(
            kind, name, namespace: reference.string("namespace") ?? target.namespace, client: client, inv: inv)
    }

    /// `Kustomization/flux-system/apps`, as flux names an object in its messages.
    static func describe(_ object: FluxObject) -> String { "\(object.kind.kind)/\(object.namespace)/\(object.name)" }

    /// The changes table with each reconciled object's revision.
    static func results(_ outcomes: [ChangeOutcome], _ revisions: KubeApplyResults) -> Value {
        let seen = revisions.all
        return .list(
            outcomes.map { outcome in
                .record(
                    Record([
                        ("target", .string(outcome.change.target)), ("action", .string(outcome.change.action)),
                        (
                            "revision",
                            seen[outcome.change.target].map { .string(FluxObject.shortenHashes($0)) } ?? .null
                        ),
                        ("status", .string(outcome.status.rawValue)), ("elapsed", .duration(outcome.elapsed)),
                    ]))
            })
    }

    /// Sets `reconcile.fluxcd.io/requestedAt` and waits until the controller has handled it
    /// and the object is Ready.
    static func requestReconcile(_ target: FluxObject, client: KubeClient, inv: Invocation) throws -> FluxObject {
        let handledBefore = target.lastHandledReconcileAt
        let token = Document.string(RFC3339.nowNano())
        var annotations: [(key: String, value: Document)] = [("reconcile.fluxcd.io/requestedAt", token)]
        if target.kind == .helmRelease {
            if inv.flag("force") { annotations.append(("reconcile.fluxcd.io/forceAt", token)) }
            if inv.flag("reset") { annotations.append(("reconcile.fluxcd.io/resetAt", token)) }
        }
        let patch = Document.object([("metadata", .object([("annotations", .object(annotations))]))])
        try client.mergePatch(
            target.kind.resource, target.name, namespace: target.namespace, patch: patch,
            cancellation: inv.context.cancellation)
        return try awaitSettled(target, client: client, inv: inv) { object in
            object.lastHandledReconcileAt != handledBefore ? nil : "waiting for the controller to handle the request"
        }
    }

    /// Follows `target` by a watch until `pending` of it is nil and its status is settled, then
    /// requires Ready=True: the wait of `reconcile` and `resume`.
    static func awaitSettled(
        _ target: FluxObject, client: KubeClient, inv: Invocation, pending: @escaping (FluxObject) -> String?
    ) throws -> FluxObject {
        let timeout = inv.duration(defaulted: "timeout")
        var poll = Poll(
            "\(describe(target)) to reconcile", timeout: timeout, every: .seconds(5),
            cancellation: inv.context.cancellation, at: .source(inv.location),
            hint:
                "raise --timeout, or look at the controller: kube logs -n flux-system deploy/\(target.kind.controller)")
        poll.timeoutMessage = "\(inv.spec.name): \(describe(target)) was not reconciled after \(timeout.text)"
        let settled = try KubeObjectWait(
            client: client, resource: target.kind.resource, name: target.name, namespace: target.namespace
        ).until(poll, context: inv.context) { document -> Poll.Check<FluxObject> in
            guard let document else { throw inv.failure("\(describe(target)) was deleted") }
            let object = FluxObject(kind: target.kind, object: document)
            if let state = pending(object) { return .pending(state) }
            switch object.settled {
            case .failed(let message):
                throw inv.failure(
                    "\(target.kind.kind) reconciliation failed: '\(message)'", hint: outOfRetriesHint(object))
            case .inProgress(let state): return .pending(state)
            case .current: return .ready(object)
            }
        }.value
        guard settled.ready?.holds("True") == true else {
            throw inv.failure(
                "\(target.kind.kind) reconciliation failed: '\(FluxObject.shortenHashes(settled.readyStatus.message))'")
        }
        return settled
    }

    /// For a HelmRelease Stalled with RetriesExceeded (the controller tries a failed release
    /// again only once its failures are reset, as the flux CLI's `--reset` asks): the command
    /// that does; nil for any other object.
    static func outOfRetriesHint(_ object: FluxObject) -> String? {
        guard object.kind == .helmRelease, object.failure?.reason == "RetriesExceeded" else { return nil }
        return "its retries are used up; once the cause is fixed: "
            + "flux reconcile hr \(object.name) -n \(object.namespace) --reset"
    }

    // MARK: suspend and resume

    static let suspend = CommandSpec(
        ["flux", "suspend"], summary: "Stop the controller from reconciling an object (spec.suspend: true)",
        positionals: [kindParameter, Parameter("name", .name("flux-object"), "the object's name", optional: true)],
        flags: [namespaceFlag, allFlag, KubeCommands.contextFlag],
        examples: [
            Example(
                "flux suspend ks flux-system", "hold the root Kustomization while mending its repository",
                needsLab: true)
        ],
        implementation: .mutation { inv in
            let kind = try kind(inv)
            let client = try client(inv)
            return ChangePlan(
                try selected(kind, inv: inv, client: client).filter { !$0.suspended }.map { target in
                    Change(target: describe(target), action: "suspend") { cancellation in
                        try client.mergePatch(
                            kind.resource, target.name, namespace: target.namespace,
                            patch: .object([("spec", .object([("suspend", .bool(true))]))]), cancellation: cancellation)
                    }
                })
        })

    static let resume = CommandSpec(
        ["flux", "resume"], summary: "Let the controller reconcile an object again, and wait until it is Ready",
        discussion: """
            Removes spec.suspend (the merge patch {"spec":{"suspend":null}}, as flux's omitempty field makes \
            it), which bumps the generation, then waits until the Ready condition is of that generation and \
            True. --all resumes every suspended object of the kind in dependsOn order, each waited for \
            before the next.
            """,
        positionals: [kindParameter, Parameter("name", .name("flux-object"), "the object's name", optional: true)],
        flags: [namespaceFlag, allFlag, timeoutFlag, KubeCommands.contextFlag],
        columns: ["target", "action", "revision", "status", "elapsed"],
        examples: [Example("flux resume ks --all", "resume every suspended Kustomization", needsLab: true)],
        implementation: .mutation { inv in
            let kind = try kind(inv)
            let client = try client(inv)
            let revisions = KubeApplyResults()
            return ChangePlan(
                try selected(kind, inv: inv, client: client).filter(\.suspended).map { target in
                    Change(target: describe(target), action: "resume") { cancellation in
                        let resumed = try client.mergePatch(
                            kind.resource, target.name, namespace: target.namespace,
                            patch: .object([("spec", .object([("suspend", .null)]))]), cancellation: cancellation)
                        let done = try awaitSettled(
                            FluxObject(kind: kind, object: resumed), client: client, inv: inv
                        ) { object in
                            object.ready?.isCurrent == true && object.ready?.observedGeneration != nil
                                ? nil : "waiting for the controller to see the resumed object"
                        }
                        revisions.set(describe(target), done.revision)
                    }
                }, result: { outcomes in results(outcomes, revisions) })
        })
}

extension FluxKind {
    /// The Deployment of the controller that reconciles the kind.
    var controller: String {
        switch self {
        case .kustomization: "kustomize-controller"
        case .helmRelease: "helm-controller"
        default: "source-controller"
        }
    }
}
