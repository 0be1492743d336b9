// The fuzz executable of scripts/fuzz (docs/adr/0045). SwiftPM gives an executable's entry point
// a name of its own, so libFuzzer's `main` cannot be used: this `main` hands over to libFuzzer's
// driver. `HLSH_FUZZ_TARGET` picks the target, once per process.
import FuzzerDriver

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@main
enum FuzzMain {
    static func main() {
        _ = FuzzTarget.selected
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
    }
}

/// Runs one input through the selected target; libFuzzer calls it for every input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTarget.selected.run(UnsafeBufferPointer(start: start, count: count))
    return 0
}
