import HLSCore
import HLSLanguage
import Kube

extension KubeCommands {
    static let logs = CommandSpec(
        ["kube", "logs"], summary: "What a pod's container wrote (-f follows it until Ctrl-C or the container ends)",
        discussion: """
            The log as the kubelet keeps it, through the API (pods/NAME/log). A pod with several \
            containers needs -c; the server's refusal names them. A container that has not started yet \
            is an error that says what it waits for (ContainerCreating). --tail keeps the last lines, \
            --since the recent ones. Without -f the log is one string (pipe it into `lines`); with -f each \
            line is printed as it comes, until Ctrl-C or the end of the stream. KIND/NAME (deploy/web, \
            sts/db, svc/web) reads one pod of the workload's or Service's selector, the one kubectl would \
            pick (running and ready first, then the oldest), saying which when there are several.
            """,
        positionals: [
            Parameter(
                "pod", .name("kube-object"),
                "the pod's name, or KIND/NAME (deploy/web, svc/web): one of its pods, chosen as kubectl does")
        ],
        flags: [
            namespaceFlag, Flag("container", short: "c", .string, "the container (needed when the pod has several)"),
            Flag("tail", .int, "only the last N lines"),
            Flag("since", .duration, "only the lines written within this long (5m, 1h)"),
            Flag("follow", short: "f", "go on printing lines as they are written"), contextFlag,
        ],
        examples: [
            Example(
                "kube logs web -n apps --tail 20", "the last lines of the pod's only container", needsLab: true),
            Example(
                "kube logs web -n apps -c web | lines | count", "how many lines the container wrote", needsLab: true),
        ],
        implementation: .query(podLogs))

    static func podLogs(_ inv: Invocation) throws -> Value {
        let client = try client(inv)
        let namespace = namespace(inv, client)
        let (pod, note) = try KubeLogTarget.pod(
            inv.string("pod")!, namespace: namespace, client: client, cancellation: inv.context.cancellation)
        if let note { inv.context.err(note + "\n") }
        if let tail = inv.int("tail"), tail < 0 { throw inv.usage("--tail takes a number of lines, not \(tail)") }
        let options = KubeLogOptions(
            container: inv.string("container"), tailLines: inv.int("tail"),
            sinceSeconds: inv.duration("since").map { max(1, Int($0.components.seconds)) })
        guard inv.flag("follow") else {
            var text = try client.logs(
                pod: pod, namespace: namespace, options: options, cancellation: inv.context.cancellation)
            if text.hasSuffix("\n") { text.removeLast() }
            return .string(text)
        }
        let out = inv.context.out
        try client.followLogs(pod: pod, namespace: namespace, options: options, cancellation: inv.context.cancellation)
        {
            out($0 + "\n")
        }
        return .null
    }
}
