import HLSCore
import HLSFormats
import NIOPosix
import XCTest

@testable import LabSim

/// Protobuf request bodies (`k8s\0` + runtime.Unknown) built by hand, byte by byte, decoded into
/// the JSON documents the API stores; malformed ones answer as the real apiserver does.
final class KubeProtobufTests: XCTestCase {
    private func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }

    /// A length-delimited field (wire type 2).
    private func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(bytes.count)) + bytes
    }

    private func field(_ number: Int, _ text: String) -> [UInt8] { field(number, Array(text.utf8)) }

    /// A varint field (wire type 0); negative values take ten bytes, as int32 and int64 do.
    private func number(_ number: Int, _ value: Int) -> [UInt8] {
        varint(UInt64(number << 3)) + varint(UInt64(bitPattern: Int64(value)))
    }

    /// A map entry: key 1, value 2.
    private func entry(_ number: Int, _ key: String, _ value: [UInt8]) -> [UInt8] {
        field(number, field(1, key) + field(2, value))
    }

    private func envelope(_ apiVersion: String, _ kind: String, _ raw: [UInt8]) -> [UInt8] {
        Array("k8s\0".utf8) + field(1, field(1, apiVersion) + field(2, kind)) + field(2, raw) + field(3, "")
            + field(4, "")
    }

    /// ObjectMeta as gogo-protobuf writes it: every non-pointer field, empty or zero.
    private func meta(_ name: String, labels: [UInt8] = []) -> [UInt8] {
        field(1, name) + field(2, "") + field(3, "") + field(6, "") + number(7, 0) + field(8, []) + labels
    }

    private func type(_ kind: String) -> KubeResourceType { KubeBuiltInTypes.all.first { $0.kind == kind }! }

    private func decode(_ body: [UInt8], _ kind: String) throws -> Document {
        do {
            return try KubeProtobuf.decode(body, for: type(kind))
        } catch {
            XCTFail("\(error.code) \(error.message)")
            return .null
        }
    }

    func testDeploymentWithResourcesPointerZeroesAndUnknownFields() throws {
        let app = entry(11, "app", Array("web".utf8))
        let resources =
            entry(1, "cpu", field(1, "500m")) + entry(1, "memory", field(1, "64Mi")) + entry(2, "cpu", field(1, "100m"))
        let unknown =
            number(99, 7) + varint(98 << 3 | 1) + Array(repeating: 1, count: 8) + varint(97 << 3 | 5) + [1, 2, 3, 4]
            + field(96, "a field from a later release")
        let container =
            field(1, "nginx") + field(2, "nginx:1.27") + field(4, "-g") + field(4, "daemon off;") + field(5, "")
            + field(6, field(1, "") + number(2, 0) + number(3, 80) + field(4, "TCP")) + unknown
            + field(7, field(1, "MODE") + field(2, "fast")) + field(8, resources) + number(16, 0)
        let podSpec = field(2, container) + field(3, "Always") + number(4, 30) + number(11, 0) + field(6, "")
        let template = field(1, meta("", labels: app)) + field(2, podSpec)
        let spec =
            number(1, 0) + field(2, entry(1, "app", Array("web".utf8))) + field(3, template)
            + field(4, field(1, "Recreate")) + number(5, 0) + number(7, 0) + number(9, -1)
        let body = envelope(
            "apps/v1", "Deployment", field(1, meta("web", labels: app)) + field(2, spec) + field(3, number(1, 0)))
        XCTAssertEqual(
            try decode(body, "Deployment"),
            try JSONCodec.decode(
                #"""
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
                 "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
                  "template":{"metadata":{"labels":{"app":"web"}},
                   "spec":{"containers":[{"name":"nginx","image":"nginx:1.27","args":["-g","daemon off;"],
                     "ports":[{"containerPort":80,"protocol":"TCP"}],"env":[{"name":"MODE","value":"fast"}],
                     "resources":{"limits":{"cpu":"500m","memory":"64Mi"},"requests":{"cpu":"100m"}}}],
                    "restartPolicy":"Always","terminationGracePeriodSeconds":30}},
                  "strategy":{"type":"Recreate"},"progressDeadlineSeconds":-1}}
                """#))
    }

    func testSecretBytesBecomeBase64AndAPointerFalseStays() throws {
        let raw =
            field(1, meta("s")) + number(5, 0) + entry(2, "k", [0x00, 0xFF]) + entry(2, "a", Array("b".utf8))
            + entry(4, "plain", Array("text".utf8)) + field(3, "Opaque")
        XCTAssertEqual(
            try decode(envelope("v1", "Secret", raw), "Secret"),
            try JSONCodec.decode(
                #"""
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"immutable":false,
                 "data":{"a":"Yg==","k":"AP8="},"stringData":{"plain":"text"},"type":"Opaque"}
                """#))
    }

    func testServicePortsTargetPortIntOrString() throws {
        let port = { (name: String, port: Int, target: [UInt8]) in
            self.field(1, self.field(1, name) + self.field(2, "TCP") + self.number(3, port) + self.field(4, target))
        }
        let spec =
            port("http", 80, number(1, 0) + number(2, 8080) + field(3, ""))
            + port("https", 443, number(1, 1) + number(2, 0) + field(3, "web")) + field(3, "") + field(4, "ClusterIP")
        XCTAssertEqual(
            try decode(envelope("v1", "Service", field(1, meta("web")) + field(2, spec)), "Service"),
            try JSONCodec.decode(
                #"""
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
                 "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080},
                                  {"name":"https","protocol":"TCP","port":443,"targetPort":"web"}],"type":"ClusterIP"}}
                """#))
    }

    // MARK: - Through the API: what a malformed or unreadable body answers

    private var group: MultiThreadedEventLoopGroup!
    private var api: KubeAPI!

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        api = KubeAPI(config: KubeAPIConfig(), faults: KubeFaultInjector(), controllers: group.next())
    }

    override func tearDown() { try? group.syncShutdownGracefully() }

    private func post(_ path: String, _ body: [UInt8]) throws -> (status: Int, body: Document) {
        let request = KubeHTTPRequest(
            method: "POST", path: path, query: [],
            headers: [("Content-Type", "application/vnd.kubernetes.protobuf"), ("User-Agent", "tests/1.0")],
            body: body, certificateUser: KubeUser(name: "system:admin", groups: ["system:masters"]))
        guard case .complete(let response) = api.handle(request) else {
            XCTFail("POST \(path) streamed")
            return (0, .null)
        }
        XCTAssertEqual(response.contentType, "application/json", "replies are JSON whatever the request was")
        return (response.status, try JSONCodec.decode(String(decoding: response.body, as: UTF8.self)))
    }

    func testTruncatedAndMalformedBodiesAreBadRequests() throws {
        let secrets = "/api/v1/namespaces/default/secrets"
        let raw = field(1, meta("s")) + entry(2, "k", Array("value".utf8))
        let inner = try post(secrets, envelope("v1", "Secret", Array(raw.dropLast(3))))
        XCTAssertEqual(inner.status, 400)
        XCTAssertEqual(inner.body.text("reason"), "BadRequest")
        XCTAssertEqual(
            inner.body.text("message"), #"Secret in version "v1" cannot be handled as a Secret: unexpected EOF"#)

        let whole = envelope("v1", "Secret", raw)
        let outer = try post(secrets, Array(whole.prefix(20)))
        XCTAssertEqual(outer.status, 400)
        XCTAssertEqual(
            outer.body.text("message"),
            "the object provided is unrecognized (must be of type Secret): unexpected EOF ("
                + whole.prefix(20).map { String(format: "%02x", $0) }.joined() + ")")

        let wrongType = try post(secrets, envelope("v1", "Secret", field(1, meta("s")) + number(3, 5)))
        XCTAssertEqual(wrongType.status, 400)
        XCTAssertEqual(
            wrongType.body.text("message"),
            #"Secret in version "v1" cannot be handled as a Secret: proto: wrong wireType = 0 for field Type"#)

        let created = try post(secrets, whole)
        XCTAssertEqual(created.status, 201, "\(created.body)")
        XCTAssertEqual(created.body.at(["data", "k"]), .string("dmFsdWU="))
    }

    func testAKindWithoutATableIsUnsupportedMediaType() throws {
        let quota = try post(
            "/api/v1/namespaces/default/resourcequotas", envelope("v1", "ResourceQuota", field(1, meta("q"))))
        XCTAssertEqual(quota.status, 415)
        XCTAssertEqual(quota.body.text("reason"), "UnsupportedMediaType")
        XCTAssertEqual(
            quota.body.text("message"),
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
        )
    }
}
