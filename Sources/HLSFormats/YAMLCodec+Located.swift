public import HLSCore

extension YAMLCodec {
    /// Every document of a multi-document stream with where it starts (its root node), for
    /// checks that must name `file:line:col` of a document (`kube apply -f`).
    public static func decodeAllLocated(_ text: String, file: String) throws(HLSError) -> [(
        document: Document, at: SourceLocation
    )] {
        try YAMLReader.documents(text, file: file).map { (document(from: $0), $0.mark.location(in: file)) }
    }
}
