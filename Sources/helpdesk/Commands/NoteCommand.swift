import HelpdeskCore

/// `helpdesk note REQ TEXT`: adds a note to a request's timeline.
enum NoteCommand {
    static let maxLength = 5_000

    static let spec = CommandSpec(
        name: "note",
        summary: "add a note to a request's timeline",
        synopsis: "REQ TEXT [--json]",
        options: [.json, .db],
        arguments: [
            ArgumentSpec(name: "REQ", help: "the request, e.g. REQ-12"),
            ArgumentSpec(name: "TEXT", help: "the note; the rest of the line", rest: true),
        ]
    ) { invocation in
        let id = try invocation.requestID(at: 0)
        let text = (invocation.arguments.positional(1) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ValidationError("the note is empty") }
        guard text.count <= maxLength else { throw ValidationError("the note is \(text.count) characters; the limit is \(maxLength)") }
        let login = try invocation.environment.login()
        let store = try invocation.openStore()
        let event = try store.write { writer in
            _ = try writer.existingRequest(id)
            return try writer.append(EventDraft(actor: login, at: invocation.now, payload: .note(text: text)), to: id)
        }
        if invocation.wantsJSON {
            try invocation.printJSON(try EventJSON(event))
        } else {
            invocation.out.line("Noted on \(id).")
        }
        return ExitCode.success
    }
}
