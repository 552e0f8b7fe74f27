import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import SQLiteStore
import Testing

/// A helpdesk installed set-group-id: only the system configuration picks paths and secrets, and
/// only its operators get anything done.
@Suite struct SetGroupIDTests {
    var cli = CLIHarness()

    init() throws {
        cli.setGroupID = true
        cli.directory = SimulatedTenant()
        try cli.writeSystemConfiguration(store: cli.folder.file("shared/helpdesk.db"))
    }

    @Test func theSystemConfigurationNamesTheStoreAndFlagsCannotMoveIt() async throws {
        let created = await cli.run(["new", "--requester", "jane@example.com", "--subject", "Lost my phone"], db: false)
        #expect(created.status == 0, "\(created.err)")
        #expect(FileManager.default.fileExists(atPath: cli.folder.file("shared/helpdesk.db")))

        for option in ["--db", "--config"] {
            let moved = await cli.run(["list", option, cli.folder.file("mine")], db: false)
            #expect(moved.status == 2, "\(option)")
            #expect(moved.err.contains("\(option) cannot be used here: this helpdesk runs set-group-id"), "\(moved.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: cli.folder.file("mine")))
    }

    @Test func aPersonalConfigurationIsNotRead() async throws {
        try cli.writeConfiguration(#"{"operators": {"mallory": {"email": "m@example.com", "roles": ["admin"]}}}"#)
        var mallory = cli
        mallory.login = "mallory"
        let result = await mallory.run(["list"], db: false)
        #expect(result.status == 1)
        #expect(result.err.contains("mallory is not an operator in \(cli.systemConfigPath)"))
    }

    @Test func evenReadingNeedsAnOperator() async throws {
        var stranger = cli
        stranger.login = "guest"
        for arguments in [["list"], ["show", "REQ-1"], ["export"]] {
            let result = await stranger.run(arguments, db: false)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.err.contains("guest is not an operator"), "\(arguments)")
        }
    }

    @Test func importsComeOnlyFromStandardInput() async throws {
        let path = cli.folder.file("feed.jsonl")
        try #"{"externalId": "A-1", "requester": "a@example.com", "subject": "Printer"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let fromFile = await cli.run(["import", path], db: false)
        #expect(fromFile.status == 2)
        #expect(fromFile.err.contains("reads imports only from standard input"))
        var piped = cli
        piped.stdin = try Data(contentsOf: URL(fileURLWithPath: path))
        let fromInput = await piped.run(["import", "-"], db: false)
        #expect(fromInput.status == 0, "\(fromInput.err)")
    }

    @Test func pathAndSecretVariablesAreDropped() {
        let trusted = SetGroupID.trusted([
            "HELPDESK_DB": "/tmp/x.db", "HELPDESK_CONFIG": "/tmp/c.json", "OKTA_CLIENT_TOKEN": "00x", "OKTA_CLIENT_ORGURL": "https://evil.example",
            "XDG_CONFIG_HOME": "/tmp", "XDG_DATA_HOME": "/tmp", "TERM": "xterm-256color", "HOME": "/home/alex",
        ])
        #expect(trusted == ["TERM": "xterm-256color", "HOME": "/home/alex"])
    }
}

/// `doctor` on a set-group-id install also checks the shared store's group and modes.
@Suite struct SharedStoreDoctorTests {
    @Test func doctorNamesTheModesThatWouldLockOtherOperatorsOut() async throws {
        var cli = CLIHarness()
        cli.setGroupID = true
        cli.variables = [:]
        let folder = cli.folder.file("shared")
        let store = folder + "/helpdesk.db"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try cli.writeSystemConfiguration(store: store)
        _ = await cli.run(["new", "--requester", "jane@example.com", "--subject", "x"], db: false)
        chmod(folder, 0o755)
        chmod(store, 0o644)
        let locked = await cli.run(["doctor"], db: false)
        #expect(locked.out.contains("✗ store sharing: the folder's mode is 755, not 2770; the file's mode is 644, not 660"), "\(locked.out)")
        #expect(locked.out.contains("fix: chgrp"))
        #expect(locked.status == 1)

        chmod(folder, 0o2770)
        chmod(store, 0o660)
        let shared = await cli.run(["doctor"], db: false)
        #expect(shared.out.contains("✓ store sharing: folder and file belong to group"), "\(shared.out)")
    }
}
