import HelpdeskCore

/// The demo's playbooks: the same three as `Resources/config.example.json`, on the demo tenant's groups and apps.
enum DemoPlaybooks {
    static let all: [Playbook] = [
        Playbook(name: "offboarding", title: "Offboarding (leaver)", approval: .required, steps: [
            PlaybookStep(.action(.revokeSessions(oauthTokens: true))),
            PlaybookStep(.action(.suspend)),
            PlaybookStep(.removeEveryGroup),
            PlaybookStep(.removeEveryDirectApp),
            PlaybookStep(.action(.deactivate)),
        ]),
        Playbook(name: "onboarding", title: "Onboarding (new hire)", steps: [
            PlaybookStep(.createUser),
            PlaybookStep(.action(.activate(sendEmail: true))),
            PlaybookStep(.addToGroup(name: "VPN Users")),
            PlaybookStep(.assignApp(label: "Slack")),
            PlaybookStep(.assignApp(label: "Zoom")),
        ]),
        Playbook(name: "sales-starter", title: "Sales starter access (3 months)", expiry: AccessDuration(3, .months), steps: [
            PlaybookStep(.addToGroup(name: "Sales")),
            PlaybookStep(.addToGroup(name: "Salesforce Users")),
            PlaybookStep(.assignApp(label: "Salesforce")),
        ]),
    ]
}
