import Foundation
import HelpdeskCore

extension Console {
    /// An action key: checks, then a picker, a duration or straight to the confirm dialog.
    static func startAction(_ state: inout AppState, _ name: ActionName) -> [Effect] {
        guard let request = state.selectedRequest else { return [] }
        guard state.user.canAct else {
            state.say("\(state.user.login) has no agent role; Okta actions are for agents.", .error, about: request.id)
            return []
        }
        guard request.status.isActive else {
            state.say("\(request.id) is \(request.status.rawValue); press o to reopen it before acting on it.", .error, about: request.id)
            return []
        }
        guard let card = state.card.card else {
            if case .failed(_, let message) = state.card {
                state.say("No Okta account to act on: \(message)", .error, about: request.id)
            } else {
                state.say("The requester's Okta account is still loading; try again in a moment.", .info, about: request.id)
            }
            return []
        }
        let action = resolved(name, card)
        guard !state.inFlight.contains(InFlight(requestID: request.id, action: action)) else {
            state.say("\(action.title) is already in flight for \(request.id).", .error, about: request.id)
            return []
        }
        if let reason = card.whyUnavailable(action) {
            state.say("\(action.title) is not available: \(reason).", .error, about: request.id)
            return []
        }
        switch action {
        case .addToGroup, .assignApp:
            state.modal = .picker(PickerState(purpose: .action(action), requestID: request.id, items: [], localOnly: false))
            return searchEffects(&state)
        case .removeFromGroup:
            let items = card.groups.map { PickerItem(id: $0.id, label: $0.name, detail: $0.type.rawValue, disabledReason: $0.type.whyNotChangeable) }
            state.modal = .picker(PickerState(purpose: .action(action), requestID: request.id, items: items, localOnly: true))
            return []
        case .removeApp:
            let items = card.apps.map { PickerItem(id: $0.appID, label: $0.label, detail: $0.appName) }
            state.modal = .picker(PickerState(purpose: .action(action), requestID: request.id, items: items, localOnly: true))
            return []
        case .resetFactor:
            let items = card.factors.map { PickerItem(id: $0.id, label: $0.displayName, detail: $0.status == "ACTIVE" ? "" : $0.status.lowercased(), value: $0.type) }
            state.modal = .picker(PickerState(purpose: .action(action), requestID: request.id, items: items, localOnly: true))
            return []
        case .resetMFA: return confirm(&state, .resetMFA, request: request)
        case .revokeSessions: return confirm(&state, .revokeSessions(oauthTokens: false), request: request)
        case .suspend: return confirm(&state, .suspend, request: request)
        case .unsuspend: return confirm(&state, .unsuspend, request: request)
        case .unlock: return confirm(&state, .unlock, request: request)
        case .resetPassword: return confirm(&state, .resetPassword(sendEmail: true), request: request)
        case .expirePassword: return confirm(&state, .expirePassword, request: request)
        case .activate: return confirm(&state, .activate(sendEmail: true), request: request)
        case .resendActivation: return confirm(&state, .resendActivation, request: request)
        case .deactivate: return confirm(&state, .deactivate, request: request)
        case .createUser:
            state.say("A user is created by a playbook (b), with the new hire's names.", .error, about: request.id)
            return []
        }
    }

    /// The action a panel key means for this account: `v` resends an activation that was started
    /// (PROVISIONED) and activates a STAGED or deactivated account.
    public static func resolved(_ name: ActionName, _ card: RequesterCard?) -> ActionName {
        guard name == .activate, let status = card?.user.status else { return name }
        return status == .provisioned || status == .recovery ? .resendActivation : .activate
    }

    /// The type-ahead search of a picker over Okta's groups or apps.
    static func searchEffects(_ state: inout AppState) -> [Effect] {
        guard case .picker(var picker) = state.modal, !picker.localOnly else { return [] }
        picker.loading = true
        state.modal = .picker(picker)
        return [.searchTargets(picker.kind, query: picker.query.trimmed)]
    }

    /// A chosen item: grants go on to the duration, removals and factor resets to the confirm
    /// dialog, an agent to assigning the request.
    static func picked(_ state: inout AppState, _ picker: PickerState, _ item: PickerItem) -> [Effect] {
        if let reason = item.disabledReason {
            state.modal = .picker(picker)
            state.say("\(item.label) cannot be chosen: \(reason).", .error, about: picker.requestID)
            return []
        }
        guard let request = state.selectedRequest, request.id == picker.requestID else {
            state.modal = nil
            return []
        }
        switch picker.purpose {
        case .assign:
            state.modal = nil
            return assign(&state, request, to: item.id == nobody ? nil : item.id)
        case .action(.addToGroup):
            state.modal = .duration(DurationState(requestID: request.id, action: .addToGroup(GroupRef(id: item.id, name: item.label), expiry: nil)))
            return []
        case .action(.assignApp):
            state.modal = .duration(DurationState(requestID: request.id, action: .assignApp(AppRef(id: item.id, label: item.label), expiry: nil)))
            return []
        case .action(.removeFromGroup): return confirm(&state, .removeFromGroup(GroupRef(id: item.id, name: item.label)), request: request)
        case .action(.removeApp): return confirm(&state, .removeApp(AppRef(id: item.id, label: item.label)), request: request)
        case .action(.resetFactor): return confirm(&state, .resetFactor(FactorRef(id: item.id, type: item.value)), request: request)
        case .action: return []
        case .playbook:
            state.modal = nil
            return PlanFlow.chose(&state, item, for: request)
        }
    }

