import HLSCore
import HLSCrypto
import XCTest

/// The published test vectors: FIPS 180-4's examples (as in NIST's SHA example sheets and
/// FIPS 180-2 appendices A and B), RFC 4231 for HMAC-SHA-256 and RFC 2202 for HMAC-SHA-1. Each
/// function must give its own algorithm's answer, so a binding to the wrong hash, or an HMAC with
/// key and message swapped, fails here.
final class SHAVectorsTests: XCTestCase {
    private let abc = Array("abc".utf8)
    private let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    private let millionA = [UInt8](repeating: 0x61, count: 1_000_000)

    func testSHA1FIPS180() {
        XCTAssertEqual(Hex.encode(SHA.sha1([])), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(Hex.encode(SHA.sha1(abc)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(Hex.encode(SHA.sha1(twoBlocks)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(Hex.encode(SHA.sha1(millionA)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    func testSHA256FIPS180() {
        XCTAssertEqual(
            Hex.encode(SHA.sha256([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            Hex.encode(SHA.sha256(abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            Hex.encode(SHA.sha256(twoBlocks)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            Hex.encode(SHA.sha256(millionA)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testHMACSHA256RFC4231() {
        let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
            (  // 1
                [UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (  // 2: a key shorter than the output
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (  // 3
                [UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (  // 4
                Array(1...25), [UInt8](repeating: 0xCD, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (  // 6: a key longer than the block, hashed first
                [UInt8](repeating: 0xAA, count: 131),
                Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
        ]
        for (number, c) in cases.enumerated() {
            XCTAssertEqual(Hex.encode(SHA.hmacSHA256(key: c.key, message: c.data)), c.mac, "case \(number + 1)")
        }
    }

    func testHMACSHA1RFC2202() {
        let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
            ([UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8), "b617318655057264e28bc0b6fb378c8ef146be00"),
            (
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
            ),
            (
                [UInt8](repeating: 0xAA, count: 80),
                Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "aa4ae5e15272d00e95705637ce8a3b55ed402112"
            ),
        ]
        for (number, c) in cases.enumerated() {
            XCTAssertEqual(Hex.encode(SHA.hmacSHA1(key: c.key, message: c.data)), c.mac, "case \(number + 1)")
        }
    }
}
