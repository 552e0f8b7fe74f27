import Foundation
import HelpdeskCore
import OktaClient

/// The `okta` section's service app: `"auth": "oauth"` with `clientId`, `privateKeyFile`, and
/// optionally `keyId`, `scopes` (default: what the console's actions need) and `dpop` (default true);
/// `"auth": "token"` (or no `auth`) keeps the API token file.
enum OAuthConfiguration {
    static func parse(_ okta: [String: Any], _ reader: ConfigReader) throws -> OAuthAppFile? {
        let auth = try reader.string(okta, "auth", at: "okta") ?? "token"
        let appKeys = ["clientId", "privateKeyFile", "keyId", "scopes", "dpop"]
        switch auth {
        case "token":
            if let stray = appKeys.first(where: { okta[$0] != nil }) {
                throw ConfigurationError(file: reader.file, key: "okta.\(stray)", problem: "belongs to a service app; set okta.auth to \"oauth\" to use one")
            }
            return nil
        case "oauth":
            guard let clientID = try reader.string(okta, "clientId", at: "okta") else {
                throw ConfigurationError(file: reader.file, key: "okta.clientId", problem: "is missing; give the service app's client id (Admin Console → Applications → the app)")
            }
            guard clientID.count <= 100, clientID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw ConfigurationError(file: reader.file, key: "okta.clientId", problem: "expected a client id of letters and digits, such as 0oa1b2c3d4")
            }
            guard let keyFile = try reader.string(okta, "privateKeyFile", at: "okta") else {
                throw ConfigurationError(file: reader.file, key: "okta.privateKeyFile", problem: "is missing; give the file of the private key whose public part is on the app (mode 600)")
            }
            if okta["tokenFile"] != nil {
                throw ConfigurationError(file: reader.file, key: "okta.tokenFile", problem: "is not used with a service app; remove it (and revoke the API token in Okta)")
            }
            let keyID = try reader.string(okta, "keyId", at: "okta")
            var scopes = OAuthApp.defaultScopes
            if let value = okta["scopes"] {
                guard let list = value as? [String], !list.isEmpty, list.allSatisfy({ $0.hasPrefix("okta.") && !$0.contains(" ") && $0.count <= 80 }) else {
                    throw ConfigurationError(file: reader.file, key: "okta.scopes", problem: "expected a list of okta.* scopes, got \(ConfigReader.describe(value))")
                }
                scopes = list
            }
            var dpop = true
            if let value = okta["dpop"] {
                guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else {
                    throw ConfigurationError(file: reader.file, key: "okta.dpop", problem: "expected true or false, got \(ConfigReader.describe(value))")
                }
                dpop = number.boolValue
            }
            return OAuthAppFile(clientID: clientID, privateKeyFile: keyFile, keyID: keyID, scopes: scopes, dpop: dpop)
        default:
            throw ConfigurationError(file: reader.file, key: "okta.auth", problem: "expected \"token\" or \"oauth\", got \"\(TextSafety.quoted(auth))\"")
        }
    }
}
