import Foundation

/// helpdesk installed set-group-id to the `helpdesk` group, which alone can read the Okta token and
/// write the store. Then nothing the user controls may choose a path or a secret: the variables
/// below are dropped, `--config` and `--db` are refused, and files are read only from standard input.
enum SetGroupID {
    /// True when the effective group differs from the real one (the set-group-id bit took effect).
    static var isActive: Bool { getegid() != getgid() }

    static let droppedVariables: Set<String> = [
        "HELPDESK_CONFIG", "HELPDESK_DB", "OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
    ]

    /// The environment with every path and secret override removed.
    static func trusted(_ variables: [String: String]) -> [String: String] {
        variables.filter { !droppedVariables.contains($0.key) }
    }

    /// Gives up the `helpdesk` group for good (the demo, which must not touch the real store).
    static func dropGroup() throws {
        guard setgid(getgid()) == 0 else {
            throw CLIError.failed("could not give up the helpdesk group (\(String(cString: strerror(errno)))); not starting")
        }
    }

    /// The usage error for an option that would pick a path.
    static func refused(_ option: String, command: String?) -> CLIError {
        .usage("--\(option) cannot be used here: this helpdesk runs set-group-id and uses only /etc/helpdesk/config.json and the store it names", command: command)
    }
}
