import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the Unix-domain socket calls the service and its client share.
enum UnixSocket {
    /// Why a socket call failed, with the system's words.
    struct Failure: Error, CustomStringConvertible {
        let description: String

        init(_ what: String, errno code: Int32 = errno) {
            description = "\(what): \(String(cString: strerror(code)))"
        }
    }

    static func make() throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        return fd
    }

    /// Runs `body` with the address of `path`; a path longer than the kernel allows is refused.
    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else {
            throw Failure("the socket path \(path) is empty or longer than \(capacity - 1) bytes", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    static func setNonBlocking(_ fd: Int32, _ on: Bool = true) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// Connects to the socket at `path`, giving up after `timeout` seconds.
    static func connect(_ path: String, timeout: TimeInterval) throws -> Int32 {
        let fd = try make()
        setNonBlocking(fd)
        let result = try withAddress(path) { Glibc.connect(fd, $0, $1) }
        if result != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EAGAIN else {
                close(fd)
                throw Failure("connect to \(path)", errno: code)
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&descriptor, 1, Int32(timeout * 1000)) == 1 else {
                close(fd)
                throw Failure("connect to \(path)", errno: ETIMEDOUT)
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure != 0 {
                close(fd)
                throw Failure("connect to \(path)", errno: failure)
            }
        }
        setNonBlocking(fd, false)
        return fd
    }

    /// Writes everything within `seconds` in all, waiting while the peer's buffer is full; false
    /// with `errno` set when the peer is gone (`EPIPE`, `ECONNRESET`) or has not taken the whole
    /// frame in time (`EAGAIN`: a peer that reads a trickle is not waited for frame after frame).
    static func writeAll(_ fd: Int32, _ data: Data, within seconds: TimeInterval) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var sent = 0
        while sent < data.count {
            let written = data.withUnsafeBytes { send(fd, $0.baseAddress! + sent, data.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if written >= 0 {
                sent += written
                continue
            }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { return false }
            let left = ContinuousClock.now.duration(to: deadline).components
            let milliseconds = left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000
            guard milliseconds > 0 else {
                errno = EAGAIN
                return false
            }
            var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&ready, 1, Int32(min(milliseconds, Int64(Int32.max)))) < 0, errno != EINTR { return false }
        }
        return true
    }
}

/// Who is on the other end of a Unix socket, as the kernel recorded it at connect (`SO_PEERCRED`).
public struct PeerCredentials: Sendable, Equatable {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// The credentials of the peer of `fd`, or nil when the kernel gives none.
    static func of(_ fd: Int32) -> PeerCredentials? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: Swift does not import it without _GNU_SOURCE.
        var raw: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout<(Int32, UInt32, UInt32)>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &raw, &length) == 0, length == 12 else { return nil }
        return PeerCredentials(pid: raw.0, uid: raw.1, gid: raw.2)
    }

    /// The login of `uid` in the password database, or nil for a uid with no account. A record
    /// larger than the buffer (long group or GECOS fields from a directory) gets a larger one.
    public static func login(of uid: UInt32) -> String? {
        var record = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var size = 4096
        while size <= 1 << 20 {
            var buffer = [CChar](repeating: 0, count: size)
            let code = getpwuid_r(uid, &record, &buffer, buffer.count, &result)
            if code == ERANGE {
                size *= 4
                continue
            }
            guard code == 0, result != nil, let name = record.pw_name else { return nil }
            return String(cString: name)
        }
        return nil
    }
}
