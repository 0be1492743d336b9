/// The protobuf messages the simulated API reads, as field tables taken from k8s.io/api
/// (`core/v1`, `apps/v1`, `batch/v1`) and apimachinery (`meta/v1`) `generated.proto`: those of
/// kubectl's typed verbs (`create namespace|secret|configmap|serviceaccount|deployment|job|
/// service`, `run`). Each entry is `number jsonName type`, in Go struct order (the order JSON has).
/// Types: `s` string, `b` bytes, `i` int32/int64, `t` bool, `q` Quantity, `n` IntOrString, or a
/// message; `[T]` repeated, `{T}` a map from string; a trailing `?` marks a Go pointer, whose zero
/// value is kept (others are left out when zero, as `omitempty` does).
enum KubeProtobufMessages {
    /// The kinds read, with the apiVersion they are read in.
    static let kinds = [
        "Namespace": "v1", "Secret": "v1", "ConfigMap": "v1", "ServiceAccount": "v1", "Service": "v1", "Pod": "v1",
        "Deployment": "apps/v1", "Job": "batch/v1",
    ]

    struct FieldSpec {
        enum Shape { case single, list, map }
        var number: Int
        var name: String
        var element: Substring
        var shape: Shape
        var pointer: Bool
        /// The Go field's name as gogo-protobuf's errors give it (near enough: `Type`, `Replicas`).
        var goName: String { name.prefix(1).uppercased() + name.dropFirst() }
    }

    static let table: [String: [FieldSpec]] = source.mapValues { fields in
        fields.split(separator: ",").map { entry in
            let parts = entry.split(separator: " ")
            var type = parts[2]
            let pointer = type.last == "?"
            if pointer { type = type.dropLast() }
            let shape: FieldSpec.Shape = type.first == "[" ? .list : type.first == "{" ? .map : .single
            if shape != .single { type = type.dropFirst().dropLast() }
            return FieldSpec(
                number: Int(parts[0]) ?? 0, name: String(parts[1]), element: type, shape: shape, pointer: pointer)
        }
    }

    private static let source = [
        "ObjectMeta":
            "1 name s,2 generateName s,3 namespace s,5 uid s,6 resourceVersion s,11 labels {s},12 annotations {s},"
            + "13 ownerReferences [OwnerReference],14 finalizers [s]",
        "OwnerReference":
            "5 apiVersion s,1 kind s,3 name s,4 uid s,6 controller t?,7 blockOwnerDeletion t?",
        "LabelSelector": "1 matchLabels {s},2 matchExpressions [LabelSelectorRequirement]",
        "LabelSelectorRequirement": "1 key s,2 operator s,3 values [s]",
        "Namespace": "1 metadata ObjectMeta,2 spec NamespaceSpec",
        "NamespaceSpec": "1 finalizers [s]",
        "Secret": "1 metadata ObjectMeta,5 immutable t?,2 data {b},4 stringData {s},3 type s",
        "ConfigMap": "1 metadata ObjectMeta,4 immutable t?,2 data {s},3 binaryData {b}",
        "ServiceAccount":
            "1 metadata ObjectMeta,2 secrets [ObjectReference],3 imagePullSecrets [LocalObjectReference],"
            + "4 automountServiceAccountToken t?",
        "ObjectReference":
            "1 kind s,2 namespace s,3 name s,4 uid s,5 apiVersion s,6 resourceVersion s,7 fieldPath s",
        "LocalObjectReference": "1 name s",
        "Service": "1 metadata ObjectMeta,2 spec ServiceSpec",
        "ServiceSpec":
            "1 ports [ServicePort],2 selector {s},3 clusterIP s,18 clusterIPs [s],4 type s,5 externalIPs [s],"
            + "7 sessionAffinity s,8 loadBalancerIP s,9 loadBalancerSourceRanges [s],10 externalName s,"
            + "11 externalTrafficPolicy s,12 healthCheckNodePort i,13 publishNotReadyAddresses t,19 ipFamilies [s],"
            + "17 ipFamilyPolicy s?,20 allocateLoadBalancerNodePorts t?,21 loadBalancerClass s?,"
            + "22 internalTrafficPolicy s?,23 trafficDistribution s?",
        "ServicePort": "1 name s,2 protocol s,6 appProtocol s?,3 port i,4 targetPort n,5 nodePort i",
        "Pod": "1 metadata ObjectMeta,2 spec PodSpec",
        "PodTemplateSpec": "1 metadata ObjectMeta,2 spec PodSpec",
        "PodSpec":
            "20 initContainers [Container],2 containers [Container],3 restartPolicy s,"
            + "4 terminationGracePeriodSeconds i?,5 activeDeadlineSeconds i?,6 dnsPolicy s,7 nodeSelector {s},"
            + "8 serviceAccountName s,9 serviceAccount s,21 automountServiceAccountToken t?,10 nodeName s,"
            + "11 hostNetwork t,12 hostPID t,13 hostIPC t,15 imagePullSecrets [LocalObjectReference],16 hostname s,"
            + "17 subdomain s,19 schedulerName s,22 tolerations [Toleration],24 priorityClassName s,25 priority i?,"
            + "30 enableServiceLinks t?",
        "Container":
            "1 name s,2 image s,3 command [s],4 args [s],5 workingDir s,6 ports [ContainerPort],7 env [EnvVar],"
            + "8 resources ResourceRequirements,24 restartPolicy s?,13 terminationMessagePath s,"
            + "20 terminationMessagePolicy s,14 imagePullPolicy s,16 stdin t,17 stdinOnce t,18 tty t",
        "ContainerPort": "1 name s,2 hostPort i,3 containerPort i,4 protocol s,5 hostIP s",
        "EnvVar": "1 name s,2 value s",
        "ResourceRequirements": "1 limits {q},2 requests {q}",
        "Toleration": "1 key s,2 operator s,3 value s,4 effect s,5 tolerationSeconds i?",
        "Deployment": "1 metadata ObjectMeta,2 spec DeploymentSpec",
        "DeploymentSpec":
            "1 replicas i?,2 selector LabelSelector,3 template PodTemplateSpec,4 strategy DeploymentStrategy,"
            + "5 minReadySeconds i,6 revisionHistoryLimit i?,7 paused t,9 progressDeadlineSeconds i?",
        "DeploymentStrategy": "1 type s,2 rollingUpdate RollingUpdateDeployment",
        "RollingUpdateDeployment": "1 maxUnavailable n?,2 maxSurge n?",
        "Job": "1 metadata ObjectMeta,2 spec JobSpec",
        "JobSpec":
            "1 parallelism i?,2 completions i?,3 activeDeadlineSeconds i?,7 backoffLimit i?,"
            + "12 backoffLimitPerIndex i?,13 maxFailedIndexes i?,4 selector LabelSelector,5 manualSelector t?,"
            + "6 template PodTemplateSpec,8 ttlSecondsAfterFinished i?,9 completionMode s?,10 suspend t?,"
            + "14 podReplacementPolicy s?,15 managedBy s?",
    ]
}
