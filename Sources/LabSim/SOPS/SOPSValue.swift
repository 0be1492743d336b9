import Crypto
import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value of a SOPS file: AES-256-GCM under the
/// data key with a 32-byte IV, the tag kept apart from the data, and the value's type.
struct SOPSValue {
    var data: [UInt8]
    var iv: [UInt8]
    var tag: [UInt8]
    var type: String

    /// Parses the text as sops's aes cipher does; the errors are its words.
    init(_ text: String) throws(SOPSError) {
        guard text.hasPrefix("ENC[AES256_GCM,data:"), text.hasSuffix("]") else {
            throw SOPSError("Input string \(text) does not match sops' data format")
        }
        var fields: [String: String] = [:]
        for part in text.dropFirst(4).dropLast().split(separator: ",").dropFirst() {
            guard let colon = part.firstIndex(of: ":") else {
                throw SOPSError("Input string \(text) does not match sops' data format")
            }
            fields[String(part[..<colon])] = String(part[part.index(after: colon)...])
        }
        guard let d = fields["data"], let i = fields["iv"], let t = fields["tag"], let type = fields["type"] else {
            throw SOPSError("Input string \(text) does not match sops' data format")
        }
        guard let data = Base64.decode(d) else {
            throw SOPSError("Error base64-decoding encrypted data: illegal base64 data")
        }
        guard let iv = Base64.decode(i) else { throw SOPSError("Error base64-decoding iv: illegal base64 data") }
        guard let tag = Base64.decode(t) else { throw SOPSError("Error base64-decoding tag: illegal base64 data") }
        (self.data, self.iv, self.tag, self.type) = (data, iv, tag, type)
    }

    /// The plaintext bytes, authenticated with `aad` (the value's path, or `lastmodified` for the MAC).
    func open(key: [UInt8], aad: String) throws(SOPSError) -> [UInt8] {
        guard let nonce = try? AES.GCM.Nonce(data: iv),
            let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: data, tag: tag),
            let plain = try? AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Array(aad.utf8))
        else { throw SOPSError("Could not decrypt with AES_GCM: cipher: message authentication failed") }
        return [UInt8](plain)
    }

    /// The decrypted value as the document holds it, by the value's `type`.
    func decrypt(key: [UInt8], aad: String) throws(SOPSError) -> Document {
        let plain = try open(key: key, aad: aad)
        let text = String(decoding: plain, as: UTF8.self)
        switch type {
        case "str", "bytes": return .string(text)
        case "int":
            guard let v = Int(text) else {
                throw SOPSError("Error unmarshaling int: strconv.Atoi: parsing \"\(text)\": invalid syntax")
            }
            return .int(v)
        case "float":
            guard let v = Double(text) else {
                throw SOPSError("Error unmarshaling float: strconv.ParseFloat: parsing \"\(text)\": invalid syntax")
            }
            return .double(v)
        case "bool":
            switch text {
            case "1", "t", "T", "TRUE", "true", "True": return .bool(true)
            case "0", "f", "F", "FALSE", "false", "False": return .bool(false)
            default: throw SOPSError("Error unmarshaling bool: strconv.ParseBool: parsing \"\(text)\": invalid syntax")
            }
        default: throw SOPSError("Unknown datatype: \(type)")
        }
    }

    /// A leaf's bytes as sops hashes them into the MAC (its ToBytes): strings as UTF-8, integers in
    /// decimal, floats as Go's `'f', -1`, booleans as `True`/`False`; nil for null, which is skipped.
    static func macBytes(_ value: Document) -> [UInt8]? {
        switch value {
        case .string(let s): return Array(s.utf8)
        case .int(let i): return Array(String(i).utf8)
        case .double(let d): return Array(goFloat(d).utf8)
        case .bool(let b): return Array((b ? "True" : "False").utf8)
        case .null, .array, .object: return nil
        }
    }

    /// `strconv.FormatFloat(d, 'f', -1, 64)`: the shortest digits that round-trip, never an exponent.
    static func goFloat(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? "NaN" : (d < 0 ? "-Inf" : "+Inf") }
        let text = "\(d)"
        let sign = text.hasPrefix("-") ? "-" : ""
        let unsigned = text.drop { $0 == "-" }
        let parts = unsigned.split(separator: "e")
        var digits = String(parts[0].filter { $0 != "." })
        var point =
            parts[0].firstIndex(of: ".").map { parts[0].distance(from: parts[0].startIndex, to: $0) } ?? parts[0].count
        if parts.count == 2, let exponent = Int(parts[1]) { point += exponent }
        while digits.count > 1, digits.hasPrefix("0"), point > 1 {
            digits.removeFirst()
            point -= 1
        }
        if point <= 0 {
            digits = String(repeating: "0", count: 1 - point) + digits
            point = 1
        }
        if point > digits.count { digits += String(repeating: "0", count: point - digits.count) }
        var integer = String(digits.prefix(point))
        var fraction = String(digits.dropFirst(point))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if integer.isEmpty { integer = "0" }
        return sign + integer + (fraction.isEmpty ? "" : "." + fraction)
    }
}

/// An error in sops's own words ("Could not decrypt with AES_GCM: …").
struct SOPSError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
