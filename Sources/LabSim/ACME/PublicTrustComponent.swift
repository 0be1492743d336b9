import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a lab's user holds of the public services its cert-manager reaches: the trust a browser
/// has and the Cloudflare token (docs/adr/0029). Started after the lab's GitHub, it writes
/// `DIR/ca-bundle.pem` — the lab's public CA (GitHub's, `publicCA`) and the simulated
/// Let's Encrypt production root, as an operating system's trust store holds both, and never the
/// staging root — and names it `HLSH_SIM_CA_FILE`; `CLOUDFLARE_API_TOKEN` is the token the
/// simulated Cloudflare accepts (kept in `DIR/cloudflare/token`), as GITHUB_TOKEN is GitHub's.
struct PublicTrustComponent: LabComponent {
    let directory: String
    let letsEncrypt: SimulatedLetsEncrypt
    let cloudflare: SimulatedCloudflare
    /// The lab's other public CA file (its GitHub's), if it has one.
    let publicCA: String?

    var bundlePath: String { directory + "/ca-bundle.pem" }

    func start() throws(HLSError) -> [String: String] {
        var bundle = publicCA.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        if !bundle.isEmpty, !bundle.hasSuffix("\n") { bundle += "\n" }
        bundle += try letsEncrypt.productionRoot().certificatePEM()
        try EnvironmentFile.writePrivate(bundle, to: bundlePath)
        return ["HLSH_SIM_CA_FILE": bundlePath, "CLOUDFLARE_API_TOKEN": cloudflare.token]
    }

    func stop() {}
}
