import Foundation
import HelpdeskCore

/// A file holding a secret (the API token, the service app's private key): it must belong to the
/// user helpdesk runs as and be readable by nobody else (mode 600 or 400). It is opened once,
/// without following a symbolic link, and checked and read through that one descriptor, so what
/// was checked is what is read. Errors name the file and the fix, never the content.
enum SecretFile {
    static let maxSize = 64 << 10

    static func read(_ path: String, what: String) throws(DirectoryError) -> String {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link; name the file itself" : String(cString: strerror(errno))
            throw DirectoryError(kind: .configuration, summary: "cannot read the \(what) \(path): \(reason)")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw DirectoryError(kind: .configuration, summary: "the \(what) \(path) is not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw DirectoryError(kind: .configuration, summary: "the \(what) \(path) can be read or changed by others (mode \(mode)); run chmod 600 \(path)")
        }
        guard info.st_uid == geteuid() else {
            throw DirectoryError(kind: .configuration, summary: "the \(what) \(path) belongs to another user (uid \(info.st_uid)); it must belong to the user helpdesk runs as: chown that user \(path)")
        }
        guard info.st_size < maxSize else {
            throw DirectoryError(kind: .configuration, summary: "the \(what) \(path) is larger than a secret file can be (\(maxSize / 1024) KiB)")
        }
        var bytes = [UInt8](repeating: 0, count: maxSize)
        var count = 0
        while count < maxSize {
            let read = bytes[count...].withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { break }
            count += read
        }
        defer { for index in 0..<count { bytes[index] = 0 } }
        guard let text = String(bytes: bytes[..<count], encoding: .utf8) else {
            throw DirectoryError(kind: .configuration, summary: "cannot read the \(what) \(path): it is not text")
        }
        return text
    }
}
