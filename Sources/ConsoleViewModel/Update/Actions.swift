import Foundation
import HelpdeskCore

extension Console {
    /// An action key: checks, then a picker, a duration or straight to the confirm dialog.
    static func startAction(_ state: inout AppState, _ action: ActionName) -> [Effect] {
        guard let request = state.selectedRequest else { return [] }
        guard state.user.canAct else {
            state.status = StatusLine("\(state.user.login) has no agent role; Okta actions are for agents.", .error)
            return []
        }
        guard request.status.isActive else {
            state.status = StatusLine("\(request.id) is \(request.status.rawValue); reopen it before acting on it.", .error)
            return []
        }
        guard !state.inFlight.contains(InFlight(requestID: request.id, action: action)) else {
            state.status = StatusLine("\(action.title) is already in flight for \(request.id).", .error)
            return []
        }
        guard let card = state.card.card else {
            if case .failed(_, let message) = state.card {
                state.status = StatusLine("No Okta account to act on: \(message)", .error)
            } else {
                state.status = StatusLine("Waiting for the requester's Okta account…")
            }
            return []
        }
        if let reason = card.whyUnavailable(action) {
            state.status = StatusLine("\(action.title) is not available: \(reason).", .error)
            return []
        }
        switch action {
        case .addToGroup, .assignApp:
            state.modal = .picker(PickerState(action: action, requestID: request.id, items: [], localOnly: false))
            return searchEffects(&state)
        case .removeFromGroup:
            let items = card.groups.map { PickerItem(id: $0.id, label: $0.name, detail: $0.type.rawValue, disabledReason: $0.type.whyNotChangeable) }
            state.modal = .picker(PickerState(action: action, requestID: request.id, items: items, localOnly: true))
            return []
        case .removeApp:
            let items = card.apps.map { PickerItem(id: $0.appID, label: $0.label, detail: $0.appName) }
            state.modal = .picker(PickerState(action: action, requestID: request.id, items: items, localOnly: true))
            return []
        case .resetMFA: return confirm(&state, .resetMFA, request: request)
        case .revokeSessions: return confirm(&state, .revokeSessions(oauthTokens: false), request: request)
        case .suspend: return confirm(&state, .suspend, request: request)
        case .unsuspend: return confirm(&state, .unsuspend, request: request)
        case .unlock: return confirm(&state, .unlock, request: request)
        case .resetPassword: return confirm(&state, .resetPassword(sendEmail: true), request: request)
        case .expirePassword: return confirm(&state, .expirePassword, request: request)
        case .activate: return confirm(&state, .activate(sendEmail: true), request: request)
        case .deactivate: return confirm(&state, .deactivate, request: request)
        case .resetFactor:
            state.status = StatusLine("Reset one factor from the command line: helpdesk act \(request.id) reset-factor --factor ID", .info)
            return []
        }
    }

    /// The type-ahead search of a picker over Okta's groups or apps.
    static func searchEffects(_ state: inout AppState) -> [Effect] {
        guard case .picker(var picker) = state.modal, !picker.localOnly else { return [] }
        picker.loading = true
        state.modal = .picker(picker)
        return [.searchTargets(picker.kind, query: picker.query.trimmed)]
    }

