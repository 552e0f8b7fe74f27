import Foundation
import HelpdeskCore

/// A file holding a secret (the API token, the service app's private key): it must belong to the
/// user helpdesk runs as and be readable by nobody else (mode 600 or 400). Errors name the file and
/// the fix, never the content.
enum SecretFile {
    static func read(_ path: String, what: String) throws(DirectoryError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DirectoryError(kind: .configuration, summary: "cannot read the \(what) \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw DirectoryError(kind: .configuration, summary: "the \(what) \(path) can be read or changed by others (mode \(mode)); run chmod 600 \(path)")
        }
        guard info.st_uid == geteuid() else {
            throw DirectoryError(kind: .configuration, summary: "the \(what) \(path) belongs to another user (uid \(info.st_uid)); it must belong to the user helpdesk runs as: chown that user \(path)")
        }
        guard info.st_size < 64 << 10, let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DirectoryError(kind: .configuration, summary: "cannot read the \(what) \(path)")
        }
        return text
    }
}
