import Foundation

/// The `helpdesk` program: the console, and the command line for scripts and cron.
@main
enum Main {
    static func main() async {
        if SetGroupID.isActive {
            // Store files this process creates (the WAL beside the store) stay writable by the helpdesk group.
            umask(0o007)
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        let status = await Program.run(arguments, in: .live())
        exit(status)
    }
}
