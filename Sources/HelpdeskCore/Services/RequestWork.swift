import Foundation

/// An agent's work on a request other than Okta actions: assign, note, change status, resolve,
/// reopen. Each change names the version it was based on (or takes the current one) and lands
/// on the timeline with its author.
public struct RequestWork: Sendable {
    public let store: any RequestStore
    public let clock: any Clock
    public let team: Team

    public init(store: any RequestStore, clock: any Clock, team: Team) {
        self.store = store
        self.clock = clock
        self.team = team
    }

    public static let maxNoteLength = 5_000

    /// Assigns to `login` (or unassigns with nil).
    @discardableResult
    public func assign(_ id: RequestID, to login: String?, by actor: Operator, expectedVersion: Int? = nil) throws -> Request {
        try requireAgent(actor, "assign requests")
        if let login, login != actor.login { try checkAssignee(login) }
        return try change(id, expectedVersion: expectedVersion, by: actor, change: RequestChange(assignee: .some(login))) { request in
            request.assignee == login ? nil : .assigned(to: login)
        }
    }

    /// Requests go to agents: with a configuration, an operator it names with the agent role
    /// (as the console's list offers); without one, any OS login. (Taking one oneself needs no
    /// check: the login is the system's, and the agent role was checked.)
    private func checkAssignee(_ login: String) throws {
        guard Operator.isLogin(login) else {
            throw Refusal("\"\(TextSafety.quoted(login, limit: 64))\" is not a login (1–64 letters, digits, . _ - @); give an operator's login, or none to unassign")
        }
        guard !team.operators.isEmpty else { return }
        guard let member = team.member(login) else {
            throw Refusal("\(login) is not an operator in the configuration, so cannot be assigned requests")
        }
        guard member.canAct else { throw Refusal("\(login) has no agent role, so cannot be assigned requests") }
    }

    @discardableResult
    public func note(_ id: RequestID, _ text: String, by actor: Operator) throws -> TimelineEvent {
        let text = try Self.noteText(text)
        return try store.write { writer in
            _ = try writer.existingRequest(id)
            return try writer.append(EventDraft(actor: actor.login, at: clock.now(), payload: .note(text: text)), to: id)
        }
    }

    /// Sets the status; awaiting approval is the engine's to set.
    @discardableResult
    public func setStatus(_ id: RequestID, to status: RequestStatus, note: String? = nil, by actor: Operator, expectedVersion: Int? = nil) throws -> Request {
        try requireAgent(actor, "change the status of requests")
        guard status != .awaitingApproval else {
            throw Refusal("a request waits for approval when an action is asked for; ask for the action instead")
        }
        let note = try note.map(Self.noteText)
        return try store.write { writer in
            let request = try writer.existingRequest(id)
            if status == .resolved || status == .closed {
                let pending = try writer.approvals(of: id).filter { $0.state == .pending }
                if let first = pending.first {
                    throw Refusal("\(id) has a pending approval (\(first.id)); it must be decided, withdrawn by \(first.requestedBy) who asked, or left to expire before resolving")
                }
            }
            guard request.status != status else { throw Refusal("\(id) is already \(status.rawValue)") }
            let version = expectedVersion ?? request.version
            let changed = try writer.update(id, expectedVersion: version, change: RequestChange(status: status), at: clock.now())
            try writer.append(EventDraft(actor: actor.login, at: clock.now(), payload: .statusChanged(from: request.status, to: status, note: note)), to: id)
            return changed
        }
    }

    @discardableResult
    public func resolve(_ id: RequestID, note: String?, by actor: Operator, expectedVersion: Int? = nil) throws -> Request {
        try setStatus(id, to: .resolved, note: note, by: actor, expectedVersion: expectedVersion)
    }

    @discardableResult
    public func reopen(_ id: RequestID, by actor: Operator, expectedVersion: Int? = nil) throws -> Request {
        let request = try store.existingRequest(id)
        guard !request.status.isActive else { throw Refusal("\(id) is \(request.status.rawValue), not resolved or closed") }
        return try setStatus(id, to: .open, by: actor, expectedVersion: expectedVersion)
    }

    private func change(_ id: RequestID, expectedVersion: Int?, by actor: Operator, change: RequestChange, event: (Request) -> EventPayload?) throws -> Request {
        try store.write { writer in
            let request = try writer.existingRequest(id)
            guard let payload = event(request) else { return request }
            let changed = try writer.update(id, expectedVersion: expectedVersion ?? request.version, change: change, at: clock.now())
            try writer.append(EventDraft(actor: actor.login, at: clock.now(), payload: payload), to: id)
            return changed
        }
    }

    private func requireAgent(_ actor: Operator, _ what: String) throws {
        guard actor.canAct else { throw Refusal("\(actor.login) has no agent role, so cannot \(what)") }
    }

    static func noteText(_ text: String) throws -> String {
        try PlainText.check(text, "the note", atMostBytes: maxNoteLength * 4)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Refusal("the note is empty") }
        try PlainText.check(trimmed, "the note", lines: true)
        guard trimmed.count <= maxNoteLength else { throw Refusal("the note is \(trimmed.count) characters; the limit is \(maxNoteLength)") }
        return trimmed
    }
}