    /// Applies the chosen duration to the grant and goes on to the confirm dialog.
    static func chose(_ state: inout AppState, _ duration: AccessDuration?, for choice: DurationState) -> [Effect] {
        guard let request = state.selectedRequest, request.id == choice.requestID else {
            state.modal = nil
            return []
        }
        let action: OktaAction
        switch choice.action {
        case .addToGroup(let group, _): action = .addToGroup(group, expiry: duration)
        case .assignApp(let app, _): action = .assignApp(app, expiry: duration)
        default: action = choice.action
        }
        return confirm(&state, action, request: request)
    }

    static func confirm(_ state: inout AppState, _ action: OktaAction, request: Request) -> [Effect] {
        // The service refuses the same ask twice; said before the reason is typed, not after.
        if let same = state.detail.approvals.first(where: { $0.state == .pending && $0.subject == .action(action) }), state.detail.requestID == request.id {
            state.say("\(same.id) already asks for exactly this and is waiting for \(same.approvers.map(\.login).joined(separator: ", ")).", .error, about: request.id)
            return []
        }
        let lines = ActionPlan.lines(for: action, requester: request.requester, card: state.card.card, now: state.now, zone: state.zone)
        let gated = state.policy.needsApproval(action.name)
        let mustType = action.name == .deactivate ? state.card.card?.user.login : nil
        state.modal = .confirm(ConfirmState(requestID: request.id, plan: .ask(action), lines: lines, reasonRequired: true,
                                            approvers: gated ? .checking : .notNeeded, mustType: mustType, accountID: state.card.card?.user.id))
        return gated ? [.findApprovers(request.id, action.name)] : []
    }

    /// Enter in the confirm dialog: the reason, then the typed login where one is needed, then the
    /// action is sent, once.
    static func submit(_ state: inout AppState, _ confirm: ConfirmState) -> [Effect] {
        var confirm = confirm
        let reason = confirm.reason.trimmed
        if confirm.reasonRequired && reason.isEmpty {
            confirm.error = "A reason is required: it goes on the timeline and to the approver."
            state.modal = .confirm(confirm)
            return []
        }
        if case .known(let approvers) = confirm.approvers, approvers.isEmpty {
            confirm.error = "Nobody may approve this, so it cannot be asked for (see above)."
            state.modal = .confirm(confirm)
            return []
        }
        if let expected = confirm.mustType {
            if confirm.stage == .reason {
                confirm.stage = .typeLogin(expected: expected)
                confirm.error = nil
                state.modal = .confirm(confirm)
                return []
            }
            guard confirm.typed.trimmed.lowercased() == expected.lowercased() else {
                confirm.error = "Type the login \(expected) exactly to go on, or Esc to go back."
                state.modal = .confirm(confirm)
                return []
            }
        }
        state.modal = nil
        switch confirm.plan {
        case .ask(let action):
            let key = InFlight(requestID: confirm.requestID, action: action.name)
            guard !state.inFlight.contains(key) else { return [] }
            state.inFlight.insert(key)
            state.say("\(action.name.title) sent for \(confirm.requestID)…", about: confirm.requestID)
            return [.ask(key, action, reason: reason, account: confirm.accountID)]
        case .startPlan(let ask, let preview):
            state.say("Asking for \(preview.title) on \(confirm.requestID)…", about: confirm.requestID)
            return [.startPlan(ask.confirming(preview, reason: reason), expecting: preview.steps)]
        case .approve(let approval):
            guard let action = approval.action else {
                state.say("Approving \(approval.id)…", about: approval.requestID)
                return [.approvePlan(approval, comment: reason.isEmpty ? nil : reason)]
            }
            let key = InFlight(requestID: approval.requestID, action: action.name)
            guard !state.inFlight.contains(key) else { return [] }
            state.inFlight.insert(key)
            state.say("Approving \(approval.id)…", about: approval.requestID)
            return [.approve(key, approval, comment: reason.isEmpty ? nil : reason)]
        }
    }

