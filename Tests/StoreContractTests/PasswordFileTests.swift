import Foundation
import HelpdeskCore
import HelpdeskTestSupport
import PostgreSQLStore
import Testing

/// The database password file: only a small regular file of this user's, readable by nobody else.
@Suite struct PasswordFileTests {
    let folder = TemporaryDirectory("hd-password-file")

    func file(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
        let path = folder.file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    @Test func aGoodFileGivesThePassword() throws {
        #expect(try PasswordFile.read(try file("good", "s3cret\n")) == "s3cret")
    }

    @Test func aFIFOIsRefusedAtOnceInsteadOfWaitedOn() async throws {
        let path = folder.file("fifo")
        #expect(mkfifo(path, 0o600) == 0)
        let result = try await offPool { () -> String in
            do { return try PasswordFile.read(path) } catch { return "\(error)" }
        }
        #expect(result.contains("not a regular file"), "\(result)")
    }

    @Test func otherFilesAreRefusedWithTheReason() throws {
        #expect(throws: StoreError.self) { try PasswordFile.read(try file("open", "s3cret", mode: 0o644)) }
        #expect(throws: StoreError.self) { try PasswordFile.read(try file("big", String(repeating: "x", count: 5_000))) }
        #expect(throws: StoreError.self) { try PasswordFile.read(try file("two", "s3cret\nmore")) }
        #expect(throws: StoreError.self) { try PasswordFile.read(try file("empty", "")) }
        let link = folder.file("link")
        symlink(try file("target", "s3cret"), link)
        #expect(throws: StoreError.self) { try PasswordFile.read(link) }
    }
}
