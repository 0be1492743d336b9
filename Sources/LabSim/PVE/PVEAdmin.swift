import HLSCore
import HLSFormats

/// The simulator's own control surface, outside `/api2` so no PVE client meets it:
///
/// - `GET /_sim/health` → `{"data":"ok"}`
/// - `GET /_sim/faults` → the armed faults
/// - `POST /_sim/faults` with a JSON fault (see `PVEFaultInjector.parse`) → arms it
/// - `DELETE /_sim/faults` → disarms all
///
/// It needs no authentication: it listens on loopback only, like the simulator itself.
enum PVEAdmin {
    static func handle(_ request: PVEHTTPRequest, api: PVEAPI) -> PVEHTTPResponse {
        let path = request.path
        switch (request.method, path) {
        case ("GET", "/_sim/health"):
            return .json(200, reason: "OK", #"{"data":"ok"}"#)
        case ("GET", "/_sim/faults"):
            return ok(.array(api.faults.armed.map(PVEFaultInjector.document)))
        case ("DELETE", "/_sim/faults"):
            api.faults.reset()
            return ok(.null)
        case ("POST", "/_sim/faults"):
            guard let doc = try? JSONCodec.decode(String(decoding: request.body, as: UTF8.self)),
                let fault = PVEFaultInjector.parse(doc)
            else {
                return .json(
                    400, reason: "Bad Request",
                    #"{"data":null,"message":"expected a fault: {\"kind\":\"http\"|\"clone-lock-timeout\"|\"slow-tasks\"|\"failing-tasks\", …}"}"#
                )
            }
            api.faults.inject(fault)
            return ok(PVEFaultInjector.document(fault))
        default:
            return .json(404, reason: "Not Found", #"{"data":null,"message":"no such simulator endpoint"}"#)
        }
    }

    private static func ok(_ data: Document) -> PVEHTTPResponse {
        .json(200, reason: "OK", JSONCodec.encode(.object([("data", data)])))
    }
}