    /// A chosen group or app: grants go on to the duration, removals to the confirm dialog.
    static func picked(_ state: inout AppState, _ picker: PickerState, _ item: PickerItem) -> [Effect] {
        if let reason = item.disabledReason {
            state.modal = .picker(picker)
            state.status = StatusLine("\(item.label) cannot be changed here: \(reason).", .error)
            return []
        }
        guard let request = state.selectedRequest, request.id == picker.requestID else {
            state.modal = nil
            return []
        }
        switch picker.action {
        case .addToGroup:
            state.modal = .duration(DurationState(requestID: request.id, action: .addToGroup(GroupRef(id: item.id, name: item.label), expiry: nil)))
            return []
        case .assignApp:
            state.modal = .duration(DurationState(requestID: request.id, action: .assignApp(AppRef(id: item.id, label: item.label), expiry: nil)))
            return []
        case .removeFromGroup: return confirm(&state, .removeFromGroup(GroupRef(id: item.id, name: item.label)), request: request)
        case .removeApp: return confirm(&state, .removeApp(AppRef(id: item.id, label: item.label)), request: request)
        default: return []
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
        let lines = ActionPlan.lines(for: action, requester: request.requester, card: state.card.card, policy: state.policy, now: state.now, timeZone: state.timeZone)
        state.modal = .confirm(ConfirmState(requestID: request.id, plan: .ask(action), lines: lines, reasonRequired: true))
        return []
    }

    /// Enter in the confirm dialog: the action is sent, once.
    static func submit(_ state: inout AppState, _ confirm: ConfirmState) -> [Effect] {
        var confirm = confirm
        let reason = confirm.reason.trimmed
        if confirm.reasonRequired && reason.isEmpty {
            confirm.error = "A reason is required: it goes on the timeline and to the approver."
            state.modal = .confirm(confirm)
            return []
        }
        state.modal = nil
        switch confirm.plan {
        case .ask(let action):
            let key = InFlight(requestID: confirm.requestID, action: action.name)
            guard !state.inFlight.contains(key) else { return [] }
            state.inFlight.insert(key)
            state.status = StatusLine("\(action.name.title) sent for \(confirm.requestID)…")
            return [.ask(key, action, reason: reason)]
        case .approve(let approval):
            let key = InFlight(requestID: approval.requestID, action: approval.action.name)
            guard !state.inFlight.contains(key) else { return [] }
            state.inFlight.insert(key)
            state.status = StatusLine("Approving \(approval.id)…")
            return [.approve(key, approval, comment: reason.isEmpty ? nil : reason)]
        }
    }

    static func startApprove(_ state: inout AppState) -> [Effect] {
        guard let approval = decidableApproval(&state) else { return [] }
        let lines = [
            "Approve \(approval.id): \(approval.action.summary) for \(state.selectedRequest?.requester.value ?? "the requester").",
            "Asked by \(approval.requestedBy): “\(approval.reason)”.",
            "It runs in Okta now, in your name.",
        ]
        state.modal = .confirm(ConfirmState(requestID: approval.requestID, plan: .approve(approval), lines: lines, reasonRequired: false))
        return []
    }

    static func startDeny(_ state: inout AppState) -> [Effect] {
        guard let approval = decidableApproval(&state) else { return [] }
        state.modal = .prompt(PromptState(purpose: .deny(approval), title: "Deny \(approval.id) (\(approval.action.summary)): why?", required: true))
        return []
    }

    private static func decidableApproval(_ state: inout AppState) -> Approval? {
        guard let request = state.selectedRequest else { return nil }
        guard let approval = state.detail.decidable(by: state.user.login).first else {
            let pending = state.detail.approvals.first { $0.state == .pending }
            state.status = StatusLine(pending.map { "\($0.id) waits for \($0.approvers.map(\.login).joined(separator: ", ")); you may not decide it." }
                                      ?? "\(request.id) has no pending approval.", .error)
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
            state.status = StatusLine("\(request.id) is already \(request.status.rawValue).", .error)
            return []
        }
        state.modal = .prompt(PromptState(purpose: .resolve(request.id, version: request.version), title: "Resolve \(request.id): what was done? (optional)", required: false))
        return []
    }

    static func take(_ state: inout AppState) -> [Effect] {
        guard let request = state.selectedRequest else { return [] }
        guard request.assignee != state.user.login else {
            state.status = StatusLine("\(request.id) is already yours.")
            return []
        }
        return [.assign(request.id, to: state.user.login)]
    }

    static func startNewRequest(_ state: inout AppState) -> [Effect] {
        state.modal = .newRequest(NewRequestForm())
        return []
    }
}
