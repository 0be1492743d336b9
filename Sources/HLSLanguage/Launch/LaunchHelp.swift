import HLSCore

/// `hlsh --help`, written from `LaunchFlags`: usage, options, where options go, exit statuses.
public enum LaunchHelp {
    public static let text: String = {
        var out = LaunchFlags.abstract + "\n\nUsage: "
        out += LaunchFlags.usageLines.joined(separator: "\n       ")
        out += "\n\nOptions:\n"
        let width = LaunchFlags.all.map(\.synopsis.count).max() ?? 0
        for flag in LaunchFlags.all {
            out += "  " + Usage.pad(flag.synopsis, width) + "  " + Usage.wrap(flag.help, indent: width + 4) + "\n"
        }
        out += "\n" + Usage.wrap(LaunchFlags.placement, indent: 0) + "\n\n"
        out += "Exit status:\n"
        for status in ExitStatus.allCases {
            out += "  " + Usage.pad("\(status.rawValue)", 5) + Usage.wrap(status.meaning, indent: 7) + "\n"
        }
        out += "\nRun 'hlsh -c help' for the commands and the language.\n"
        return out
    }()
}
