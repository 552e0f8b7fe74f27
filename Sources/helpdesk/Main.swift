import Foundation

/// The `helpdesk` program: the console, and the command line for scripts and cron.
@main
enum Main {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let status = await Program.run(arguments, in: .live())
        exit(status)
    }
}
