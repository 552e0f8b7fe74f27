import Foundation
import HelpdeskCore

/// Small builders for test data.
public enum Fixtures {
    public static func email(_ text: String) -> EmailAddress {
        // Test inputs are literals known to be valid.
        try! EmailAddress(text)
    }

    public static func newRequest(
        _ subject: String = "Lost my phone", requester: String = "jane.doe@example.com", body: String = "",
        category: String = "mfa", priority: Priority = .normal, externalID: String? = nil
    ) -> NewRequest {
        try! NewRequest(requester: email(requester), subject: subject, body: body, category: category, priority: priority, externalID: externalID)
    }
}
