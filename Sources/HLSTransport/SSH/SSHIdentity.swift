/// A key pair on disk to log in with.
public struct SSHIdentity: Sendable, Hashable {
    /// The private key (OpenSSH or PEM format; ed25519, ECDSA and RSA work).
    public var privateKeyPath: String
    /// The matching `.pub`; nil lets libssh2 derive the public key from the private one.
    public var publicKeyPath: String?
    /// The private key's passphrase, when it has one.
    public var passphrase: String?

    public init(privateKeyPath: String, publicKeyPath: String? = nil, passphrase: String? = nil) {
        self.privateKeyPath = privateKeyPath
        self.publicKeyPath = publicKeyPath
        self.passphrase = passphrase
    }
}
