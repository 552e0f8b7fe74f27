import ConsoleViewModel
import Foundation
import HelpdeskCore

/// Hand-made console states for update and render tests: no store, no network.
public enum ConsoleFixtures {
    public static let now = Date(timeIntervalSince1970: 1_795_000_000)
    public static let agent = Operator(login: "alex", email: Fixtures.email("alex.kim@example.com"), roles: [.agent])
    public static let manager = Operator(login: "sam", email: Fixtures.email("sam.lee@example.com"), roles: [])

    public static func request(_ number: Int64, _ subject: String, requester: String = "jane.doe@example.com", priority: Priority = .normal,
                               status: RequestStatus = .new, assignee: String? = nil, minutesAgo: Double = 30, body: String = "") -> Request {
        Request(id: RequestID(number), requester: Fixtures.email(requester), subject: subject, body: body, category: "general", priority: priority,
                status: status, assignee: assignee, createdAt: now.addingTimeInterval(-minutesAgo * 60), updatedAt: now, version: 1)
    }

    public static let requests: [Request] = [
        request(4, "Sign-in from Lagos I don't recognise", requester: "tom.becker@example.com", priority: .urgent, status: .open, assignee: "morgan", minutesAgo: 300),
        request(11, "Account locked — presenting to a client in 30 min 🙏", requester: "zoe.martin@example.com", priority: .urgent, minutesAgo: 3),
        request(1, "Lost my phone — need MFA reset", priority: .high, minutesAgo: 18,
                body: "Hi IT, I left my phone in a taxi last night and can't get the Okta Verify push. I'm calling from my desk phone (ext. 4411)."),
        request(9, "VPNに接続できません (cannot connect to VPN)", requester: "misaki.sato@example.com", minutesAgo: 33),
        request(2, "Need Salesforce access for Q4 campaign", requester: "sofia.rossi@example.com", status: .open, assignee: "alex", minutesAgo: 140),
        request(14, "Remove Zoom from my account", requester: "olivia.brown@example.com", priority: .low, minutesAgo: 4000),
    ]

    public static let jane = DirectoryUser(
        id: "00ujane", login: "jane.doe@example.com", email: "jane.doe@example.com", firstName: "Jane", lastName: "Doe", status: .active,
        title: "Account Executive", department: "Sales", managerID: "00usam", lastLogin: now.addingTimeInterval(-36_000))
    public static let sam = DirectoryUser(id: "00usam", login: "sam.lee@example.com", email: "sam.lee@example.com", firstName: "Sam", lastName: "Lee", status: .active)

    public static let janeCard = RequesterCard(
        user: jane, manager: sam,
        groups: [DirectoryGroup(id: "00geveryone", name: "Everyone", type: .builtIn), DirectoryGroup(id: "00gsales", name: "Sales", type: .okta),
                 DirectoryGroup(id: "00gvpn", name: "VPN Users", type: .okta), DirectoryGroup(id: "00gad", name: "AD: Domain Users", type: .app)],
        apps: [DirectoryAppLink(appID: "0oasf", label: "Salesforce", appName: "salesforce"), DirectoryAppLink(appID: "0oaslack", label: "Slack", appName: "slack")],
        factors: [DirectoryFactor(id: "opf1", type: "push", provider: "OKTA", status: "ACTIVE", detail: "iPhone 12"),
                  DirectoryFactor(id: "mbl1", type: "sms", provider: "OKTA", status: "ACTIVE", detail: "+1 ••• ••• 4411"),
                  DirectoryFactor(id: "ost1", type: "token:software:totp", provider: "OKTA", status: "ACTIVE")],
        signIns: [SignInEvent(at: now.addingTimeInterval(-36_000), result: "SUCCESS", ipAddress: "203.0.113.9", city: "London", country: "United Kingdom", browser: "CHROME", os: "Mac OS X")])

    public static func timeline(for id: RequestID) -> [TimelineEvent] {
        let created = EventPayload.Created(requester: Fixtures.email("jane.doe@example.com"), subject: "Lost my phone — need MFA reset", priority: .high, category: "mfa")
        return [
            TimelineEvent(id: 1, requestID: id, actor: "intake", at: now.addingTimeInterval(-1080), payload: .created(created)),
            TimelineEvent(id: 2, requestID: id, actor: "alex", at: now.addingTimeInterval(-900), payload: .assigned(to: "alex")),
            TimelineEvent(id: 3, requestID: id, actor: "alex", at: now.addingTimeInterval(-600), payload: .note(text: "Called Jane on her desk phone; ID checked against her badge photo.")),
        ]
    }

    /// The queue tab with the first requests loaded, Jane's request selected and her card in.
    public static func queueState(columns: Int = 80, rows: Int = 24, selected: Int = 2) -> AppState {
        var state = AppState(user: agent, personas: [agent, manager], agents: ["alex", "morgan"], isDemo: true, orgName: "example.okta.com (simulated)", policy: .default,
                             zone: .fixed(TimeZone(identifier: "UTC")!), now: now, columns: columns, rows: rows)
        state.oktaHealthy = true
        state.counts = QueueCounts(queue: 33, mine: 2, approvals: 1, resolved: 7)
        state.countsKnown = true
        state.queue = QueueWindow()
        state.queue.rows = requests
        state.queue.moreBelow = true
        state.queue.selected = selected
        state.queue.clamp(visible: state.visibleQueueRows)
        let request = requests[selected]
        state.detail.requestID = request.id
        state.detail.timeline = timeline(for: request.id)
        state.card = request.requester == jane.email.lowercasedEmail ? .loaded(request.requester, janeCard) : .loading(request.requester)
        if state.card.card != nil { (state.cardReadAt, state.cardReadBegan) = (now, now) }
        return state
    }
}

extension String {
    var lowercasedEmail: EmailAddress { Fixtures.email(self) }
}
