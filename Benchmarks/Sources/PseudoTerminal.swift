import Foundation
import Glibc
import Synchronization

/// A program running on a pseudo-terminal of its own (forkpty), seen from outside as a person's
/// terminal sees it: keys are written to it, and everything it writes is read on a thread of its own
/// and kept with the monotonic time it arrived.
final class PseudoTerminal: @unchecked Sendable {
    /// Bytes the program wrote, with the time (nanoseconds, monotonic) they were read.
    struct Chunk: Sendable {
        let time: UInt64
        let bytes: [UInt8]
    }

    let pid: pid_t
    let startedAt: UInt64
    private let master: Int32
    private let log = ChunkLog()
    private let reader: Thread

    /// Starts `executable` with `arguments` and exactly `environment`, on a terminal of `columns` x `rows`.
    init(_ executable: String, _ arguments: [String], environment: [String: String], columns: Int, rows: Int) throws {
        let path = strdup(executable)!
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            free(path)
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        var master: Int32 = -1
        let started = Self.now()
        let pid = forkpty(&master, nil, nil, &size)
        if pid == 0 {
            // The child: nothing but exec (the parent has threads; only async-signal-safe calls here).
            execve(path, argv, envp)
            _exit(127)
        }
        guard pid > 0 else { throw BenchmarkFailure("forkpty failed: errno \(errno)") }
        self.pid = pid
        self.master = master
        self.startedAt = started
        let log = self.log
        let descriptor = master
        reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 {
                    if count < 0 && errno == EINTR { continue }
                    return
                }
                let time = PseudoTerminal.now()
                log.chunks.withLock { $0.append(Chunk(time: time, bytes: Array(buffer[0..<count]))) }
            }
        }
        reader.stackSize = 1 << 20
        reader.start()
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Writes `bytes` as typed keys and returns the time just before writing.
    @discardableResult
    func send(_ bytes: [UInt8]) -> UInt64 {
        let time = Self.now()
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        return time
    }

    /// Every chunk read so far.
    var received: [Chunk] { log.chunks.withLock { $0 } }

    /// The number of chunks read so far.
    var receivedCount: Int { log.chunks.withLock { $0.count } }

    /// Waits until nothing has arrived for `quiet` seconds (at most `limit` seconds).
    func waitForQuiet(_ quiet: Double = 0.3, limit: Double = 20) {
        let deadline = Self.now() + UInt64(limit * 1e9)
        let start = Self.now()
        while Self.now() < deadline {
            let last = log.chunks.withLock { $0.last?.time } ?? start
            let since = Self.now() - max(last, start)
            if Double(since) / 1e9 >= quiet { return }
            usleep(5_000)
        }
    }

    /// Waits until `condition` holds for the chunks read so far (at most `limit` seconds).
    func wait(limit: Double = 20, until condition: ([Chunk]) -> Bool) -> Bool {
        let deadline = Self.now() + UInt64(limit * 1e9)
        while Self.now() < deadline {
            if log.chunks.withLock({ condition($0) }) { return true }
            usleep(1_000)
        }
        return false
    }

    /// Resident memory now and at its peak, from /proc (KiB).
    var memory: (resident: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Ends the program (SIGTERM, then SIGKILL) and reaps it.
    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid { close(master); return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        close(master)
    }
}

/// The chunks read from the terminal, shared with the reading thread.
private final class ChunkLog: Sendable {
    let chunks = Mutex<[PseudoTerminal.Chunk]>([])
}
