import Foundation
import HelpdeskCore

/// `helpdesk assign`, `resolve` and `reopen`: an agent's work on a request besides Okta actions.
enum WorkCommands {
    static let assign = CommandSpec(
        name: "assign",
        summary: "assign a request to an operator (me for yourself, none to unassign)",
        synopsis: "REQ LOGIN|me|none [--json]",
        options: [.json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "REQ", help: "the request"), ArgumentSpec(name: "LOGIN", help: "an operator's login, me, or none")]
    ) { invocation in
        try await change(invocation) { service, id in
            let target = invocation.arguments.positional(1) ?? ""
            let login: String? = switch target {
            case "me": try await service.session().operator.login
            case "none": nil
            default: target
            }
            return try await service.assign(id, to: login, expectedVersion: nil)
        } describe: { request in
            request.assignee.map { "\(request.id) is assigned to \($0)." } ?? "\(request.id) is unassigned."
        }
    }

    static let resolve = CommandSpec(
        name: "resolve",
        summary: "resolve a request, with an optional note",
        synopsis: "REQ [--note TEXT] [--json]",
        options: [.value("note", "TEXT", "what was done, for the timeline"), .json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "REQ", help: "the request")]
    ) { invocation in
        try await change(invocation) { service, id in
            try await service.resolve(id, note: invocation.arguments.value("note"), expectedVersion: nil)
        } describe: { "\($0.id) is resolved." }
    }

    static let reopen = CommandSpec(
        name: "reopen",
        summary: "reopen a resolved or closed request",
        synopsis: "REQ [--json]",
        options: [.json, .db, .config, .socket],
        arguments: [ArgumentSpec(name: "REQ", help: "the request")]
    ) { invocation in
        try await change(invocation) { service, id in
            try await service.reopen(id)
        } describe: { "\($0.id) is open again." }
    }

    private static func change(_ invocation: Invocation, _ body: (any HelpdeskService, RequestID) async throws -> Request, describe: (Request) -> String) async throws -> Int32 {
        let id = try invocation.requestID(at: 0)
        let request = try await body(try invocation.service(), id)
        if invocation.wantsJSON {
            try invocation.printJSON(RequestJSON(request: request))
        } else {
            invocation.out.line(describe(request))
        }
        return ExitCode.success
    }
}
