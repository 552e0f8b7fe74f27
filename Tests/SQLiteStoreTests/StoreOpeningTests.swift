import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import SQLiteStore
import Testing

@Suite struct StoreOpeningTests {
    let folder = TemporaryDirectory()

    @Test func aLibraryOlderThanTheStatementsNeedIsNamed() throws {
        let problem = try #require(SQLiteRequestStore.libraryProblem(versionNumber: 3_034_001, version: "3.34.1"))
        #expect(problem.contains("SQLite 3.35 or newer") && problem.contains("3.34.1"))
        #expect(SQLiteRequestStore.libraryProblem(versionNumber: 3_035_000, version: "3.35.0") == nil)
    }

    @Test func createsTheFileAndItsMissingFolderAtTheLatestSchema() throws {
        let path = folder.file("deep/er/helpdesk.db")
        let store = try SQLiteRequestStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.schemaVersion() == SQLiteRequestStore.latestSchemaVersion)
        let journal = try SQLiteConnection(path: path).query("PRAGMA journal_mode") { $0.text(0) }
        #expect(journal == ["wal"])
    }

    @Test func theMoveToOnePendingApprovalSupersedesAnOlderDuplicate() throws {
        let path = folder.file("v6.db")
        let old = try SQLiteRequestStore(path: path, migratingTo: 6)
        let request = try old.create(Fixtures.newRequest(), by: "alex", at: Date())
        let ask = NewApproval(requestID: request.id, action: .resetMFA, reason: "lost phone", requestedBy: "alex", requestedAt: Date(),
                              expiresAt: Date().addingTimeInterval(3600), approvers: [EligibleApprover(login: "morgan", basis: .policy)])
        let first = try old.write { try $0.insertApproval(ask) }
        let second = try old.write { try $0.insertApproval(ask) }

        let store = try SQLiteRequestStore(path: path)
        let approvals = try store.read { try $0.approvals(of: request.id) }
        #expect(approvals.first { $0.id == first.id }?.state == .superseded)
        #expect(approvals.first { $0.id == second.id }?.state == .pending)
        #expect(throws: StoreError.self) { _ = try store.write { try $0.insertApproval(ask) } }
    }

    @Test func migratesEveryEarlierSchemaKeepingItsData() throws {
        for version in 1..<SQLiteRequestStore.latestSchemaVersion {
            let path = folder.file("v\(version).db")
            let old = try SQLiteRequestStore(path: path, migratingTo: version)
            let created = try old.create(Fixtures.newRequest("From version \(version)"), by: "alex", at: Date())
            #expect(try old.schemaVersion() == version)

            let store = try SQLiteRequestStore(path: path)
            #expect(try store.schemaVersion() == SQLiteRequestStore.latestSchemaVersion)
            let reread = try store.existingRequest(created.id)
            #expect(reread == created)
            #expect(try store.read { try $0.timeline(of: created.id) }.map(\.kind) == [.created])
            let next = try store.create(Fixtures.newRequest("After migration"), by: "alex", at: Date())
            #expect(next.id.number == created.id.number + 1)
        }
    }

    @Test func theWordIndexMergesEightSegmentsAtATimeInNewStoresAndOlderOnes() throws {
        let path = folder.file("automerge.db")
        func automerge() throws -> Int64? {
            try SQLiteConnection(path: path).scalar("SELECT v FROM requests_fts_config WHERE k = 'automerge'")
        }
        _ = try SQLiteRequestStore(path: path)
        #expect(try automerge() == 8)
        // A store written by a build before the setting holds none (FTS5's four).
        try SQLiteConnection(path: path).execute("DELETE FROM requests_fts_config WHERE k = 'automerge'")
        #expect(try automerge() == nil)
        let reopened = try SQLiteRequestStore(path: path)
        #expect(try automerge() == 8)
        #expect(try reopened.schemaVersion() == 8)
    }

    @Test func anOpenDoesNotWaitForAnotherWritersLockToSetTheWordIndexsMerging() throws {
        let path = folder.file("automerge-busy.db")
        _ = try SQLiteRequestStore(path: path)
        let other = try SQLiteConnection(path: path)
        try other.execute("DELETE FROM requests_fts_config WHERE k = 'automerge'")
        try other.execute("BEGIN IMMEDIATE")
        let started = Date()
        _ = try SQLiteRequestStore(path: path)
        #expect(Date().timeIntervalSince(started) < 5, "the open waited for the other writer")
        try other.execute("COMMIT")
        #expect(try other.scalar("SELECT v FROM requests_fts_config WHERE k = 'automerge'") == nil)
        _ = try SQLiteRequestStore(path: path)
        #expect(try other.scalar("SELECT v FROM requests_fts_config WHERE k = 'automerge'") == 8)
    }

    @Test func refusesAFileThatIsNotADatabaseAndLeavesItUntouched() throws {
        let path = folder.file("notes.txt")
        let content = Data("these are my notes, not a database\n".utf8) + Data((0..<4096).map { UInt8($0 % 251) })
        try content.write(to: URL(fileURLWithPath: path))

        #expect(throws: StoreError.notADatabase(path: path)) { try SQLiteRequestStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(StoreError.notADatabase(path: path).description.contains(path))
    }

    @Test func refusesACorruptDatabaseBodyUntouched() throws {
        let path = folder.file("corrupt.db")
        _ = try SQLiteRequestStore(path: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        guard bytes.count > 200 else { return }
        // Keep the magic header but wreck the page size and the schema page.
        for index in 16..<min(bytes.count, 4096) { bytes[index] = 0xEE }
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        try bytes.write(to: URL(fileURLWithPath: path))

        #expect(throws: StoreError.self) { try SQLiteRequestStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func refusesASchemaNewerThanThisBuildUntouched() throws {
        let path = folder.file("future.db")
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute("CREATE TABLE future (x); PRAGMA user_version = 99;")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        #expect(throws: StoreError.newerSchema(path: path, found: 99, supported: SQLiteRequestStore.latestSchemaVersion)) {
            try SQLiteRequestStore(path: path)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func saysSoWhenTheStoreIsReadOnly() throws {
        let path = folder.file("ro.db")
        _ = try SQLiteRequestStore(path: path)
        // SQLite's URI form opens read-only for every user, root included.
        let uri = "file:\(path)?mode=ro"
        #expect(throws: StoreError.readOnly(path: uri)) { try SQLiteRequestStore(path: uri) }
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/file:" + folder.path), "the URI made no folder")
        if geteuid() != 0 {
            chmod(path, 0o444)
            #expect(throws: StoreError.readOnly(path: path)) { try SQLiteRequestStore(path: path) }
        }
        #expect(StoreError.readOnly(path: path).description.contains("read-only"))
    }

    @Test(.enabled(if: geteuid() != 0, "root reads every file; run as an ordinary user"))
    func aStoreThisUserMayNotReadIsNamedSoNotReadOnly() throws {
        let path = folder.file("private.db")
        _ = try SQLiteRequestStore(path: path)
        chmod(path, 0)
        defer { chmod(path, 0o600) }
        #expect(throws: StoreError.cannotOpen(path: path, reason: "this user may not read it; ask an admin to add you to the store's group or fix the file's mode")) {
            try SQLiteRequestStore(path: path)
        }
    }

    @Test func processesCreatingOneStoreAtOnceEachOpenIt() async throws {
        for round in 0..<20 {
            let path = folder.file("fresh-\(round).db")
            let opened = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    // A connection and a thread each, as processes would have.
                    group.addTask { try await offPool { try SQLiteRequestStore(path: path).schemaVersion() } }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(opened == Array(repeating: SQLiteRequestStore.latestSchemaVersion, count: 3))
        }
    }

    @Test func refusesWhatIsNotARegularFileAndWritesNothingBesideIt() throws {
        let fifo = folder.file("pipe.db")
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, "/dev/null", "/dev/zero"] {
            #expect(throws: StoreError.cannotOpen(path: path, reason: "it is not a file but a device, a pipe or a socket; name a store file")) {
                try SQLiteRequestStore(path: path)
            }
            #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    @Test func aStoreCutShortIsNamedDamagedNotForeign() throws {
        let path = folder.file("cut.db")
        do {
            // The last connection to close writes the log into the file.
            let store = try SQLiteRequestStore(path: path)
            for index in 0..<400 { _ = try store.create(Fixtures.newRequest("request \(index)", body: String(repeating: "x", count: 500)), by: "alex", at: Date()) }
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = folder.file("cut-copy.db")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect {
            try SQLiteRequestStore(path: cut).read { try $0.count(.all) }
        } throws: { error in
            "\(error)".contains("is damaged") && "\(error)".contains("restore it from a backup")
        }
    }

    @Test(.enabled(if: geteuid() != 0, "root searches every folder; run as an ordinary user"))
    func aStoreInAFolderClosedToThisUserIsNamedSo() throws {
        let closed = folder.file("closed")
        let path = closed + "/helpdesk.db"
        try FileManager.default.createDirectory(atPath: closed, withIntermediateDirectories: true)
        _ = try SQLiteRequestStore(path: path)
        chmod(closed, 0)
        defer { chmod(closed, 0o700) }
        #expect(throws: StoreError.cannotOpen(path: path, reason: "a folder on its path is closed to this user; ask an admin to add you to the store's group")) {
            try SQLiteRequestStore(path: path)
        }
    }

    @Test func aFolderThatCannotBeCreatedIsAClearError() throws {
        let blocker = folder.file("file-in-the-way")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        #expect {
            try SQLiteRequestStore(path: blocker + "/sub/helpdesk.db")
        } throws: { error in
            "\(error)".contains("could not create the folder")
        }
    }
}

@Suite struct StoreFileModeTests {
    @Test func aNewStoreFileFollowsTheUmaskSoAGroupCanShareIt() throws {
        let folder = TemporaryDirectory()
        let old = umask(0o007)
        defer { umask(old) }
        let path = folder.file("shared.db")
        let store = try SQLiteRequestStore(path: path)
        _ = try store.create(Fixtures.newRequest(), by: "alex", at: Date())
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            var info = stat()
            stat(file, &info)
            #expect(info.st_mode & 0o777 == 0o660, "\(file)")
        }
    }
}
