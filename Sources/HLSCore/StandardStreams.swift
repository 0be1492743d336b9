import Foundation

/// Writes to the process's standard streams without buffering surprises (stderr is never
/// buffered; stdout goes through FileHandle so interleaving with child output stays ordered).
public enum StandardStreams {
    public static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    public static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
