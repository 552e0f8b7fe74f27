import HelpdeskCore

/// The operators of the demo tenant, used by tests and the demo: agents Alex and Jordan, Morgan
/// (IT manager, approver), Sam (Jane's manager, no roles: approves only for his reports) and
/// Jane (an approver too, so tests can check she never approves for herself).
public enum DemoTeamFixture {
    public static let alex = Operator(login: "alex", email: Fixtures.email("alex.kim@example.com"), roles: [.agent])
    public static let jordan = Operator(login: "jordan", email: Fixtures.email("jordan.reyes@example.com"), roles: [.agent])
    public static let morgan = Operator(login: "morgan", email: Fixtures.email("morgan.patel@example.com"), roles: [.agent, .approver])
    public static let sam = Operator(login: "sam", email: Fixtures.email("sam.lee@example.com"), roles: [])
    public static let jane = Operator(login: "jane", email: Fixtures.email("jane.doe@example.com"), roles: [.approver])

    public static let team = Team([alex, jordan, morgan, sam, jane])
}
