import HLSCore
import HLSLanguage
import Kube
import Synchronization

/// The `kube` object: the Kubernetes API of the kubeconfig's context, as kubectl reads it.
enum KubeCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject("kube", summary: "Kubernetes objects")
        for spec in [get, apply, delete, wait, events, logs, loki] { registry.register(spec) }
        registry.registerProvider(kinds)
        registry.registerProvider(namespaces)
        registry.registerProvider(objects)
    }

    // MARK: Shared declarations

    static let kindParameter = Parameter(
        "kind", .name("kube-kind"),
        "a type: plural, singular, short name or kind, optionally .group (pods, po, deploy.apps)")
    static let nameParameter = Parameter("name", .name("kube-object"), "the object's name")
    static let namespaceFlag = Flag(
        "namespace", short: "n", .name("kube-namespace"), "the namespace (default: the context's)")
    static let contextFlag = Flag("context", .string, "the kubeconfig context (default: its current-context)")

    /// The client of `--context`, else of the current context.
    /// The client of `--context`, else of the kubeconfig's current context.
    /// - Throws: `NotThereYet` under `--dry-run` when the kubeconfig has no such context: a
    ///   runbook's first run, whose `node kubeconfig` only planned it.
    static func client(_ inv: Invocation) throws -> KubeClient {
        let service = try KubeService.of(inv)
        do {
            return try service.client(context: inv.string("context"))
        } catch let error as HLSError
            where inv.context.options.dryRun && service.kubeconfig.lacksContext(inv.string("context"))
        {
            // Only that: a refused login or an unreachable API stay errors.
            throw NotThereYet(error.message)
        }
    }

    /// `-n`, else the context's namespace.
    static func namespace(_ inv: Invocation, _ client: KubeClient) -> String {
        inv.string("namespace") ?? client.endpoint.namespace
    }

    /// `Kind/name` in the words a message uses: `pods/web (namespace apps)`.
    static func describe(_ resource: KubeResource, _ name: String, namespace: String?) -> String {
        resource.namespaced && namespace != nil
            ? "\(resource)/\(name) in namespace \(namespace!)" : "\(resource)/\(name)"
    }

    // MARK: get

    static let get = CommandSpec(
        ["kube", "get"], summary: "Objects of one type as a table, or as the API returns them with -o json|yaml",
        discussion: """
            KIND is resolved through the server's discovery as kubectl resolves it: plural (pods), singular \
            (pod), short name (po), kind (Pod), each optionally qualified by group (deployments.apps) or \
            version and group. The table is made by hlsh from the objects (name, the columns kubectl shows for \
            common kinds, age), so its values pipe as typed values; -o json|yaml prints the objects unchanged \
            (one object for NAME, else the list's items).
            """,
        positionals: [
            kindParameter, Parameter("name", .name("kube-object"), "one object (default: every one)", optional: true),
        ],
        flags: [
            namespaceFlag, Flag("all-namespaces", short: "A", "every namespace"),
            Flag("selector", short: "l", .string, "a label selector: app=web,tier!=db"),
            Flag("field-selector", .string, "a field selector: spec.nodeName=k3s-wk-01"), contextFlag,
        ],
        columns: ["name", "namespace", "status", "age"],
        examples: [
            Example("kube get nodes", "the cluster's nodes, their state, roles and version", needsLab: true),
            Example(
                #"kube get po -A | where status != "Running""#, "pods that are not running, in every namespace",
                needsLab: true),
            Example("kube get cm settings -n apps -o yaml", "one ConfigMap as the API returns it", needsLab: true),
        ],
        implementation: .query(getObjects))

    static func getObjects(_ inv: Invocation) throws -> Value {
        let client = try client(inv)
        let cancellation = inv.context.cancellation
        let resource = try client.resolve(inv.string("kind")!, cancellation: cancellation)
        let raw = inv.string("output").map { $0 != "table" } ?? false
        if let name = inv.string("name") {
            let object = try client.get(resource, name, namespace: namespace(inv, client), cancellation: cancellation)
            return raw ? Value(object) : .list([KubeTable.row(object, resource: resource)])
        }
        let everywhere = inv.flag("all-namespaces")
        let list = try client.list(
            resource, namespace: everywhere || !resource.namespaced ? nil : namespace(inv, client),
            options: KubeListOptions(
                labelSelector: inv.string("selector"), fieldSelector: inv.string("field-selector")),
            cancellation: cancellation)
        if raw { return .list(list.items.map(Value.init)) }
        if list.items.isEmpty, inv.context.stderrTerminal.isTTY {
            inv.context.err(
                noneFound(resource, namespace: everywhere ? nil : namespace(inv, client), inv: inv, client: client))
        }
        return .list(list.items.map { KubeTable.row($0, resource: resource, namespaceColumn: everywhere) })
    }

    /// kubectl's "No resources found in NS namespace.", in hlsh's words (on a terminal only: a
    /// script testing for none needs no note), and whether the
    /// namespace exists at all (a typo there lists nothing, as kubectl says nothing about it).
    static func noneFound(_ resource: KubeResource, namespace: String?, inv: Invocation, client: KubeClient) -> String {
        guard resource.namespaced else { return "note: no \(resource.name)\n" }
        guard let namespace else { return "note: no \(resource.name) in any namespace\n" }
        // Unknown when the credentials may not read namespaces: then no claim either way.
        var exists = true
        do {
            exists = try client.getIfPresent(.namespaces, namespace, cancellation: inv.context.cancellation) != nil
        } catch {}
        return exists
            ? "note: no \(resource.name) in namespace \(namespace)\n"
            : "note: namespace \(namespace) does not exist (kube get ns lists them)\n"
    }

    // MARK: apply

    static let apply = CommandSpec(
        ["kube", "apply"], summary: "Server-side apply of the manifests of a file or folder (field manager hlsh)",
        discussion: """
            Every document of every file is parsed and checked before anything is applied: YAML errors \
            at file:line:col, documents without apiVersion, kind or metadata.name, kinds the server does \
            not serve (unless a CustomResourceDefinition among the files defines them), namespaces that \
            do not exist (unless a Namespace among the files creates them). One problem and nothing is \
            applied. Namespaces go first, then CRDs (each waited for until Established), then the rest in \
            file order. Each object's result is created, configured or unchanged (its resourceVersion \
            did not move). An existing object that a server-side dry run of its apply leaves as it is, \
            is no change (status unchanged), so a converged rerun and its dry run say no change. A field \
            another manager owns is a conflict unless --force-conflicts.
            """,
        flags: [
            Flag("filename", short: "f", .path, "a manifest file, or a folder of .yaml, .yml and .json files"),
            Flag("force-conflicts", "take over fields that other field managers own"), contextFlag,
        ],
        columns: ["target", "action", "result", "status", "elapsed"],
        examples: [Example("kube apply -f manifests/", "apply a folder of manifests", needsLab: true)],
        implementation: .mutation(applyManifests))

    static func applyManifests(_ inv: Invocation) throws -> ChangePlan {
        guard let path = inv.string("filename") else { throw inv.usage("give the manifests with -f FILE|DIR") }
        let client = try client(inv)
        let cancellation = inv.context.cancellation
        let manifests = try KubeManifests.load(
            try KubeManifests.files(path), client: client, cancellation: cancellation)
        let force = inv.flag("force-conflicts")
        let results = KubeApplyResults()
        var changes: [Change] = []
        // Each manifest's row: its change, or nil when applying it would change nothing.
        var planned: [(target: String, change: Int?)] = []
        // Namespaces the files create that are not there yet: an object in one cannot be dry-run
        // before the namespace exists.
        var newNamespaces: Set<String> = []
        for namespace in manifests.filter(\.isNamespace)
        where try client.getIfPresent(.namespaces, namespace.name, cancellation: cancellation) == nil {
            newNamespaces.insert(namespace.name)
        }
        for manifest in manifests {
            let before = try manifest.resource.flatMap { resource in
                try client.getIfPresent(
                    resource, manifest.name, namespace: manifest.namespace, cancellation: cancellation)
            }
            // The server's own checks (its name rules, its types, a conflict) on every object
            // before anything is applied, as `kubectl apply --dry-run=server`: a refusal of the
            // third object must not come after the first two were applied, nor only in the real
            // run after a dry run. The same dry run tells an existing object's "no change".
            // Not for an object in a namespace the files create, or of a CRD they define.
            if manifest.resource != nil, !(manifest.namespace.map(newNamespaces.contains) ?? false) {
                switch try client.dryRunApply(manifest.object, force: force, cancellation: cancellation) {
                case .refused(let refused):
                    throw HLSError(
                        refused.kind, "\(inv.spec.name): the server refuses \(manifest.target): \(refused.message)",
                        at: .source(manifest.at), hint: refused.hint ?? "nothing was applied")
                case .accepted(let dryRun) where before.map({ comparable(dryRun) == comparable($0) }) ?? false:
                    planned.append((manifest.target, nil))
                    continue
                case .accepted, .undecided:
                    break
                }
            }
            let version = resourceVersion(of: before)
            planned.append((manifest.target, changes.count))
            changes.append(
                Change(
                    target: manifest.target, action: before == nil ? "create" : "apply",
                    detail: manifest.at.description
                ) { cancellation in
                    let applied = try client.apply(manifest.object, force: force, cancellation: cancellation)
                    let result =
                        before == nil ? "created" : resourceVersion(of: applied) == version ? "unchanged" : "configured"
                    results.set(manifest.target, result)
                    if manifest.isCRD { try waitEstablished(manifest.name, client: client, inv: inv) }
                })
        }
        let rows = planned
        return ChangePlan(changes) { outcomes in
            let seen = results.all
            return .list(
                rows.compactMap { row in
                    guard let index = row.change else {
                        return .record(
                            Record([
                                ("target", .string(row.target)), ("action", .string("apply")),
                                ("result", .string("unchanged")), ("status", .string("unchanged")),
                                ("elapsed", .duration(.zero)),
                            ]))
                    }
                    guard index < outcomes.count else { return nil }
                    let outcome = outcomes[index]
                    return .record(
                        Record([
                            ("target", .string(outcome.change.target)), ("action", .string(outcome.change.action)),
                            ("result", seen[outcome.change.target].map(Value.string) ?? .null),
                            ("status", .string(outcome.status.rawValue)), ("elapsed", .duration(outcome.elapsed)),
                        ]))
                })
        }
    }

    /// An object as a server-side dry run of its apply compares to the live one: its
    /// resourceVersion and the times of its field managers' entries blanked.
    static func comparable(_ object: Document) -> Document {
        let entries = object.at("metadata", "managedFields")?.elements.map { $0.setting(["time"], to: .null) }
        return object.setting(["metadata", "resourceVersion"], to: .null)
            .setting(["metadata", "managedFields"], to: entries.map(Document.array) ?? .null)
    }

    /// `metadata.resourceVersion`, nil for no object.
    static func resourceVersion(of object: Document?) -> String? {
        if case .string(let version)? = object?["metadata"]?["resourceVersion"] { return version }
        return nil
    }

    /// Waits until the CRD `name` is Established and discovery serves its type.
    static func waitEstablished(_ name: String, client: KubeClient, inv: Invocation) throws {
        _ = try waitFor(
            .condition("Established", "True"), resource: .customResourceDefinitions, name: name, namespace: nil,
            timeout: .seconds(60), client: client, inv: inv)
        _ = try client.discovery(refresh: true, cancellation: inv.context.cancellation)
    }

    // MARK: delete

    static let delete = CommandSpec(
        ["kube", "delete"], summary: "Delete an object (its dependents as --cascade says); --wait until it is gone",
        positionals: [kindParameter, nameParameter],
        flags: [
            namespaceFlag,
            Flag(
                "cascade", .choice(["background", "foreground", "orphan"]), "what happens to its dependents",
                default: .string("background")),
            Flag("wait", "wait until the object is gone (finalizers done)"),
            Flag("timeout", .duration, "how long --wait waits", default: .duration(.seconds(120))), contextFlag,
        ],
        columns: ["target", "action", "detail", "status", "elapsed"],
        examples: [Example("kube delete ns scratch --wait", "delete a namespace and what is in it", needsLab: true)],
        implementation: .mutation { inv in
            let client = try client(inv)
            let resource = try client.resolve(inv.string("kind")!, cancellation: inv.context.cancellation)
            let name = inv.string("name")!
            let namespace = resource.namespaced ? namespace(inv, client) : nil
            // An object already gone is no change, as a destroyed VM is.
            guard
                try client.getIfPresent(resource, name, namespace: namespace, cancellation: inv.context.cancellation)
                    != nil
            else { return .none }
            let cascade = inv.string(defaulted: "cascade")
            let propagation: KubePropagation =
                switch cascade {
                case "foreground": .foreground
                case "orphan": .orphan
                default: .background
                }
            return ChangePlan([
                Change(
                    target: describe(resource, name, namespace: namespace), action: "delete",
                    detail: "cascade \(cascade)"
                ) { cancellation in
                    try client.delete(
                        resource, name, namespace: namespace, propagation: propagation, ignoreMissing: true,
                        cancellation: cancellation)
                    if inv.flag("wait") {
                        _ = try waitFor(
                            .deleted, resource: resource, name: name, namespace: namespace,
                            timeout: inv.duration(defaulted: "timeout"), client: client, inv: inv)
                    }
                }
            ])
        })

    // MARK: wait

    static let wait = CommandSpec(
        ["kube", "wait"], summary: "Wait until an object has a condition, or is deleted, through a watch",
        discussion: """
            --for condition=Ready waits for the condition's status True (condition=Ready=False for another \
            status; type and status compare without regard to case); a condition computed for an older \
            generation (its observedGeneration, else status.observedGeneration, below metadata.generation) \
            does not count, as in kubectl, so a wait right after a change waits for the controller to see \
            it. --for delete until the object is gone. The object is followed by a watch (re-opened when \
            it drops), so the wait ends as soon as the server reports the change. Progress is shown on a \
            terminal; the timeout error names what was awaited and the last state seen.
            """,
        positionals: [kindParameter, nameParameter],
        flags: [
            namespaceFlag, Flag("for", .string, "condition=NAME[=STATUS], or delete"),
            Flag("timeout", .duration, "give up after this long", default: .duration(.seconds(30))), contextFlag,
        ],
        columns: ["target", "for", "waited"],
        examples: [
            Example(
                "kube wait node k3s-wk-01 --for condition=Ready --timeout 5m", "the worker joined and is Ready",
                needsLab: true)
        ],
        implementation: .query { inv in
            guard let text = inv.string("for") else { throw inv.usage("say what to wait for: --for condition=Ready") }
            let condition = try KubeAwaited.parse(text, inv: inv)
            let client = try client(inv)
            let resource = try client.resolve(inv.string("kind")!, cancellation: inv.context.cancellation)
            let name = inv.string("name")!
            let namespace = resource.namespaced ? namespace(inv, client) : nil
            let waited = try waitFor(
                condition, resource: resource, name: name, namespace: namespace,
                timeout: inv.duration(defaulted: "timeout"), client: client, inv: inv)
            return .record(
                Record([
                    ("target", .string(describe(resource, name, namespace: namespace))),
                    ("for", .string(condition.description)), ("waited", .duration(waited)),
                ]))
        })

    /// Waits, through a watch on the object, until `awaited` holds; returns how long it took.
    static func waitFor(
        _ awaited: KubeAwaited, resource: KubeResource, name: String, namespace: String?, timeout: Duration,
        client: KubeClient, inv: Invocation
    ) throws -> Duration {
        let subject = describe(resource, name, namespace: namespace)
        var poll = Poll(
            "\(subject) (\(awaited))", timeout: timeout, every: .seconds(5), cancellation: inv.context.cancellation,
            at: .source(inv.location),
            hint: "raise --timeout, or look at the object: kube get \(resource) \(name)"
                + (namespace.map { " -n \($0)" } ?? "") + " -o yaml")
        poll.timeoutMessage = "\(inv.spec.name): \(subject) is not \(awaited) after \(timeout.text)"
        let ready = try KubeObjectWait(client: client, resource: resource, name: name, namespace: namespace).until(
            poll, context: inv.context
        ) { object -> Poll.Check<Void> in
            let state = awaited.state(of: object)
            return state.map { .pending($0) } ?? .ready(())
        }
        return ready.waited
    }
}

