import HLSCore

/// An admission webhook served inside the simulator (cert-manager's), known to the API by the
/// name a ValidatingWebhookConfiguration gives it (`webhooks[].name`).
struct KubeSimulatedWebhook: Sendable {
    /// `webhook.cert-manager.io`.
    var name: String
    /// Whether it answers now, judged from the cluster as it is (its Deployment's pods) and the
    /// Service its configuration calls (namespace, name), nil for a `url` configuration.
    var answers: @Sendable (_ state: KubeStoreState, _ service: (namespace: String, name: String)?) -> Bool
}

/// Validating admission as the apiserver runs it after a write's own validation, dry runs
/// included (webhooks with `sideEffects: None` see them): every webhook of every
/// ValidatingWebhookConfiguration whose rules match the write is called; one that does not answer
/// fails the write with the apiserver's error, unless its `failurePolicy` is `Ignore`. The
/// simulated webhooks, once called, accept. (`namespaceSelector` and `objectSelector` are not
/// looked at.)
extension KubeStoreState {
    static let validatingWebhookConfigurations = KubeBuiltInTypes.all.first {
        $0.plural == "validatingwebhookconfigurations"
    }!

    func admit(_ type: KubeResourceType, operation: String, subresource: String?) throws(KubeStatus) {
        // The apiserver never calls webhooks for webhook configurations (a broken one could not be fixed).
        if type.group == "admissionregistration.k8s.io" { return }
        for (_, configuration) in list(Self.validatingWebhookConfigurations, namespace: nil) {
            for hook in configuration["webhooks"]?.items ?? [] where hook.text("failurePolicy") != "Ignore" {
                let rules = hook["rules"]?.items ?? []
                guard rules.contains(where: { Self.rule($0, matches: type, operation, subresource) }) else { continue }
                if let failure = call(hook) {
                    throw KubeStatus.internalError(
                        "failed calling webhook \"\(hook.text("name") ?? "")\": failed to call webhook: \(failure)")
                }
            }
        }
    }

    /// Why calling `hook` fails (as Go's HTTP client words it), nil when it answers.
    private func call(_ hook: Document) -> String? {
        let timeout = hook["timeoutSeconds"]?.scalarText ?? "10"
        let name = hook.text("name") ?? ""
        let webhook = webhooks[name]
        guard let service = hook.at(["clientConfig", "service"]) else {
            let url = hook.text("clientConfig", "url") ?? ""
            if webhook?.answers(self, nil) == true { return nil }
            return "Post \"\(url)?timeout=\(timeout)s\": dial tcp: connect: connection refused"
        }
        let namespace = service.text("namespace") ?? "default"
        let serviceName = service.text("name") ?? ""
        let port = service["port"]?.scalarText ?? "443"
        let url = "https://\(serviceName).\(namespace).svc:\(port)\(service.text("path") ?? "")?timeout=\(timeout)s"
        guard let object = get(Self.services, namespace: namespace, name: serviceName) else {
            return "Post \"\(url)\": service \"\(serviceName)\" not found"
        }
        guard let webhook else { return "Post \"\(url)\": no endpoints available for service \"\(serviceName)\"" }
        if webhook.answers(self, (namespace, serviceName)) { return nil }
        let address = object.text("spec", "clusterIP") ?? ""
        return "Post \"\(url)\": dial tcp \(address):\(port): connect: connection refused"
    }

    /// Whether a webhook rule covers the write: group, version, operation, and resource
    /// (`*/*` every resource and subresource, `*` or `plural` the object, `plural/sub`).
    private static func rule(
        _ rule: Document, matches type: KubeResourceType, _ operation: String, _ subresource: String?
    ) -> Bool {
        func has(_ key: String, _ value: String) -> Bool {
            (rule[key]?.items ?? []).contains { $0.scalarText == "*" || $0.scalarText == value }
        }
        guard has("apiGroups", type.group), has("apiVersions", type.version), has("operations", operation) else {
            return false
        }
        return (rule["resources"]?.items ?? []).contains { entry in
            let parts = (entry.scalarText ?? "").split(separator: "/", maxSplits: 1).map(String.init)
            let resource = parts.first ?? ""
            guard resource == "*" || resource == type.plural else { return false }
            guard parts.count == 2 else { return subresource == nil }
            return parts[1] == "*" || parts[1] == subresource
        }
    }
}
