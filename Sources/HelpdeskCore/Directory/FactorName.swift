/// The names people know MFA factors by ("Okta Verify", "Google Authenticator", "SMS",
/// "security key"), from Okta's factor type and provider.
public enum FactorName {
    public static func of(type: String, provider: String? = nil) -> String {
        let provider = provider?.uppercased()
        switch type {
        case "push": return "Okta Verify push"
        case "signed_nonce": return "Okta Verify FastPass"
        case "token:software:totp":
            switch provider {
            case "GOOGLE": return "Google Authenticator"
            case "OKTA": return "Okta Verify code"
            default: return "authenticator app"
            }
        case "sms": return "SMS"
        case "call": return "voice call"
        case "email": return "email"
        case "webauthn": return "security key or biometric"
        case "u2f": return "security key (U2F)"
        case "question": return "security question"
        case "token:hotp", "token:hardware": return provider == "YUBICO" ? "YubiKey" : "hardware token"
        case "token":
            switch provider {
            case "RSA": return "RSA SecurID"
            case "SYMANTEC": return "Symantec VIP"
            default: return "token"
            }
        default: return type
        }
    }
}

extension DirectoryFactor {
    /// "Okta Verify (push)", "SMS (+1 XXX-XXX-4321)".
    public var displayName: String {
        let name = FactorName.of(type: type, provider: provider)
        return detail.map { "\(name) (\($0))" } ?? name
    }
}
