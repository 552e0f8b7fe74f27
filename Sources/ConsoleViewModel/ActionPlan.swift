import Foundation
import HelpdeskCore

/// The sentences of the confirm dialog: exactly what will happen, to whom, and who must approve.
public enum ActionPlan {
    public static func lines(for action: OktaAction, requester: EmailAddress, card: RequesterCard?, policy: ApprovalPolicy, now: Date, timeZone: TimeZone) -> [String] {
        var first = describe(action, requester: requester, card: card)
        if let expiry = action.expiry {
            first += " Access ends \(clock(expiry.end(from: now), timeZone)) unless renewed."
        }
        var lines = [first]
        if policy.needsApproval(action.name) {
            let manager = card?.manager.map { "their manager \($0.displayName)" }
            let named = policy.rule(for: action.name).approvers
            var who = [manager, "an approver"].compactMap { $0 }
            if !named.isEmpty { who.insert(named.joined(separator: ", "), at: who.count - 1) }
            lines.append("Needs approval by \(who.joined(separator: " or ")); it runs when approved.")
        } else {
            lines.append("Runs in Okta now.")
        }
        return lines
    }

    static func describe(_ action: OktaAction, requester: EmailAddress, card: RequesterCard?) -> String {
        let who = requester.value
        switch action {
        case .resetMFA:
            let count = card?.factors.count
            return "Reset all MFA factors for \(who)" + (count.map { " (\($0) enrolled)." } ?? ".")
        case .resetFactor(let factor): return "Reset the \(factor.type) factor of \(who)."
        case .revokeSessions(let oauth): return "End every Okta session of \(who)" + (oauth ? " and revoke their OAuth tokens." : ".")
        case .addToGroup(let group, let expiry): return "Add \(who) to the group \(group.name)" + span(expiry)
        case .removeFromGroup(let group): return "Remove \(who) from the group \(group.name)."
        case .assignApp(let app, let expiry): return "Assign the app \(app.label) to \(who)" + span(expiry)
        case .removeApp(let app): return "Remove the app \(app.label) from \(who); its app profile cannot be recovered."
        case .suspend: return "Suspend \(who): they cannot sign in until unsuspended."
        case .unsuspend: return "Unsuspend \(who): they can sign in again."
        case .unlock: return "Unlock \(who): they can sign in with their current password."
        case .activate(let email): return "Activate \(who)" + (email ? " and email the activation link." : ".")
        case .deactivate: return "Deactivate \(who): every app deprovisions them; this cannot be undone."
        case .resetPassword(let email): return email ? "Reset the password of \(who) and email them a reset link." : "Reset the password of \(who) and show a one-time link."
        case .expirePassword: return "Expire the password of \(who): they must change it at next sign-in."
        }
    }

    private static func span(_ expiry: AccessDuration?) -> String {
        expiry.map { " for \($0.spoken)." } ?? ", permanently."
    }

    /// `2026-11-30 14:02` in the console's time zone.
    public static func clock(_ date: Date, _ timeZone: TimeZone) -> String {
        date.formatted(Date.VerbatimFormatStyle(
            format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
            timeZone: timeZone, calendar: Calendar(identifier: .gregorian)))
    }
}
