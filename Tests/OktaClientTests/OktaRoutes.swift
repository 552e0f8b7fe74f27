import Foundation
import HelpdeskTestSupport
import OktaClient

/// Canned Okta answers for the request-shape tests, keyed by method and path.
enum OktaRoutes {
    static let user = #"""
    {"id":"00u1","status":"ACTIVE","lastLogin":"2026-11-20T10:00:00.000Z","profile":{"login":"jane.doe@example.com","email":"jane.doe@example.com","firstName":"Jane","lastName":"Doe","title":"AE","department":"Sales","managerId":"00u2"},
     "credentials":{"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"x"},"suspend":{"href":"x","method":"POST"},"resetFactors":{"href":"x"}}}
    """#
    static let groupOkta = #"{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"VPN Users","description":"Remote access"}}"#
    static let groupApp = #"{"id":"00gAD","type":"APP_GROUP","profile":{"name":"AD: Domain Users"}}"#
    static let app = #"{"id":"0oa1","name":"salesforce","label":"Salesforce","status":"ACTIVE","signOnMode":"SAML_2_0"}"#
    static let factors = #"[{"id":"opf1","factorType":"push","provider":"OKTA","status":"ACTIVE","profile":{"name":"iPhone"}},{"id":"mbl1","factorType":"sms","provider":"OKTA","status":"ACTIVE","profile":{"phoneNumber":"+1 555"}}]"#
    static let appLinks = #"[{"appInstanceId":"0oa1","appAssignmentId":"0ua1","appName":"salesforce","label":"Salesforce","linkUrl":"x","hidden":false}]"#
    static let logs = #"[{"uuid":"u1","published":"2026-11-20T10:00:00.000Z","eventType":"user.session.start","outcome":{"result":"SUCCESS"},"client":{"ipAddress":"203.0.113.9","geographicalContext":{"city":"Berlin","country":"Germany"},"userAgent":{"browser":"CHROME","os":"Mac OS X"}}}]"#

    /// A transport that answers like a small Okta org where user 00u1 is in group 00g1 only
    /// and has no app 0oa2 assigned.
    static func transport(memberOf groups: [String] = ["00g1"], assigned: Bool = false, appScope: String = "USER") -> StubTransport {
        StubTransport { request, _ in
            let path = request.url.path
            switch (request.method, path) {
            case ("GET", "/api/v1/users/00u1"), ("GET", "/api/v1/users/jane.doe%40example.com"), ("GET", "/api/v1/users/jane.doe@example.com"):
                return .json(200, user)
            case ("GET", "/api/v1/users"):
                return .json(200, "[\(user)]")
            case ("GET", "/api/v1/users/00u1/groups"):
                let list = groups.map { $0 == "00g1" ? groupOkta : groupApp }
                return .json(200, "[\(list.joined(separator: ","))]")
            case ("GET", "/api/v1/users/00u1/appLinks"): return .json(200, appLinks)
            case ("GET", "/api/v1/users/00u1/factors"): return .json(200, factors)
            case ("GET", "/api/v1/groups"): return .json(200, "[\(groupOkta)]")
            case ("GET", "/api/v1/groups/00g1"): return .json(200, groupOkta)
            case ("GET", "/api/v1/groups/00gAD"): return .json(200, groupApp)
            case ("GET", "/api/v1/apps"): return .json(200, "[\(app)]")
            case ("GET", "/api/v1/apps/0oa1"), ("GET", "/api/v1/apps/0oa2"): return .json(200, app)
            case ("GET", "/api/v1/apps/0oa1/users/00u1"), ("GET", "/api/v1/apps/0oa2/users/00u1"):
                return assigned ? .json(200, #"{"id":"00u1","scope":"\#(appScope)","status":"ACTIVE"}"#)
                                : .json(404, #"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00u1 (AppUser)"}"#)
            case ("GET", "/api/v1/logs"): return .json(200, logs)
            case ("POST", "/api/v1/users/00u1/lifecycle/reset_password"):
                return request.url.query?.contains("sendEmail=false") == true ? .json(200, #"{"resetPasswordUrl":"https://acme.okta.com/reset_password/drpXYZ"}"#) : .json(200, "{}")
            case ("POST", "/api/v1/apps/0oa2/users"): return .json(200, #"{"id":"00u1","scope":"USER","status":"ACTIVE"}"#)
            case ("POST", _): return .json(200, "{}")
            case ("PUT", _), ("DELETE", _): return .empty()
            default: return .json(404, #"{"errorCode":"E0000007","errorSummary":"Not found"}"#)
            }
        }
    }
}
