import Foundation
import HelpdeskCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `helpdesk serve`'s listener: a Unix socket whose clients are known by the kernel's peer
/// credentials. One IO thread reads and writes every connection without blocking; each request
/// runs as its own task on the client's service, so a slow, stopped or flooding client holds up
/// nobody else, and an action a client started is finished and recorded even if it goes away.
public final class SocketServer: Sendable {
    /// The service for a peer, or the refusal every request from it gets.
    public typealias Identify = @Sendable (PeerCredentials) -> Result<any HelpdeskService, ServiceError>

    public let path: String
    let limits: ServerLimits
    private let identify: Identify
    private let log: @Sendable (String) -> Void
    private let control = Mutex(Control())
    private let handlers = Mutex(0)
    /// Each user's requests take turns (`ServerLimits.maxRunningPerUser`).
    let turns: TurnsPerUser
    /// When each uid was last logged about, and how many lines about it were held back since.
    private let quiet = Mutex<[UInt32: (at: Date, held: Int)]>([:])

    struct Control {
        var listener: Int32 = -1
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
        var running = false
        var finished = false
    }

    public init(path: String, limits: ServerLimits = ServerLimits(), identify: @escaping Identify, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.path = path
        self.limits = limits
        turns = TurnsPerUser(limit: limits.maxRunningPerUser)
        self.identify = identify
        self.log = log
    }

    /// Binds the socket with `mode` (and `group`, when given) and starts serving. Refuses to
    /// take over a path where another service answers, that is not a socket, or that belongs to
    /// another user. The socket is created with its mode (through the umask), and its group set
    /// without following links, so nothing at the path can be swapped in between.
    public func start(mode: mode_t = 0o660, group: gid_t? = nil) throws {
        try Self.clearStale(path)
        turns.open()
        let listener = try UnixSocket.make()
        let previous = umask(0o777 & ~mode)
        let bound = try UnixSocket.withAddress(path, { bind(listener, $0, $1) })
        umask(previous)
        guard bound == 0 else {
            let failure = UnixSocket.Failure("bind \(path)")
            close(listener)
            throw failure
        }
        if let group, lchown(path, uid_t.max, group) != 0 {
            let failure = UnixSocket.Failure("chgrp of \(path)")
            close(listener)
            unlink(path)
            throw failure
        }
        guard listen(listener, 128) == 0 else {
            let failure = UnixSocket.Failure("listen on \(path)")
            close(listener)
            unlink(path)
            throw failure
        }
        UnixSocket.setNonBlocking(listener)
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(listener)
            unlink(path)
            throw UnixSocket.Failure("pipe")
        }
        for fd in pipeFDs {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            UnixSocket.setNonBlocking(fd)
        }
        let wakeRead = pipeFDs[0]
        let thread = Thread { [self] in
            var loop = EventLoop(server: self, listener: listener, wake: wakeRead)
            loop.run()
            control.withLock { $0.finished = true }
        }
        thread.name = "helpdesk-socket"
        control.withLock { control in
            control.listener = listener
            control.wakeRead = pipeFDs[0]
            control.wakeWrite = pipeFDs[1]
            control.running = true
        }
        thread.start()
    }

    /// Stops accepting, waits up to `grace` seconds for requests still running (an action in
    /// Okta is finished and recorded), then closes every connection.
    public func stop(grace: TimeInterval = 30) async {
        let listener = control.withLock { control -> Int32 in
            defer { control.listener = -1 }
            return control.listener
        }
        guard listener >= 0 else { return }
        unlink(path)
        turns.close()
        let deadline = Date().addingTimeInterval(grace)
        while handlers.withLock({ $0 }) > 0, Date() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        control.withLock { $0.running = false }
        wake()
        while !control.withLock({ $0.finished }) { try? await Task.sleep(nanoseconds: 5_000_000) }
        control.withLock { control in
            close(control.wakeRead)
            close(control.wakeWrite)
            control.wakeRead = -1
            control.wakeWrite = -1
        }
    }

    /// Requests running now.
    public var activeRequests: Int { handlers.withLock { $0 } }

    var isRunning: Bool { control.withLock { $0.running } }
    var isAccepting: Bool { control.withLock { $0.listener >= 0 } }

    /// Wakes the IO thread. The write happens under the lock that closes the pipe, so a task
    /// finishing after `stop` never writes to a closed (or reused) descriptor.
    func wake() {
        control.withLock { control in
            guard control.wakeWrite >= 0 else { return }
            var byte: UInt8 = 1
            _ = write(control.wakeWrite, &byte, 1)
        }
    }

    func identify(_ credentials: PeerCredentials) -> Result<any HelpdeskService, ServiceError> { identify(credentials) }
    func note(_ line: String) { log(line) }

    /// Logs a line about a uid's refused or dropped connection at most once per quiet period, so a
    /// user who connects in a loop cannot flood the log (and push real lines past its rate limit).
    func noteRefusal(_ uid: UInt32, _ line: String) {
        let now = Date()
        let held = quiet.withLock { quiet -> Int? in
            if let last = quiet[uid], now.timeIntervalSince(last.at) < limits.logQuietPeriod {
                quiet[uid]?.held += 1
                return nil
            }
            defer { quiet[uid] = (now, 0) }
            if quiet.count > 4_096 { quiet = quiet.filter { now.timeIntervalSince($0.value.at) < limits.logQuietPeriod } }
            return quiet[uid]?.held ?? 0
        }
        guard let held else { return }
        log(line + (held > 0 ? " (and \(held) more like it held back)" : ""))
    }

    func handlerStarted() { handlers.withLock { $0 += 1 } }
    func handlerFinished() { handlers.withLock { $0 -= 1 } }

    /// A socket left by a service that died is removed; a live one, or anything else, is not.
    private static func clearStale(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw UnixSocket.Failure("\(path) exists and is not a socket; move it away", errno: EEXIST)
        }
        guard info.st_uid == geteuid() else {
            throw UnixSocket.Failure("\(path) is a socket of uid \(info.st_uid), not of this service's user; remove it (and check who made it)", errno: EEXIST)
        }
        if let fd = try? UnixSocket.connect(path, timeout: 1) {
            close(fd)
            throw UnixSocket.Failure("another helpdesk service is already listening on \(path)", errno: EADDRINUSE)
        }
        unlink(path)
    }
}
