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
        openMissingStandardDescriptors()
        let arguments = Array(CommandLine.arguments.dropFirst())
        let status = await Program.run(arguments, in: .live())
        exit(status)
    }

    /// Started with standard input, output or error closed (`>&-`), the next file opened — the
    /// store, an import file, the service's socket — would take its number, and output meant
    /// for the terminal would be written into it. Each missing one is /dev/null opened for
    /// reading: input ends at once, and output fails, so the run says it could not write.
    private static func openMissingStandardDescriptors() {
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_RDONLY)
            if opened != descriptor, opened >= 0 {
                dup2(opened, descriptor)
                close(opened)
            }
        }
    }
}
