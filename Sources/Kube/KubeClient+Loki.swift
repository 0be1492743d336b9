public import HLSCore
import HLSTransport

extension KubeClient {
    /// Loki's answer to a range query (`/loki/api/v1/query_range`), asked through the
    /// apiserver's proxy of `service` (`monitoring/loki-gateway:80`, the loki chart's gateway)
    /// with the context's credentials. Errors name the call and say whose refusal it was: the
    /// apiserver's (no such Service: is Loki installed?; no ready pod; not allowed), Loki's
    /// (its 400 text, for LogQL it rejects), or the gateway's (nginx's 502 while Loki is down).
    public func lokiQueryRange(
        _ query: LokiQuery, service: KubeServiceReference, cancellation: Cancellation = .never
    ) throws(HLSError) -> LokiResult {
        let call = KubeCall(
            method: "GET", path: service.proxyPath("/loki/api/v1/query_range"), query: query.parameters)
        let reply = try send(call, cancellation: cancellation)
        if reply.response.isSuccess {
            return try LokiResult.decode(reply.response.bodyText, forward: query.forward, at: call.place)
        }
        throw lokiError(reply, service: service)
    }

    /// A failed call through the service proxy, named for what refused it.
    private func lokiError(_ reply: Reply, service: KubeServiceReference) -> HLSError {
        let place = reply.call.place
        let response = reply.response
        let pods = "kube get pods -n \(service.namespace) -l app.kubernetes.io/name=loki"
        // The apiserver answers for itself with a Status; what the pod answered comes as it is.
        if let status = reply.status, !status.reason.isEmpty {
            switch status.code {
            case 404:
                return HLSError(
                    .failed, "no Loki at service \(service): \(status.message)", at: place,
                    hint: "is Loki installed? Phase 5 installs it (flux get hr -n monitoring lists the loki release); "
                        + "for a Loki elsewhere give its Service with --service NAMESPACE/NAME:PORT")
            case 503:
                return HLSError(
                    .failed, "Loki's service \(service) does not answer: \(status.message)", at: place,
                    hint: "none of its pods is ready, or none listens on that port: \(pods)")
            default:
                return status.error(for: reply.call, endpoint: endpoint)
            }
        }
        let text = response.bodyText.trimmingWhitespace()
        let shown = text.hasPrefix("<") ? "" : ": " + Redaction.redact(String(text.prefix(300)))
        switch response.status {
        case 400:
            return HLSError(
                .failed, "Loki refused the query\(shown)", at: place,
                hint: "LogQL: a stream selector such as {namespace=\"apps\", container=~\"web.*\"}, then line filters "
                    + "(|= \"text\", != \"text\", |~ \"regex\"), or a metric query over one such as "
                    + "sum by (pod) (count_over_time({namespace=\"apps\"}[5m])); labels: the Alloy pipeline's "
                    + "(namespace, pod, container, node)"
            )
        case 502, 503, 504:
            return HLSError(
                response.status == 504 ? .timeout : .failed,
                "Loki's service \(service) answered HTTP \(response.statusLine)\(shown)", at: place,
                hint: "the gateway reaches no ready Loki: \(pods)")
        default:
            return HLSError(.failed, "Loki answered HTTP \(response.statusLine)\(shown)", at: place)
        }
    }
}
