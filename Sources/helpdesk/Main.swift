import Foundation

/// The `helpdesk` program: the console, the command line for scripts and cron, and the service.
@main
enum Main {
    static func main() async {
        // Privilege belongs to the service, never to a program run on an environment the user controls.
        if getuid() != geteuid() || getgid() != getegid() {
            try? FileHandle.standardError.write(contentsOf: Data((Program.setIDRefusal + "\n").utf8))
            exit(ExitCode.failure)
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        let status = await Program.run(arguments, in: .live())
        exit(status)
    }
}
