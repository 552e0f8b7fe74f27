import Foundation
import HelpdeskSocket

/// Who is running the program: the login of the real user id, as the OS knows it.
enum OSIdentity {
    /// `getpwuid(getuid())`; the effective id and `$USER` are ignored on purpose.
    static func login() throws -> String {
        let uid = getuid()
        guard let login = PeerCredentials.login(of: uid) else {
            throw CLIError.failed("the user id \(uid) has no login in the password database; helpdesk needs a named account")
        }
        return login
    }
}
