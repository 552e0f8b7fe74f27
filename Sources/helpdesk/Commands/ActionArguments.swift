import Foundation
import HelpdeskCore

/// Turns `ACTION [--group NAME|ID] [--app NAME|ID] [--factor ID] [--for DURATION] …` into an
/// `ActionSpec`; the service looks the group, app or factor up in Okta, so the approval names
/// them exactly as Okta does.
enum ActionArguments {
    static func spec(_ invocation: Invocation) throws -> ActionSpec {
        let arguments = invocation.arguments
        let name = try invocation.parsing { try ActionName.parse(arguments.positional(1) ?? "") }
        var spec = ActionSpec(name)
        spec.duration = try invocation.parsing { try arguments.value("for").map { try AccessDuration(typed: $0) } }
        spec.group = arguments.value("group").map { ActionSpec.Target.parse($0, idPrefix: "00g") }
        spec.app = arguments.value("app").map { ActionSpec.Target.parse($0, idPrefix: "0oa") }
        spec.factorID = arguments.value("factor")
        spec.oauthTokens = arguments.flag("oauth-tokens")
        spec.noEmail = arguments.flag("no-email")
        spec.oneTimeLink = arguments.flag("link")
        if let problem = spec.problem { throw CLIError.usage(problem, command: "act") }
        return spec
    }
}
