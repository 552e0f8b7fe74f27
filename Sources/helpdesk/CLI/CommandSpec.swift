/// A subcommand as data: its name, what it does, its options and arguments, and how it runs.
/// `--help` and the usage errors are generated from the same record.
struct CommandSpec: Sendable {
    let name: String
    let summary: String
    /// What follows `helpdesk NAME` in the usage line, e.g. `REQ TEXT [--json]`.
    let synopsis: String
    let options: [OptionSpec]
    let arguments: [ArgumentSpec]
    /// More help: examples, what the output holds, exit codes.
    let discussion: String
    let run: @Sendable (Invocation) async throws -> Int32

    init(
        name: String, summary: String, synopsis: String, options: [OptionSpec] = [], arguments: [ArgumentSpec] = [],
        discussion: String = "", run: @escaping @Sendable (Invocation) async throws -> Int32
    ) {
        self.name = name
        self.summary = summary
        self.synopsis = synopsis
        self.options = options
        self.arguments = arguments
        self.discussion = discussion
        self.run = run
    }
}

/// An option: `--name VALUE`, or a flag `--name` when `value` is nil.
struct OptionSpec: Sendable {
    let name: String
    let value: String?
    let help: String

    static func flag(_ name: String, _ help: String) -> OptionSpec { OptionSpec(name: name, value: nil, help: help) }
    static func value(_ name: String, _ value: String, _ help: String) -> OptionSpec { OptionSpec(name: name, value: value, help: help) }

    static let json = flag("json", "print JSON for scripts instead of text")
    static let db = value("db", "PATH", "personal use: the store file (default: $HELPDESK_DB, the configuration's store.path, or ~/.local/share/helpdesk/helpdesk.db)")
    static let config = value("config", "PATH", "personal use: the configuration file (default: $HELPDESK_CONFIG, ~/.config/helpdesk/config.json)")
    static let socket = value("socket", "PATH", "the helpdesk service's socket (default: $HELPDESK_SOCKET, or /run/helpdesk/helpdesk.sock without a personal configuration)")
}

/// A positional argument.
struct ArgumentSpec: Sendable {
    let name: String
    let help: String
    var optional = false
    /// Takes every remaining word (a note's text).
    var rest = false
}
