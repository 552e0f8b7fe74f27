import Foundation
import HelpdeskCore

/// A folder of the demo's own under the temporary directory ($TMPDIR, else /tmp): made new by
/// `mkdtemp`, so no one else has it or may look in it (mode 0700), and removed with all it holds
/// when the demo ends.
struct ThrowawayFolder {
    let path: String

    /// Makes `<temporary directory>/<prefix>XXXXXX`.
    init(prefix: String, environment: ProgramEnvironment) throws(CLIError) {
        let parent = Self.temporaryDirectory(environment)
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            let reason = String(cString: strerror(errno))
            throw .failed("cannot make a folder for the demo's store in \(TextSafety.quoted(parent)) (\(reason)); "
                + "set TMPDIR to a folder you may write in, or keep the store with --db PATH")
        }
        path = String(cString: made)
    }

    /// A path inside the folder.
    func file(_ name: String) -> String { path + "/" + name }

    /// Removes the folder and what it holds; nothing is said if it is already gone.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// $TMPDIR when it names an absolute path, else /tmp.
    private static func temporaryDirectory(_ environment: ProgramEnvironment) -> String {
        guard let value = environment.variable("TMPDIR"), value.hasPrefix("/") else { return "/tmp" }
        return value
    }
}