/// What `kube wait --for` waits for.
enum KubeAwaited: Sendable, CustomStringConvertible {
    /// The condition `type` with this `status`.
    case condition(String, String)
    case deleted

    /// `condition=Ready`, `condition=Ready=False`, `delete`.
    static func parse(_ text: String, inv: Invocation) throws -> KubeAwaited {
        if text == "delete" || text == "deleted" { return .deleted }
        let parts = text.split(separator: "=", maxSplits: 2).map(String.init)
        guard parts.count >= 2, parts[0] == "condition", !parts[1].isEmpty else {
            throw inv.usage("--for takes condition=NAME[=STATUS] or delete, not \(text)")
        }
        return .condition(parts[1], parts.count == 3 ? parts[2] : "True")
    }

    var description: String {
        switch self {
        case .condition(let type, let status): status == "True" ? "condition \(type)" : "condition \(type)=\(status)"
        case .deleted: "deleted"
        }
    }

    /// What is seen while it does not hold; nil once it does. `object` is nil when there is none.
    func state(of object: Document?) -> String? {
        switch (self, object) {
        case (.deleted, nil): return nil
        case (.deleted, _?): return "still present"
        case (.condition, nil): return "not found"
        case (.condition(let type, let wanted), let object?):
            guard let condition = KubeCondition(type, of: object) else {
                // A condition may appear later (a controller sets it on its first pass); until
                // then, say which the object has, so a misspelt type is seen while waiting.
                let present = KubeCondition.types(of: object)
                guard !present.isEmpty else { return "no condition \(type) (the object has no conditions yet)" }
                let guess = Suggest.didYouMean(type, in: present).map { "; \($0)" } ?? ""
                return "no condition \(type) (it has \(present.joined(separator: ", "))\(guess))"
            }
            if condition.holds(wanted) { return nil }
            guard !condition.isCurrent, let observed = condition.observedGeneration,
                let generation = condition.generation
            else { return "\(condition.type)=\(condition.status)" }
            return
                "\(condition.type)=\(condition.status) of generation \(observed), the object is at generation \(generation)"
        }
    }
}

/// Each applied object's result (created, configured, unchanged), by target, filled in as the
/// changes run.
final class KubeApplyResults: Sendable {
    private let results = Mutex<[String: String]>([:])

    func set(_ target: String, _ result: String) { results.withLock { $0[target] = result } }

    var all: [String: String] { results.withLock { $0 } }
}
