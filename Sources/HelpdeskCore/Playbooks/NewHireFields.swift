import Foundation

/// The fields an agent gives for a new hire, checked into the profile the plan creates: first
/// and last name (required), login (an email; default the requester's), the manager (by email,
/// looked up in Okta) and the department. Every mistake is one sentence naming the field.
struct NewHireFields {
    let directory: any IdentityDirectory
    /// The operators: an agent may not name another agent the manager (a manager may approve for their reports).
    let team: Team

    func profile(_ fields: [String: String], email: EmailAddress) async throws -> NewUserProfile {
        if let unknown = fields.keys.sorted().first(where: { !NewUserProfile.fieldNames.contains($0) }) {
            throw Refusal("\"\(TextSafety.quoted(unknown))\" is not a field of a new hire (expected \(NewUserProfile.fieldNames.joined(separator: ", ")))")
        }
        let first = try name(fields["firstName"], "firstName")
        let last = try name(fields["lastName"], "lastName")
        var login = email.value
        if let given = fields["login"]?.trimmingCharacters(in: .whitespaces), !given.isEmpty {
            do { login = try EmailAddress(given).value } catch {
                throw Refusal("the login \"\(TextSafety.quoted(given))\" is not an email address, as Okta's logins are")
            }
        }
        var managerID: String?
        var managerEmail: String?
        if let manager = fields["manager"]?.trimmingCharacters(in: .whitespaces), !manager.isEmpty {
            let address: EmailAddress
            do { address = try EmailAddress(manager) } catch {
                throw Refusal("the manager \"\(TextSafety.quoted(manager))\" is not an email address")
            }
            if let member = team.operators.values.first(where: { $0.email?.matches(address.value) == true }), member.canAct, !member.isApprover {
                throw Refusal("\(member.login) is an agent without the approver role and cannot be named the manager here: a manager may approve for their reports. "
                    + "If it is right, an admin sets it in Okta")
            }
            do {
                managerID = try await directory.user(.email(address)).id
                managerEmail = address.value
            } catch let error as DirectoryError where error.kind == .notFound {
                throw Refusal("Okta has no user with the email \(address) to be the manager")
            }
        }
        let department = try fields["department"].map { try text($0, "department") }.flatMap { $0.isEmpty ? nil : $0 }
        do {
            let taken = try await directory.user(.login(login))
            throw Refusal("the login \(login) is already the Okta account of \(taken.displayName) (\(taken.id), \(taken.email)); give the new hire another login")
        } catch let error as DirectoryError where error.kind == .notFound {}
        return NewUserProfile(firstName: first, lastName: last, email: email, login: login, managerID: managerID, manager: managerEmail, department: department)
    }

    private func name(_ value: String?, _ field: String) throws -> String {
        let text = try text(value ?? "", field)
        guard !text.isEmpty else { throw Refusal("a new hire needs \(field); give it (--field \(field)=… or the console's form)") }
        return text
    }

    private func text(_ value: String, _ field: String) throws -> String {
        try PlainText.check(value, field, atMostBytes: 400)
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= 100 else { throw Refusal("\(field) is \(trimmed.count) characters; keep it under 100") }
        try PlainText.check(trimmed, field, lines: false)
        return trimmed
    }
}
