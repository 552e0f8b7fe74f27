import Foundation
import HelpdeskCore

/// The sentences of the confirm dialog: exactly what will happen, to whom, and who must approve.
public enum ActionPlan {
    public static func lines(for action: OktaAction, requester: EmailAddress, card: RequesterCard?, now: Date, zone: DisplayZone) -> [String] {
        var first = describe(action, requester: requester, card: card)
        if let expiry = action.expiry {
            first += " Access ends \(clock(expiry.end(from: now), zone)) unless renewed."
        }
        return [first]
    }

    /// The approval line of the confirm dialog, from who the service says may approve.
    public static func approvalLine(_ approvers: ConfirmState.Approvers) -> String? {
        switch approvers {
        case .notNeeded: "Runs in Okta as soon as you press Enter."
        case .checking: "Needs an approval; checking who may give it…"
        case .known(let logins) where logins.isEmpty:
            "Needs an approval, and nobody may give it: no operator other than you and the requester is an approver or their manager."
        case .known(let logins): "Needs approval by \(logins.joined(separator: " or ")); it runs in Okta when approved."
        case .unknown(let problem): "Needs an approval; who may give it could not be checked (\(problem))."
        }
    }

    static func describe(_ action: OktaAction, requester: EmailAddress, card: RequesterCard?) -> String {
        let who = requester.value
        switch action {
        case .resetMFA:
            let names = card?.factors.map(\.displayName).joined(separator: ", ")
            return "Reset all MFA factors for \(who)" + (names.map { " (\($0)); they enroll again at next sign-in." } ?? ".")
        case .resetFactor(let factor):
            let name = card?.factors.first { $0.id == factor.id }?.displayName ?? FactorName.of(type: factor.type)
            return "Reset the \(name) factor of \(who); their other factors stay."
        case .revokeSessions(let oauth): return "End every Okta session of \(who)" + (oauth ? " and revoke their OAuth tokens." : ".")
        case .addToGroup(let group, let expiry): return "Add \(who) to the group \(group.name)" + span(expiry)
        case .removeFromGroup(let group): return "Remove \(who) from the group \(group.name)."
        case .assignApp(let app, let expiry): return "Assign the app \(app.label) to \(who)" + span(expiry)
        case .removeApp(let app): return "Remove the app \(app.label) from \(who); its app profile cannot be recovered."
        case .suspend: return "Suspend \(who): they cannot sign in until unsuspended."
        case .unsuspend: return "Unsuspend \(who): they can sign in again."
        case .unlock: return "Unlock \(who): they can sign in with their current password."
        case .activate(let email): return "Activate \(who)" + (email ? " and email the activation link." : ".")
        case .resendActivation: return "Send \(who) a new activation email (their activation was started and not finished)."
        case .deactivate: return "Deactivate \(who): every app deprovisions them; this cannot be undone. You will type their login to confirm."
        case .resetPassword(let email): return email ? "Reset the password of \(who) and email them a reset link." : "Reset the password of \(who) and show a one-time link."
        case .expirePassword: return "Expire the password of \(who): they must change it at next sign-in."
        case .createUser(let profile): return "Create the Okta user \(profile.display), staged: nobody can sign in with it until it is activated."
        }
    }

    private static func span(_ expiry: AccessDuration?) -> String {
        expiry.map { " for \($0.spoken)." } ?? ", permanently."
    }

    /// `2026-11-30 14:02` in the console's time zone.
    public static func clock(_ date: Date, _ zone: DisplayZone) -> String {
        LocalTime(date, in: zone).dateClock
    }
}
