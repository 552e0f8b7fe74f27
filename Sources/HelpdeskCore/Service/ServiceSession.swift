/// What a client learns when it connects: who it is, which org, and the policy to explain.
public struct ServiceSession: Sendable, Equatable, Codable {
    /// The operator the service identified (from the kernel over the socket).
    public let `operator`: Operator
    /// The Okta org, for the status line.
    public let orgName: String
    public let policy: ApprovalPolicy
    /// The service's build, to compare with the client's.
    public let version: String
    /// Demo personas the console may switch between; empty outside the demo.
    public let personas: [Operator]
    /// Logins of the operators with the agent role, for assigning requests.
    public let agents: [String]
    /// Lines the service takes in one import batch; nil from a build that did not say (it took 1,000).
    public let importBatchLines: Int?

    public init(operator: Operator, orgName: String, policy: ApprovalPolicy, version: String = HelpdeskVersion.current, personas: [Operator] = [],
                agents: [String] = [], importBatchLines: Int? = nil) {
        self.agents = agents
        self.importBatchLines = importBatchLines
        self.operator = `operator`
        self.orgName = orgName
        self.policy = policy
        self.version = version
        self.personas = personas
    }
}
