import Foundation

/// Who is running the program: the login of the real user id, as the OS knows it.
enum OSIdentity {
    /// `getpwuid(getuid())`; the effective id and `$USER` are ignored on purpose.
    static func login() throws -> String {
        let uid = getuid()
        var record = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let code = getpwuid_r(uid, &record, &buffer, buffer.count, &result)
        guard code == 0, result != nil, let name = record.pw_name else {
            throw CLIError.failed("the user id \(uid) has no login in the password database; helpdesk needs a named account")
        }
        return String(cString: name)
    }
}
