import Foundation
import HelpdeskCore

/// The database password, from a file only the store's user can read: opened without following
/// a link, then checked on the open file (owner, mode), so it cannot be swapped in between.
public enum PasswordFile {
    /// Longer than any password.
    static let maxBytes = 4096

    public static func read(_ path: String) throws(StoreError) -> String {
        // Not blocking: a FIFO put there would otherwise hold the service at its start.
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, reason: "the database password file cannot be read (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .cannotOpen(path: path, reason: "the database password file is not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw .cannotOpen(path: path, reason: "the database password file can be read or changed by others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        guard info.st_uid == geteuid() else {
            throw .cannotOpen(path: path, reason: "the database password file belongs to another user (uid \(info.st_uid)); it must belong to the user helpdesk runs as")
        }
        guard info.st_size <= maxBytes else {
            throw .cannotOpen(path: path, reason: "the database password file is larger than a password (\(info.st_size) bytes); it must hold the password alone")
        }
        var bytes = [UInt8](repeating: 0, count: maxBytes + 1)
        let count = Foundation.read(descriptor, &bytes, bytes.count)
        guard count > 0 else { throw .cannotOpen(path: path, reason: "the database password file is empty") }
        guard count <= maxBytes else { throw .cannotOpen(path: path, reason: "the database password file is larger than a password; it must hold the password alone") }
        let password = String(decoding: bytes[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !password.isEmpty, !password.contains("\n"), !password.utf8.contains(0) else {
            throw .cannotOpen(path: path, reason: "the database password file must hold the password alone, on one line")
        }
        return password
    }
}
