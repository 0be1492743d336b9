import HLSCore
import HLSTransport
import XCTest

@testable import Proxmox

/// The bytes hlsh puts on the wire for POST/PUT bodies and GET/DELETE query strings.
final class PVEFormEncodingTests: XCTestCase {
    func testUnreservedCharactersStayAndEverythingElseIsPercentEncoded() {
        XCTAssertEqual(PVEFormEncoding.percentEncode("AZaz09-._~"), "AZaz09-._~")
        XCTAssertEqual(PVEFormEncoding.percentEncode("a b"), "a%20b", "spaces are %20, never +")
        XCTAssertEqual(PVEFormEncoding.percentEncode("a+b"), "a%2Bb")
        XCTAssertEqual(
            PVEFormEncoding.percentEncode("ip=10.0.0.10/24,gw=10.0.0.1"), "ip%3D10.0.0.10%2F24%2Cgw%3D10.0.0.1")
        XCTAssertEqual(PVEFormEncoding.percentEncode("k3s;server"), "k3s%3Bserver")
        XCTAssertEqual(PVEFormEncoding.percentEncode("100%"), "100%25")
        XCTAssertEqual(PVEFormEncoding.percentEncode("a\nb&c"), "a%0Ab%26c")
        XCTAssertEqual(PVEFormEncoding.percentEncode("grüße"), "gr%C3%BC%C3%9Fe", "UTF-8 bytes, uppercase hex")
        XCTAssertEqual(PVEFormEncoding.percentEncode("!*'()"), "%21%2A%27%28%29")
    }

    func testPairsKeepTheirOrder() {
        let form = PVEFormEncoding.encode([
            ("scsi1", "local-lvm:100,iothread=1,discard=on"), ("cores", "4"), ("description", "k3s server #1"),
        ])
        XCTAssertEqual(
            form, "scsi1=local-lvm%3A100%2Ciothread%3D1%2Cdiscard%3Don&cores=4&description=k3s%20server%20%231")
        XCTAssertEqual(PVEFormEncoding.encode([]), "")
    }

    func testPathSegmentsKeepTheCharactersOfAUPID() {
        let upid = "UPID:pve1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000:root@pam!hlsh:"
        XCTAssertEqual(PVEFormEncoding.encodePathSegment(upid), upid)
        XCTAssertEqual(PVEFormEncoding.encodePathSegment("a/b c"), "a%2Fb%20c")
    }

    // MARK: sshkeys

    /// Real ed25519 keys (made with `ssh-keygen -t ed25519 -C admin@laptop` and `-C ops@desk`;
    /// the private halves were thrown away). Their base64 has `+` and `/`, which is where
    /// single-encoding bugs show.
    static let laptopKey =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG+oNt+boyIraaK+nqU7dprUyuQ4Yye4lPkvEZwEKoLN admin@laptop"
    static let deskKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKKre/lSNvzZyI074dVav6ndMfORAhimo9AQPe9+zrju ops@desk"

