import HLSCore
import HLSLanguage
import Kube

/// One Flux object read as the flux CLI reads it: READY and MESSAGE from its Ready condition,
/// SUSPENDED from `spec.suspend`, the revision its kind records, its `dependsOn`, and whether
/// its status is settled (kstatus Current).
struct FluxObject {
    var kind: FluxKind
    var object: Document

    var name: String { object.string("metadata", "name") ?? "" }
    var namespace: String { object.string("metadata", "namespace") ?? "" }
    var suspended: Bool { object.at("spec", "suspend") == .bool(true) }
    var ready: KubeCondition? { KubeCondition("Ready", of: object) }

    /// READY and MESSAGE (`statusAndMessage`): the Ready condition's status and message, else
    /// `False` and `waiting to be reconciled`.
    var readyStatus: (status: String, message: String) {
        guard let ready else { return ("False", "waiting to be reconciled") }
        return (ready.status, ready.message)
    }

    /// What `flux get` shows as REVISION: the applied revision of a Kustomization, the
    /// artifact's of a source, the chart version of a HelmRelease's last release.
    var revision: String {
        switch kind {
        case .kustomization: object.string("status", "lastAppliedRevision") ?? ""
        case .helmRelease:
            object.at("status", "history")?.elements.first?.string("chartVersion")
                ?? object.string("status", "lastAttemptedRevision") ?? ""
        default: object.string("status", "artifact", "revision") ?? ""
        }
    }

    /// `status.lastHandledReconcileAt`, the last `requestedAt` token the controller acted on.
    var lastHandledReconcileAt: String? { object.string("status", "lastHandledReconcileAt") }

    /// `spec.dependsOn` as (namespace, name), the namespace defaulting to the object's own.
    var dependsOn: [FluxRef] {
        (object.at("spec", "dependsOn")?.elements ?? []).compactMap { entry in
            guard let name = entry.string("name") else { return nil }
            return FluxRef(namespace: entry.string("namespace") ?? namespace, name: name)
        }
    }

    var ref: FluxRef { FluxRef(namespace: namespace, name: name) }

    /// The `flux get` row; `namespaceColumn` for `-A`.
    func row(namespaceColumn: Bool) -> Value {
        var record = Record()
        if namespaceColumn { record["namespace"] = .string(namespace) }
        record["name"] = .string(name)
        record["revision"] = .string(Self.shortenHashes(revision))
        record["suspended"] = .bool(suspended)
        record["ready"] = .string(readyStatus.status)
        record["message"] = .string(Self.shortenHashes(readyStatus.message))
        return .record(record)
    }

    /// How far the controller has got with the object, as kstatus sees it.
    enum Settled: Equatable {
        /// Observed its generation, not reconciling, not stalled.
        case current
        /// Not yet: what is seen.
        case inProgress(String)
        /// `Stalled=True`: the controller gave up; its message.
        case failed(String)
    }

    var settled: Settled {
        if object.at("metadata", "deletionTimestamp") != nil { return .inProgress("being deleted") }
        if let stalled = KubeCondition("Stalled", of: object), stalled.status == "True" {
            return .failed(stalled.message)
        }
        let generation = object.at("metadata", "generation")
        let observed = object.at("status", "observedGeneration")
        if let generation, generation != observed {
            return .inProgress("generation \(Self.text(generation)) not yet observed")
        }
        if let reconciling = KubeCondition("Reconciling", of: object), reconciling.status == "True" {
            return .inProgress(reconciling.message.isEmpty ? "reconciling" : "reconciling: \(reconciling.message)")
        }
        return .current
    }

    /// Ready=True for the object's current generation and settled.
    var isReady: Bool { settled == .current && ready?.holds("True") == true }

    /// Whether the controller has acted on the last `reconcile.fluxcd.io/requestedAt` token
    /// (`status.lastHandledReconcileAt` equals it); true when none was set.
    var requestHandled: Bool {
        guard let requested = object.string("metadata", "annotations", "reconcile.fluxcd.io/requestedAt") else {
            return true
        }
        return requested == lastHandledReconcileAt
    }

    /// Why the controller gave up on the object, nil while it may still turn Ready by itself:
    /// `Stalled=True` (kstatus Failed), or Ready=False with one of the kind's `failureReasons` once
    /// the controller has handled the current generation (the condition's `observedGeneration`)
    /// and the last reconcile request, and no new attempt is under way (`Reconciling` with reason
    /// `Progressing`). Retried failures, waiting for a dependency or a source
    /// (`DependencyNotReady`, `ArtifactFailed`) and work in progress (Ready=Unknown) are none.
    var failure: KubeCondition? {
        if let stalled = KubeCondition("Stalled", of: object), stalled.status == "True" { return stalled }
        guard let ready, ready.holds("False"), kind.failureReasons.contains(ready.reason), requestHandled else {
            return nil
        }
        if let reconciling = KubeCondition("Reconciling", of: object), reconciling.status == "True",
            reconciling.reason == "Progressing"
        {
            return nil
        }
        return ready
    }

    /// The decryption Secret of a Kustomization whose `failed` condition is a SOPS decryption
    /// failure, as kustomize-controller words them (all `BuildFailed`): the Secret not found
    /// (`secrets "NAME" not found`), an entry that is no age identity (`failed to import …`), or a
    /// resource no identity opens (`decryption failed for '…'`); nil for any other failure.
    func decryptionFailure(_ failed: KubeCondition) -> (name: String, missing: Bool)? {
        guard kind == .kustomization, failed.reason == "BuildFailed",
            let name = object.string("spec", "decryption", "secretRef", "name")
        else { return nil }
        if failed.message == "secrets \"\(name)\" not found" { return (name, true) }
        let decrypting = ["decryption failed for '", "failed to import '"].contains { failed.message.hasPrefix($0) }
        return decrypting ? (name, false) : nil
    }

    /// What a wait shows while the object is not ready.
    var pendingState: String {
        if suspended { return "suspended" }
        switch settled {
        case .inProgress(let state): return state
        case .failed(let message): return "stalled: \(message)"
        case .current:
            let (status, message) = readyStatus
            return message.isEmpty ? "Ready=\(status)" : "Ready=\(status): \(Self.shortenHashes(message))"
        }
    }

    private static func text(_ value: Document) -> String {
        if case .int(let number) = value { return String(number) }
        return "\(value)"
    }

    /// Hex strings of 40 to 128 characters standing as whole words (`\b[a-f0-9]{40,128}\b`), as
    /// in `main@sha1:<40 hex>`, cut to their first 8, as flux prints revisions and messages.
    static func shortenHashes(_ text: String) -> String {
        var out = ""
        var word = ""
        func flush() {
            let isHash =
                (40...128).contains(word.count)
                && word.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
            out += isHash ? String(word.prefix(8)) : word
            word = ""
        }
        for character in text {
            if character.isLetter || character.isNumber || character == "_" {
                word.append(character)
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }
}

/// A namespaced name of a Flux object.
struct FluxRef: Hashable, Sendable, CustomStringConvertible {
    var namespace: String
    var name: String

    var description: String { "\(namespace)/\(name)" }
}
