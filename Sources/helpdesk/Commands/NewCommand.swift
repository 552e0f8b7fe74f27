import HelpdeskCore

/// `helpdesk new`: records a request and its "created" event.
enum NewCommand {
    static let spec = CommandSpec(
        name: "new",
        summary: "record a new request",
        synopsis: "--requester EMAIL --subject TEXT [--body TEXT] [--category C] [--priority P] [--json]",
        options: [
            .value("requester", "EMAIL", "the requester's email (how Okta finds their account)"),
            .value("subject", "TEXT", "what they need, in a few words"),
            .value("body", "TEXT", "the full text of the request"),
            .value("category", "C", "a short word: mfa, access, lockout, password, onboarding, offboarding… (default general)"),
            .value("priority", "P", "low, normal, high or urgent (default normal)"),
            .json, .db, .config, .socket,
        ],
        discussion: "Prints the new request's id, or with --json the request as a JSON object."
    ) { invocation in
        let (requesterText, subject) = (try invocation.required("requester"), try invocation.required("subject"))
        // An address or priority that does not parse is a usage mistake; what the text says is checked as a note's is (refused).
        let (requester, priority) = try invocation.parsing { (try EmailAddress(requesterText), try invocation.arguments.value("priority").map(Priority.parse) ?? .normal) }
        let new = try NewRequest(
            requester: requester,
            subject: subject,
            body: invocation.arguments.value("body") ?? "",
            category: invocation.arguments.value("category"),
            priority: priority
        )
        let request = try await invocation.service().create(new)
        if invocation.wantsJSON {
            try invocation.printJSON(RequestJSON(request: request))
        } else {
            invocation.out.line("Created \(request.id) for \(request.requester): \(TextSafety.quoted(request.subject, limit: 200))")
        }
        return ExitCode.success
    }
}
