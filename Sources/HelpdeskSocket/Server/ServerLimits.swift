import Foundation

/// What one client may take of the service, so that none can hold the others up.
public struct ServerLimits: Sendable {
    public var maxConnections = 256
    public var maxConnectionsPerUser = 16
    /// New connections a user may open per second, with a burst of twice as many; past it they are
    /// closed at once, unlogged, so a connect-and-close loop costs the service little.
    public var connectionsPerSecondPerUser = 10.0
    /// At most one line per user and this many seconds about refused or dropped connections.
    public var logQuietPeriod: TimeInterval = 60
    /// Requests a connection may have running at once; more are answered "busy".
    public var maxInFlightPerConnection = 16
    /// Requests one user may have running at once over all their connections, of those that may
    /// wait for Okta and of the rest each; more wait their turn.
    public var maxRunningPerUser = 8
    /// Seconds a new connection has to say hello.
    public var helloTimeout: TimeInterval = 5
    /// Seconds a frame may take to arrive once it has begun.
    public var frameTimeout: TimeInterval = 30
    /// Answers and events waiting for a client that does not read; past it the client is dropped.
    public var maxQueuedOutput = 32 << 20
    /// Protocol mistakes a connection may make before it is closed.
    public var maxProtocolErrors = 8
    /// Bytes read from one connection per turn of the loop, so a flood cannot starve the rest.
    public var readPerTurn = 256 << 10

    public init() {}
}
