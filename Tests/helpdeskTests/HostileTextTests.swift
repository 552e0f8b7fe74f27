import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import helpdesk
import OktaClient
import SQLiteStore
import Testing

/// Text from Okta, the store and other operators carrying terminal escapes — OSC 52 (write the
/// clipboard), CSI 2J (clear the screen), C1 controls, bidi overrides — reaches the terminal through
/// no command's output: text shows them as visible marks, JSON as `\u` escapes.
@Suite struct HostileTextTests {
    static let osc52 = "\u{1b}]52;c;ZWNobyBwd25lZA==\u{07}"
    static let clear = "\u{1b}[2J\u{1b}[H"
    static let c1 = "\u{9b}31m\u{9d}0;title\u{9c}"
    static let bidi = "\u{202e}gnp.exe\u{202c}"

    var cli = CLIHarness()
    let tenant = SimulatedTenant()

    init() throws {
        try cli.writeConfiguration(CLIHarness.demoConfiguration)
        cli.directory = tenant
    }

    /// No character a terminal acts on: C0 but newline and tab, DEL, C1, bidi and other format characters.
    static func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x0A, 0x09: false
            case 0x00...0x1F, 0x7F...0x9F: true
            default: scalar.properties.generalCategory == .format && scalar.value != 0x200D
            }
        }
    }

    @Test func noCommandPrintsAnEscapeFromOktaTheStoreOrAnotherOperator() async throws {
        await tenant.add(group: DirectoryGroup(id: "00gevil0000000000000", name: "Contractors \(Self.osc52)", type: .okta))
        await tenant.add(group: DirectoryGroup(id: "00gbidi0000000000000", name: "VPN \(Self.bidi)", type: .okta))
        await tenant.add(DirectoryUser(id: "00umallory", login: "mallory@example.com", email: "mallory@example.com", firstName: "Mal\(Self.clear)",
                                       lastName: "Lory\(Self.c1)", status: .active, title: "CEO\(Self.bidi)"))
        _ = await cli.run(["new", "--requester", "mallory@example.com", "--subject", "Open \(Self.bidi) the attachment", "--body", "see \(Self.bidi)"])
        // Another process (an older build, a direct write) put raw escapes on the timeline.
        _ = try SQLiteRequestStore(path: cli.dbPath).write { writer in
            try writer.append(EventDraft(actor: "intake\(Self.clear)", at: cli.clock.now(), payload: .note(text: "raw \(Self.osc52) \(Self.c1)")), to: RequestID(1))
        }
        await tenant.failNext(.suspend, with: DirectoryError(kind: .invalid, httpStatus: 400, errorCode: "E\(Self.clear)", summary: "Denied \(Self.osc52)",
                                                              requestID: "req\(Self.c1)"))
        var outputs: [(String, CLIHarness.Result)] = []
        func run(_ arguments: [String], as login: String = "alex", input: String = "") async {
            var harness = cli
            harness.login = login
            harness.stdin = Data(input.utf8)
            outputs.append((arguments.joined(separator: " "), await harness.run(arguments)))
        }
        await run(["act", "REQ-1", "add-to-group", "--group", "00gevil0000000000000", "--reason", "project \(Self.bidi)"])
        await run(["approve", "REQ-1", "--approval", "APR-1"], as: "morgan")
        await run(["act", "REQ-1", "add-to-group", "--group", "00gbidi0000000000000", "--reason", "again", "--json"])
        await run(["deny", "REQ-1", "--approval", "APR-2", "--reason", "no \(Self.bidi)"], as: "morgan")
        await run(["act", "REQ-1", "suspend", "--reason", "odd"])
        await run(["act", "REQ-1", "suspend", "--reason", "odd", "--json"])
        for arguments in [["list"], ["list", "--json"], ["show", "REQ-1"], ["show", "REQ-1", "--json"], ["export"], ["sweep"], ["reconcile"], ["assign", "REQ-1", "me"]] {
            await run(arguments)
        }
        await run(["import", "-"], input: "{\"externalId\": \"X-\(Self.osc52)\", \"requester\": \"a@example.com\", \"subject\": \"s\", \"nope\(Self.clear)\": 1}\n")

        let statuses = outputs.map { "\($0.0.prefix(40)): \($0.1.status)" }
        #expect(outputs.prefix(6).map(\.1.status) == [0, 0, 0, 0, 1, 0], "\(statuses)")
        for (command, result) in outputs {
            #expect(Self.isClean(result.out), "stdout of \(command): \(result.out.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" })")
            #expect(Self.isClean(result.err), "stderr of \(command)")
        }
        let show = try #require(outputs.first { $0.0 == "show REQ-1" }?.1.out)
        #expect(show.contains("␛]52;c;ZWNobyBwd25lZA==␇"), "the escape is shown, harmlessly")
        #expect(show.contains("Open �gnp.exe� the attachment"))
        let json = try #require(outputs.first { $0.0 == "show REQ-1 --json" }?.1)
        let object = try json.object()
        #expect((object["subject"] as? String) == "Open \(Self.bidi) the attachment", "JSON keeps the exact value, escaped")
        #expect(json.out.contains(#"\u202e"#))
        let failed = try #require(outputs.first { $0.0 == "act REQ-1 suspend --reason odd" }?.1)
        #expect(failed.err.contains("Denied ␛]52;c;"), "\(failed.err)")
        let approved = try #require(outputs.first { $0.0.hasPrefix("approve") }?.1.out)
        #expect(approved.contains("added to Contractors ␛]52;c;"), "Okta's group name, harmless: \(approved)")
    }

    @Test mutating func importedTextWithNULIsRefusedByNameNotCut() async throws {
        cli.stdin = Data(#"{"externalId": "N-1", "requester": "a@example.com", "subject": "Printer\u0000 on fire"}"#.utf8 + Data("\n".utf8))
        let result = await cli.run(["import", "-"])
        #expect(result.status == 1)
        #expect(result.err.contains("line 1: the subject contains a NUL character (U+0000), which text cannot hold; remove it"), "\(result.err)")
        let listed = await cli.run(["list", "--json"])
        #expect((try listed.json() as? [Any])?.isEmpty == true, "nothing was created, so nothing was cut")
    }
}
