import Foundation

/// The executables `swift build` put beside the test bundle.
public enum BuiltProducts {
    /// The folder holding the test bundle and the package's executables.
    public static var folder: URL {
        let runner = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        // Swift Testing on Linux runs `<name>.xctest` from the products folder.
        if folder.lastPathComponent.hasSuffix(".xctest") { folder = folder.deletingLastPathComponent() }
        return folder
    }

    public static func executable(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// Copies the executable `name` to `path` (mode 0755) through a close-on-exec descriptor: a
    /// child another test starts meanwhile must not keep the copy open for writing, or running it
    /// fails with "Text file busy" for as long as that child lives. The mode is set explicitly: the
    /// umask is the process's, and a socket server in another test narrows it while it binds.
    public static func copyExecutable(_ name: String, to path: String) throws {
        let bytes = try Data(contentsOf: executable(name))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o700)
        guard descriptor >= 0 else { throw ProgramFailure("cannot create \(path): " + String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fchmod(descriptor, 0o755) == 0 else {
            throw ProgramFailure("cannot write \(path): " + String(cString: strerror(errno)))
        }
    }
}

/// A child process with captured output.
public struct ChildProcess {
    public let process: Process
    public let output: Pipe
    public let errors: Pipe

    /// Starts `executable` with `arguments` and `environment` (added to a minimal PATH and HOME).
    /// A program copied a moment ago may still be open for writing in a child another thread forked
    /// meanwhile ("text file busy"): starting it is tried again for a while, each time afresh.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> ChildProcess {
        for attempt in 0..<40 {
            do {
                return try startOnce(executable, arguments, environment: environment, input: input)
            } catch let error as NSError where attempt < 39 && (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ETXTBSY) {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        return try startOnce(executable, arguments, environment: environment, input: input)
    }

    private static func startOnce(_ executable: URL, _ arguments: [String], environment: [String: String], input: String?) throws -> ChildProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = childEnvironment(environment)
        let output = Pipe()
        let errors = Pipe()
        // Not to be inherited by children other tests start meanwhile (they would hold the pipe open).
        for handle in [output.fileHandleForReading, output.fileHandleForWriting, errors.fileHandleForReading, errors.fileHandleForWriting] {
            _ = fcntl(handle.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        process.standardOutput = output
        process.standardError = errors
        if let input {
            let stdin = Pipe()
            process.standardInput = stdin
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        return ChildProcess(process: process, output: output, errors: errors)
    }

    /// Waits for the exit and returns the status with everything printed.
    public func finish() -> (status: Int32, out: String, err: String) {
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Runs to the end without capturing its output, waiting with `waitpid` alone: for commands
    /// that leave a daemon behind (`tmux new-session -d`). Foundation's `Process` notices an exit
    /// through a descriptor the child inherits, so a daemon forked from the child would keep
    /// `waitUntilExit` waiting for as long as the daemon lives.
    public static func runDetached(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Int32 {
        wait(try spawn(executable, arguments, environment: environment))
    }

    /// Starts a child with standard streams on `/dev/null` (or `log` for output), a clean signal
    /// mask, and none of this process's other descriptors: a pipe another test is reading must not
    /// stay open in a daemon this child leaves behind. Returns its pid; `wait` reaps it.
    public static func spawn(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], log: String? = nil) throws -> pid_t {
        let variables = childEnvironment(environment)
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            let path = descriptor == STDIN_FILENO ? "/dev/null" : (log ?? "/dev/null")
            posix_spawn_file_actions_addopen(&actions, descriptor, path, descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        for descriptor in openDescriptors() where descriptor > STDERR_FILENO {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        // The calling thread may block signals (dispatch threads do); the child starts clean.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        for _ in 0..<40 where spawned == ETXTBSY {
            Thread.sleep(forTimeInterval: 0.05)
            spawned = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        }
        guard spawned == 0 else { throw ProgramFailure("cannot start \(executable.path): " + String(cString: strerror(spawned))) }
        return pid
    }

    /// Waits for a spawned child and returns its exit status (128 + the signal when killed).
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return exitStatus(status)
    }

    /// Waits for a spawned child until `deadline`: its exit status as `wait` gives it, or -1 when
    /// it had not ended by then (it is then killed and reaped).
    public static func wait(_ pid: pid_t, deadline: Date) -> Int32 {
        var status: Int32 = 0
        while true {
            let ended = waitpid(pid, &status, WNOHANG)
            if ended == pid { break }
            if ended == -1 && errno != EINTR { return -1 }
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                _ = wait(pid)
                return -1
            }
            usleep(2_000)
        }
        return exitStatus(status)
    }

    /// A status from `waitpid` as a shell reports it: the exit code, or 128 + the signal that ended it.
    public static func exitStatus(_ status: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// This process's open descriptors, from /proc.
    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    /// `environment` added to a minimal PATH and a UTF-8 locale.
    private static func childEnvironment(_ environment: [String: String]) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"].merging(environment) { $1 }
    }

    /// Runs to the end.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try start(executable, arguments, environment: environment, input: input).finish()
    }
}

/// A program that could not be copied or started, with the system's reason.
public struct ProgramFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs blocking work (a child process, a wait) on a thread of its own, so an async test does not
/// hold one of the few threads the cooperative pool has while servers in the same process need them.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
