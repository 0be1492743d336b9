extension String {
    /// The string as one single-quoted word for a POSIX shell (`sh`, `bash`, `dash`): each `'`
    /// becomes `'\''`, so nothing inside is expanded. The one quoting rule for every command line
    /// or environment file hlsh writes for a shell, on a node or locally.
    public var shellQuoted: String {
        "'" + split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }
}
