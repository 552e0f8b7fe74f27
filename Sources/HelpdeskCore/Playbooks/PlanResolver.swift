import Foundation

/// Turns a playbook into exact steps against one account as Okta has it now: names become
/// groups and apps, "every group" becomes the account's changeable groups, and what is already
/// so (a member already, an app assigned through a group, an account already suspended) is left
/// out with a note saying why. For a new hire (`creating`), the account is the one its first step
/// creates: STAGED, in no group, with no app. It reads Okta and writes nothing.
struct PlanResolver {
    let directory: any IdentityDirectory

    struct Resolution: Equatable {
        var steps: [PlanStep] = []
        /// What was left out, and why.
        var notes: [String] = []
    }

    func resolve(_ playbook: Playbook, for user: DirectoryUser, creating profile: NewUserProfile? = nil) async throws -> Resolution {
        var result = Resolution()
        var groups: [DirectoryGroup]? = profile == nil ? nil : []
        func memberships() async throws -> [DirectoryGroup] {
            if let groups { return groups }
            let read = try await directory.groups(ofUser: user.id)
            groups = read
            return read
        }
        func add(_ action: OktaAction, _ step: PlaybookStep) {
            let planned = PlanStep(action, skipOnFailure: step.skipOnFailure)
            if !result.steps.contains(where: { $0.action == action }) { result.steps.append(planned) }
        }
        for step in playbook.steps {
            switch step.kind {
            case .action(let action):
                let factors = action.name == .resetMFA ? (profile == nil ? try await directory.factors(ofUser: user.id) : []) : nil
                if let why = ActionAvailability.whyUnavailable(action.name, for: user, factors: factors) {
                    result.notes.append("\(action.summary): left out, \(why)")
                } else {
                    add(action, step)
                }
            case .addToGroup(let name):
                let group = try await group(named: name)
                if try await memberships().contains(where: { $0.id == group.id }) {
                    result.notes.append("Add to group \(group.name): left out, already a member")
                } else {
                    add(.addToGroup(group.ref, expiry: playbook.expiry), step)
                }
            case .removeFromGroup(let name):
                let group = try await group(named: name)
                if try await memberships().contains(where: { $0.id == group.id }) {
                    add(.removeFromGroup(group.ref), step)
                } else {
                    result.notes.append("Remove from group \(group.name): left out, not a member")
                }
            case .assignApp(let label):
                let app = try await app(labelled: label)
                if profile == nil, try await directory.assignmentScope(userID: user.id, appID: app.id) != nil {
                    result.notes.append("Assign app \(app.label): left out, already assigned")
                } else {
                    add(.assignApp(app.ref, expiry: playbook.expiry), step)
                }
            case .removeApp(let label):
                let app = try await app(labelled: label)
                if profile != nil {
                    result.notes.append("Remove app \(app.label): left out, not assigned")
                } else if let action = try await removal(of: app.ref, from: user.id, notes: &result.notes) { add(action, step) }
            case .removeEveryGroup:
                for group in try await memberships().sorted(by: { $0.name.localizedStandardCompare($1.name) == .orderedAscending }) {
                    if let why = group.type.whyNotChangeable {
                        result.notes.append("\(group.name) stays: \(why)")
                    } else {
                        add(.removeFromGroup(group.ref), step)
                    }
                }
            case .createUser:
                guard playbook.steps.first == step, playbook.steps.filter({ $0.kind == .createUser }).count == 1, !step.skipOnFailure else {
                    throw Refusal("\(playbook.title) creates its user elsewhere than in its first step; correct the playbook in the configuration")
                }
                if let profile {
                    add(.createUser(profile), step)
                } else {
                    result.notes.append("Create the user: left out, \(user.login) already exists (\(user.status.rawValue))")
                }
            case .removeEveryDirectApp:
                for link in profile == nil ? try await directory.apps(ofUser: user.id) : [] {
                    if let action = try await removal(of: link.ref, from: user.id, notes: &result.notes) { add(action, step) }
                }
            }
        }
        return result
    }

    /// The removal of a direct assignment; an app not assigned, or assigned through a group, gets a note instead.
    private func removal(of app: AppRef, from userID: String, notes: inout [String]) async throws -> OktaAction? {
        switch try await directory.assignmentScope(userID: userID, appID: app.id) {
        case nil:
            notes.append("Remove app \(app.label): left out, not assigned")
            return nil
        case "USER":
            return .removeApp(app)
        case let scope?:
            notes.append("\(app.label) stays: assigned through a group (scope \(scope)); change the group instead")
            return nil
        }
    }

    /// The one OKTA_GROUP named exactly `name`, or a refusal naming the playbook's mistake.
    private func group(named name: String) async throws -> DirectoryGroup {
        let found = try await directory.findGroups(name, limit: 50).filter { $0.name == name }
        guard found.count == 1, let group = found.first else {
            throw Refusal(found.isEmpty ? "Okta has no group named \"\(TextSafety.quoted(name))\"; correct the playbook in the configuration"
                : "\(found.count) Okta groups are named \"\(TextSafety.quoted(name))\"; a playbook must name one group — rename one in Okta")
        }
        if let why = group.type.whyNotChangeable {
            throw Refusal("\(group.name) is a \(group.type.rawValue) group and cannot be changed here: \(why); correct the playbook in the configuration")
        }
        return group
    }

    private func app(labelled label: String) async throws -> DirectoryApp {
        let found = try await directory.findApps(label, limit: 50).filter { $0.label == label }
        guard found.count == 1, let app = found.first else {
            throw Refusal(found.isEmpty ? "Okta has no app labelled \"\(TextSafety.quoted(label))\"; correct the playbook in the configuration"
                : "\(found.count) Okta apps are labelled \"\(TextSafety.quoted(label))\"; a playbook must name one app — relabel one in Okta")
        }
        return app
    }
}
