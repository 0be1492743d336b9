public import HLSCore

/// What a node script printed, parsed: one result per control, the facts in order, secrets apart.
/// Lines that follow no protocol (a tool's stray output) are kept in `otherOutput`, never dropped.
///
/// The protocol (documented in `NodeScripts/lib.sh`): `ok|changed|failed CONTROL DETAIL`,
/// `fact KEY VALUE` and `secret KEY VALUE`. In check mode a `changed` DETAIL starts with "would".
public struct NodeReport: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, CaseIterable {
        case ok, changed, failed
    }

    public struct ControlResult: Sendable, Equatable, CustomStringConvertible {
        public var status: Status
        public var control: String
        public var detail: String

        public init(_ status: Status, _ control: String, _ detail: String) {
            self.status = status
            self.control = control
            self.detail = detail
        }

        public var description: String { "\(status.rawValue) \(control) \(detail)" }
    }

    public struct Fact: Sendable, Equatable {
        public var key: String
        public var value: String
    }

    public var controls: [ControlResult] = []
    /// In output order; a key may repeat (`disk`, `address`).
    public var facts: [Fact] = []
    /// `secret` lines by key (`k3s-token`); kept out of `description`.
    public var secrets: [String: String] = [:]
    public var otherOutput: [String] = []

    public init(parsing output: String) {
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard words.count >= 2, !words[1].isEmpty else {
                otherOutput.append(String(line))
                continue
            }
            let head = String(words[0])
            let key = String(words[1])
            let rest = words.count > 2 ? String(words[2]) : ""
            if let status = Status(rawValue: head) {
                controls.append(ControlResult(status, key, rest))
            } else if head == "fact" {
                facts.append(Fact(key: key, value: rest))
            } else if head == "secret" {
                secrets[key] = rest
            } else {
                otherOutput.append(String(line))
            }
        }
    }

    /// The first value of fact `key`.
    public func fact(_ key: String) -> String? { facts.first { $0.key == key }?.value }

    /// Every value of fact `key`, in order.
    public func facts(_ key: String) -> [String] { facts.filter { $0.key == key }.map(\.value) }

    /// The join token a `k3s-token` run printed.
    public var k3sToken: K3sToken? { secrets["k3s-token"].map(K3sToken.init) }

    public var failures: [ControlResult] { controls.filter { $0.status == .failed } }
    public var changes: [ControlResult] { controls.filter { $0.status == .changed } }
    /// Every control is `ok` (and there was at least one).
    public var allOK: Bool { !controls.isEmpty && controls.allSatisfy { $0.status == .ok } }

    /// Throws when the script failed on `node`: exit 2 is hlsh's own mistake (bad parameters),
    /// any other non-zero exit names the failed controls, or the stray output when there are none.
    public func check(exitStatus: Int32, node: String, script: NodeScript.Kind) throws(HLSError) {
        if exitStatus == 0 && failures.isEmpty { return }
        if exitStatus == 2 {
            throw HLSError(
                .usage, "the \(script.rawValue) script rejected its parameters", at: .host(node),
                cause: otherOutput.joined(separator: "\n"))
        }
        let what =
            failures.isEmpty
            ? "exited \(exitStatus)" + (otherOutput.last.map { ": \($0)" } ?? "")
            : failures.map { "\($0.control): \($0.detail)" }.joined(separator: "; ")
        throw HLSError(
            .failed, "\(script.rawValue) failed on \(node): \(what)", at: .host(node),
            hint: failures.isEmpty
                ? "the script stopped before reporting; its standard error says why"
                : "fix the cause and run it again: it changes only what differs")
    }
}

extension NodeReport: CustomStringConvertible {
    /// The report as the script printed it, secrets redacted.
    public var description: String {
        var lines = controls.map(\.description)
        lines += facts.map { "fact \($0.key) \($0.value)" }
        lines += secrets.keys.sorted().map { "secret \($0) <redacted>" }
        lines += otherOutput
        return lines.joined(separator: "\n")
    }
}
