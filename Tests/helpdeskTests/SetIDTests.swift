import Foundation
import HelpdeskTestSupport
@testable import helpdesk
import Testing

/// helpdesk never runs set-user-id or set-group-id: the privilege belongs to the service.
@Suite struct SetIDTests {
    @Test func everyCommandIsRefusedWithThePathToTheServiceInstall() async throws {
        var cli = CLIHarness()
        cli.setID = true
        for arguments in [["list"], ["doctor"], ["demo"], ["serve"], ["--version"], []] {
            let result = await cli.run(arguments, db: false)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.err.contains("refusing to run set-user-id or set-group-id"), "\(arguments)")
            #expect(result.err.contains("install the helpdesk service"), "\(arguments)")
            #expect(result.out.isEmpty)
        }
    }

    /// The real binary, made set-group-id and run by another user: refused before it reads anything.
    @Test func theInstalledBinaryRefusesWhenTheBitIsSet() async throws {
        guard getuid() == 0, let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            print("SetIDTests: skipped (needs root and setpriv to run a set-group-id binary as another user)")
            return
        }
        let folder = TemporaryDirectory("helpdesk-setid")
        chmod(folder.path, 0o755)
        let copy = folder.file("helpdesk")
        try BuiltProducts.copyExecutable("helpdesk", to: copy)
        chown(copy, 0, 4)
        chmod(copy, 0o2755)
        // Another test's child started while the copy was being written may hold it open for a
        // moment (the copy's descriptor is inherited until that child execs): exec then fails
        // with "Text file busy", so it is tried again (on a thread of its own, not the pool's).
        let environment = ["HELPDESK_DB": folder.file("x.db"), "HOME": folder.path]
        let result = try await offPool {
            var result = try ChildProcess.run(URL(fileURLWithPath: setpriv), ["--reuid=65534", "--regid=65534", "--clear-groups", copy, "list"], environment: environment)
            for _ in 0..<50 where result.err.contains("Text file busy") {
                usleep(100_000)
                result = try ChildProcess.run(URL(fileURLWithPath: setpriv), ["--reuid=65534", "--regid=65534", "--clear-groups", copy, "list"], environment: environment)
            }
            return result
        }
        guard result.err.contains("refusing") || result.status != 0 else {
            Issue.record("the set-group-id copy ran: \(result.out)")
            return
        }
        if result.err.contains("Permission denied") || result.err.contains("nosuid") {
            print("SetIDTests: skipped (the temporary folder cannot hold a set-group-id program here)")
            return
        }
        #expect(result.status == 1, "\(result.err)")
        #expect(result.err.contains("refusing to run set-user-id or set-group-id"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("x.db")), "nothing was opened")
    }
}
