import Foundation
import HelpdeskCore

/// Okta's error object, read leniently: every field optional, `errorCauses` an array or a single object.
struct OktaErrorBody: Decodable, Equatable {
    let errorCode: String?
    let errorSummary: String?
    let errorLink: String?
    let errorId: String?
    let errorCauses: [String]

    private enum Keys: String, CodingKey { case errorCode, errorSummary, errorLink, errorId, errorCauses }
    private struct Cause: Decodable { let errorSummary: String? }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        errorCode = try? container.decodeIfPresent(String.self, forKey: .errorCode)
        errorSummary = try? container.decodeIfPresent(String.self, forKey: .errorSummary)
        errorLink = try? container.decodeIfPresent(String.self, forKey: .errorLink)
        errorId = try? container.decodeIfPresent(String.self, forKey: .errorId)
        if let list = try? container.decodeIfPresent([Cause].self, forKey: .errorCauses) {
            errorCauses = list.compactMap(\.errorSummary)
        } else if let single = try? container.decodeIfPresent(Cause.self, forKey: .errorCauses) {
            errorCauses = [single.errorSummary].compactMap { $0 }
        } else {
            errorCauses = []
        }
    }

    static func parse(_ data: Data) -> OktaErrorBody? {
        try? JSONDecoder().decode(OktaErrorBody.self, from: data)
    }

    /// Whether the error code is one of Okta's (`E` and seven digits, as `E0000007`): a gateway's
    /// JSON error may carry an `errorCode` of its own.
    var isOktas: Bool {
        guard let code = errorCode?.utf8, code.count == 8, code.first == UInt8(ascii: "E") else { return false }
        return code.dropFirst().allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}

extension DirectoryError {
    /// The typed error for an HTTP answer that is not a success.
    static func from(response: HTTPResponse, subject: String?, retryAt: Date?, scrub: (String) -> String) -> DirectoryError {
        let body = OktaErrorBody.parse(response.body)
        let kind: Kind
        switch response.status {
        case 401: kind = .unauthorized
        case 403: kind = .forbidden
        // "Not found" is taken to mean gone (an assignment already removed, a user deleted): only
        // Okta's own error says it, never a proxy's page.
        case 404 where body?.isOktas == true: kind = .notFound
        case 404: kind = .unavailable
        case 429: kind = .rateLimited
        case 400, 405, 409, 412, 422: kind = .invalid
        default: kind = .unavailable
        }
        let summary = response.status == 404 && body?.isOktas != true
            ? "HTTP 404 without Okta's error; a proxy may have answered in its place"
            : body?.errorSummary.map(scrub) ?? (body == nil ? "HTTP \(response.status)" : nil)
        return DirectoryError(
            kind: kind, httpStatus: response.status, errorCode: body?.errorCode.map(scrub), summary: summary,
            causes: body?.errorCauses.map(scrub) ?? [], errorID: body?.errorId.map(scrub),
            requestID: response.header("X-Okta-Request-Id").map(scrub), retryAt: retryAt, subject: subject
        )
    }
}

extension DirectoryError {
    /// The same error with every text Okta gave passed through `clean` (to take out credentials an answer echoed).
    func scrubbed(_ clean: (String) async -> String) async -> DirectoryError {
        var causes: [String] = []
        for cause in self.causes { causes.append(await clean(cause)) }
        var copy = DirectoryError(kind: kind, httpStatus: httpStatus, errorCode: await errorCode.asyncMap(clean), summary: await summary.asyncMap(clean), causes: causes,
                                  errorID: await errorID.asyncMap(clean), requestID: await requestID.asyncMap(clean), retryAt: retryAt, subject: subject)
        copy.viaServiceApp = viaServiceApp
        return copy
    }
}

extension Optional where Wrapped == String {
    func asyncMap(_ transform: (String) async -> String) async -> String? {
        guard let value = self else { return nil }
        return await transform(value)
    }
}
