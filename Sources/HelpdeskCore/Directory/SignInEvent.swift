import Foundation

/// One sign-in from the System Log (`user.session.start`).
public struct SignInEvent: Sendable, Equatable, Codable {
    public let at: Date
    /// `SUCCESS`, `FAILURE`, `DENY`…
    public let result: String
    public let reason: String?
    public let ipAddress: String?
    public let city: String?
    public let country: String?
    public let browser: String?
    public let os: String?

    public init(at: Date, result: String, reason: String? = nil, ipAddress: String? = nil, city: String? = nil, country: String? = nil, browser: String? = nil, os: String? = nil) {
        self.at = at
        self.result = result
        self.reason = reason
        self.ipAddress = ipAddress
        self.city = city
        self.country = country
        self.browser = browser
        self.os = os
    }

    /// "Berlin, Germany"
    public var place: String? {
        let parts = [city, country].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
