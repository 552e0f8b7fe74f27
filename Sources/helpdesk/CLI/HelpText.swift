/// `--help` text, generated from the command table so it cannot drift from the parser.
enum HelpText {
    static func program(_ commands: [CommandSpec], version: String) -> String {
        let width = commands.map(\.name.count).max() ?? 0
        var text = """
        helpdesk \(version) — a terminal helpdesk console for IT teams whose identities live in Okta

        Usage: helpdesk [COMMAND] [OPTIONS]

        With no command, helpdesk opens the console in this terminal.

        Commands:

        """
        for command in commands {
            text += "  \(command.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(command.summary)\n"
        }
        text += """

        On a jump host every command asks the helpdesk service over its socket
        (/run/helpdesk/helpdesk.sock, or --socket PATH, or $HELPDESK_SOCKET); the service knows
        who you are from your login. For personal use, a configuration of your own
        (~/.config/helpdesk/config.json, --config PATH) or a store (--db PATH) runs helpdesk
        in this process instead.

        Options for every command: --help, --socket PATH, --config PATH, --db PATH; --json on
        every command that reads or writes. `helpdesk --config PATH` opens the console with that
        configuration. helpdesk --version prints the version; man helpdesk has the details.
        Exit codes: 0 success, 1 refused or failed, 2 usage error.
        Run `helpdesk COMMAND --help` for a command's options.

        """
        return text
    }

    static func command(_ spec: CommandSpec) -> String {
        var text = "Usage: helpdesk \(spec.name) \(spec.synopsis)\n\n\(spec.summary)\n"
        if !spec.arguments.isEmpty {
            text += "\nArguments:\n"
            let width = spec.arguments.map(\.name.count).max() ?? 0
            for argument in spec.arguments {
                text += "  \(argument.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(argument.help)\n"
            }
        }
        let options = spec.options + [OptionSpec.flag("help", "show this help")]
        let labels = options.map { "--" + $0.name + ($0.value.map { " " + $0 } ?? "") }
        let width = labels.map(\.count).max() ?? 0
        text += "\nOptions:\n"
        for (label, option) in zip(labels, options) {
            text += "  \(label.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(option.help)\n"
        }
        if !spec.discussion.isEmpty {
            text += "\n\(spec.discussion)\n"
        }
        return text
    }
}
