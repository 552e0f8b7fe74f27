import Foundation

/// This process as written on each action run (`host:pid`), and whether another run's process lives.
enum ProcessIdentity {
    static var current: String { "\(hostName):\(getpid())" }

    /// True or false for a process on this host; nil for another host's.
    static func isAlive(_ runner: String) -> Bool? {
        guard let colon = runner.lastIndex(of: ":"), String(runner[..<colon]) == hostName, let pid = pid_t(runner[runner.index(after: colon)...]) else {
            return nil
        }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    private static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
