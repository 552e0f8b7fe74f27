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
}

/// A child process with captured output.
public struct ChildProcess {
    public let process: Process
    public let output: Pipe
    public let errors: Pipe

    /// Starts `executable` with `arguments` and `environment` (added to a minimal PATH and HOME).
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> ChildProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var variables = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        variables.merge(environment) { $1 }
        process.environment = variables
        let output = Pipe()
        let errors = Pipe()
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

    /// Runs to the end.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> (status: Int32, out: String, err: String) {
        try start(executable, arguments, environment: environment, input: input).finish()
    }
}