    func testSSHKeysAreEncodedOnceBeforeTheFormEncoding() {
        // The value PVE must see after form-decoding: spaces %20 (not +), + as %2B, @ as %40.
        let value = PVESSHKeys.encode([Self.laptopKey])
        XCTAssertEqual(
            value,
            "ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAIG%2BoNt%2BboyIraaK%2BnqU7dprUyuQ4Yye4lPkvEZwEKoLN%20admin%40laptop")
        // It matches PVE's check for the decoded value: [-%A-Za-z0-9_.!~*'()]*
        XCTAssertNil(value.firstMatch(of: /[^-%A-Za-z0-9_.!~*'()]/))
        // On the wire every % of it is %25.
        XCTAssertEqual(
            PVEFormEncoding.encode([("sshkeys", value)]),
            "sshkeys=ssh-ed25519%2520AAAAC3NzaC1lZDI1NTE5AAAAIG%252BoNt%252BboyIraaK%252BnqU7dprUyuQ4Yye4lPkvEZwEKoLN%2520admin%2540laptop"
        )
    }

    func testSeveralSSHKeysAreJoinedWithAnEncodedNewline() {
        let wire = PVEFormEncoding.encode([("sshkeys", PVESSHKeys.encode([Self.laptopKey, Self.deskKey]))])
        // Exact bytes, checked against Python's urllib.parse.quote(quote(keys, safe=''), safe='').
        XCTAssertEqual(
            wire,
            "sshkeys=ssh-ed25519%2520AAAAC3NzaC1lZDI1NTE5AAAAIG%252BoNt%252BboyIraaK%252BnqU7dprUyuQ4Yye4lPkvEZwEKoLN%2520admin%2540laptop"
                + "%250A"
                + "ssh-ed25519%2520AAAAC3NzaC1lZDI1NTE5AAAAIKKre%252FlSNvzZyI074dVav6ndMfORAhimo9AQPe9%252Bzrju%2520ops%2540desk"
        )
        XCTAssertFalse(wire.contains("+"), "a + would be read back as a space by some decoders")
    }

    func testSSHKeysTolerateBlankLinesAndTrailingNewlinesAndDecodeBack() {
        let fromFile = "\(Self.laptopKey)\n\n\(Self.deskKey)\n"
        XCTAssertEqual(PVESSHKeys.encode([fromFile]), PVESSHKeys.encode([Self.laptopKey, Self.deskKey]))
        XCTAssertEqual(PVESSHKeys.decode(PVESSHKeys.encode([fromFile])), [Self.laptopKey, Self.deskKey])
        XCTAssertTrue(PVESSHKeys.isEncoded(PVESSHKeys.encode([Self.laptopKey])))
        XCTAssertFalse(PVESSHKeys.isEncoded(Self.laptopKey))
    }

    // MARK: Requests

    private func client() throws -> PVEClient {
        PVEClient(
            settings: PVEConnectionSettings(
                endpoint: try PVEEndpoint(parsing: "https://pve1.lan:8006/"),
                credentials: .apiToken(try PVEAPIToken(parsing: "root@pam!hlsh=secret-uuid"))))
    }

    func testGetAndDeleteCarryTheirParametersOnlyInTheQueryString() throws {
        let client = try client()
        let get = client.request("GET", "/cluster/resources", query: [("type", "vm")], headers: [:])
        XCTAssertEqual(get.url, "https://pve1.lan:8006/api2/json/cluster/resources?type=vm")
        XCTAssertNil(get.body)
        XCTAssertNil(get.headers["Content-Type"])
        let delete = client.request(
            "DELETE", "/nodes/pve1/qemu/101", query: [("purge", "1"), ("destroy-unreferenced-disks", "1")], headers: [:]
        )
        XCTAssertEqual(
            delete.url, "https://pve1.lan:8006/api2/json/nodes/pve1/qemu/101?purge=1&destroy-unreferenced-disks=1")
        XCTAssertNil(delete.body)
    }

    func testPostAndPutSendAFormBody() throws {
        let client = try client()
        let put = client.request(
            "PUT", "/nodes/pve1/qemu/101/config", form: [("cores", "4"), ("ciuser", "ubuntu")], headers: [:])
        XCTAssertEqual(put.url, "https://pve1.lan:8006/api2/json/nodes/pve1/qemu/101/config")
        XCTAssertEqual(put.headers["Content-Type"], "application/x-www-form-urlencoded")
        XCTAssertEqual(put.body.map { String(decoding: $0, as: UTF8.self) }, "cores=4&ciuser=ubuntu")
        let post = client.request("POST", "/nodes/pve1/qemu/101/status/start", headers: [:])
        XCTAssertEqual(post.body, [])
        XCTAssertFalse(post.isIdempotent, "POSTs are never retried")
    }

    func testTokenAuthorizationHeader() throws {
        let headers = try client().authHeaders(method: "POST", fresh: false, cancellation: .never)
        XCTAssertEqual(headers["Authorization"], "PVEAPIToken=root@pam!hlsh=secret-uuid")
        XCTAssertNil(headers["CSRFPreventionToken"], "tokens need no CSRF token")
        XCTAssertFalse(headers.description.contains("secret-uuid"))
    }
}