    static func startApprove(_ state: inout AppState) -> [Effect] {
        guard let approval = decidableApproval(&state) else { return [] }
        let requester = state.selectedRequest?.requester.value ?? "the requester"
        var lines = ["Approve \(approval.id): \(approval.subject.summary) for \(requester).", "Asked by \(approval.requestedBy): “\(approval.reason)”."]
        if let terms = approval.subject.plan {
            lines += terms.steps.enumerated().map { "  \($0.offset + 1). \($0.element.action.summary)" + ($0.element.skipOnFailure ? " (may fail)" : "") }
            lines.append(terms.runAt.map { "It runs at \(Timestamp.iso8601($0)), exactly these steps." } ?? "It runs in Okta now, exactly these steps, in your name.")
        } else {
            lines.append("It runs in Okta now, in your name.")
        }
        state.modal = .confirm(ConfirmState(requestID: approval.requestID, plan: .approve(approval), lines: lines, reasonRequired: false))
        return []
    }

    /// `d`: deny an approval this operator may decide, or withdraw one they asked for.
    static func startDeny(_ state: inout AppState) -> [Effect] {
        let login = state.user.login
        if state.detail.decidable(by: login).isEmpty, let own = state.detail.approvals.first(where: { $0.state == .pending && $0.requestedBy == login }) {
            state.modal = .prompt(PromptState(purpose: .deny(own), title: "Withdraw \(own.id) (\(own.subject.summary)), which you asked for: why?", required: true))
            return []
        }
        guard let approval = decidableApproval(&state) else { return [] }
        state.modal = .prompt(PromptState(purpose: .deny(approval), title: "Deny \(approval.id) (\(approval.subject.summary)): why?", required: true))
        return []
    }

    private static func decidableApproval(_ state: inout AppState) -> Approval? {
        guard let request = state.selectedRequest else { return nil }
        guard let approval = state.detail.decidable(by: state.user.login).first else {
            let pending = state.detail.approvals.first { $0.state == .pending }
            state.say(pending.map { "\($0.id) waits for \($0.approvers.map(\.login).joined(separator: ", ")); you may not decide it." }
                      ?? "\(request.id) has no pending approval.", .error, about: request.id)
            return nil
        }
        return approval
    }

    static func startNote(_ state: inout AppState) -> [Effect] {
        guard let request = state.selectedRequest else { return [] }
        state.modal = .prompt(PromptState(purpose: .note(request.id), title: "Note on \(request.id)", required: true))
        return []
    }

    static func startResolve(_ state: inout AppState) -> [Effect] {
        guard let request = state.selectedRequest else { return [] }
        guard request.status.isActive else {
            state.say("\(request.id) is already \(request.status.rawValue).", .error, about: request.id)
            return []
        }
        state.modal = .prompt(PromptState(purpose: .resolve(request.id, version: request.version), title: "Resolve \(request.id): what was done? (optional)", required: false))
        return []
    }

    static func reopen(_ state: inout AppState) -> [Effect] {
        guard let request = state.selectedRequest else { return [] }
        guard !request.status.isActive else {
            state.say("\(request.id) is \(request.status.rawValue); only resolved or closed requests are reopened.", .error, about: request.id)
            return []
        }
        return [.reopen(request.id)]
    }

    /// The assign picker's "nobody": no login is empty.
    static let nobody = ""

    /// `t`: assigns to me; a request another agent has asks first.
    static func take(_ state: inout AppState) -> [Effect] {
        guard let request = state.selectedRequest else { return [] }
        guard request.assignee != state.user.login else {
            state.say("\(request.id) is already yours.", about: request.id)
            return []
        }
        return assign(&state, request, to: state.user.login)
    }

    /// Assigns `request` to `login` (nil: nobody); taking it from another agent asks first.
    static func assign(_ state: inout AppState, _ request: Request, to login: String?) -> [Effect] {
        guard let other = request.assignee, other != state.user.login else { return [.assign(request.id, to: login, version: request.version)] }
        let lines = switch login {
        case state.user.login?: ["\(request.id) is assigned to \(other).", "Take it from them and assign it to you?"]
        case let login?: ["\(request.id) is assigned to \(other).", "Take it from them and assign it to \(login)?"]
        case nil: ["\(request.id) is assigned to \(other).", "Take it from them and leave it unassigned?"]
        }
        let title = login == state.user.login ? "Take \(request.id)?" : "Reassign \(request.id)?"
        state.modal = .question(Question(purpose: .reassign(request.id, from: other, to: login, version: request.version), title: title, lines: lines))
        return []
    }

    /// `A`: choose the agent to assign the request to, or nobody.
    static func startAssign(_ state: inout AppState) -> [Effect] {
        guard let request = state.selectedRequest else { return [] }
        var items = state.agents.map { login in
            PickerItem(id: login, label: login, detail: login == state.user.login ? "you" : "",
                       disabledReason: login == request.assignee ? "already assigned to \(login)" : nil)
        }
        if request.assignee != nil { items.append(PickerItem(id: nobody, label: "(unassign)", detail: "nobody has it")) }
        state.modal = .picker(PickerState(purpose: .assign, requestID: request.id, items: items, localOnly: true))
        return []
    }

    static func startNewRequest(_ state: inout AppState) -> [Effect] {
        state.modal = .newRequest(NewRequestForm())
        return []
    }
}
