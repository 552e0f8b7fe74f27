import HelpdeskCore

/// `helpdesk note REQ TEXT`: adds a note to a request's timeline.
enum NoteCommand {
    static let spec = CommandSpec(
        name: "note",
        summary: "add a note to a request's timeline",
        synopsis: "REQ TEXT [--json]",
        options: [.json, .db, .config, .socket],
        arguments: [
            ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12"),
            ArgumentSpec(name: "TEXT", help: "the note; the rest of the line", rest: true),
        ]
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let event = try await invocation.service().note(id, invocation.arguments.positional(1) ?? "")
        if invocation.wantsJSON {
            try invocation.printJSON(try EventJSON(event))
        } else {
            invocation.out.line("Noted on \(id).")
        }
        return ExitCode.success
    }
}
