import Foundation
import HelpdeskCore
import HelpdeskTestSupport
@testable import OktaClient
import Testing

@Suite struct ConfigurationTests {
    @Test(arguments: ["https://acme.okta.com", "https://acme.okta.com/", "https://acme.oktapreview.com:8443", "http://127.0.0.1:8080",
                      "http://localhost:9000", "http://[::1]:9000", "http://127.8.9.10"])
    func acceptedOrgURLs(text: String) throws {
        let org = try OrgURL(text)
        #expect(org.url.path.isEmpty || org.url.path == "/")
    }

    @Test(arguments: ["http://acme.okta.com", "ftp://acme.okta.com", "acme.okta.com", "https://", "https://user:pw@acme.okta.com",
                      "https://acme.okta.com?x=1", "http://128.0.0.1", "http://127.0.0.1.evil.com", "http://localhost.evil.com", ""])
    func refusedOrgURLs(text: String) {
        #expect { try OrgURL(text) } throws: { ($0 as? DirectoryError)?.kind == .configuration }
    }

    @Test func environmentFollowsOktasSDKConventions() throws {
        let settings = try OktaSettings.fromEnvironment(["OKTA_CLIENT_ORGURL": "https://acme.okta.com", "OKTA_CLIENT_TOKEN": "00tok"])
        #expect(settings.org.host == "acme.okta.com")
        #expect(settings.token?.secret == "00tok")
        #expect { try OktaSettings.fromEnvironment([:]) } throws: { "\($0)".contains("OKTA_CLIENT_ORGURL") }
        #expect { try OktaSettings.fromEnvironment(["OKTA_CLIENT_ORGURL": "https://a.okta.com"]) } throws: { "\($0)".contains("OKTA_CLIENT_TOKEN") }
    }

    @Test func theTokenFileMustBeReadableOnlyByItsOwner() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("okta.token")
        try Data("00fromfile\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        #expect(try APIToken.fromFile(path).secret == "00fromfile")
        chmod(path, 0o400)
        #expect(try APIToken.fromFile(path).secret == "00fromfile")
        for mode: mode_t in [0o640, 0o660, 0o604, 0o644] {
            chmod(path, mode)
            #expect {
                try APIToken.fromFile(path)
            } throws: { error in
                "\(error)".contains("can be read or changed by others") && "\(error)".contains("chmod 600") && !"\(error)".contains("00fromfile")
            }
        }
        if getuid() == 0 {
            chmod(path, 0o600)
            chown(path, 65534, 65534)
            #expect { try APIToken.fromFile(path) } throws: { "\($0)".contains("belongs to another user") }
            chown(path, 0, 0)
        }
        #expect { try APIToken.fromFile(folder.file("missing")) } throws: { "\($0)".contains("cannot read") }
        chmod(path, 0o600)
        let settings = try OktaSettings.fromEnvironment(["OKTA_CLIENT_ORGURL": "https://a.okta.com"], tokenFile: path)
        #expect(settings.token?.secret == "00fromfile")
    }

    @Test func tokensWithSpacesOrNothingAreRefused() {
        #expect(throws: DirectoryError.self) { try APIToken("  ") }
        #expect(throws: DirectoryError.self) { try APIToken("00abc def") }
    }
}
