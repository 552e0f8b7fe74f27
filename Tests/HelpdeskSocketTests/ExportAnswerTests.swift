import Foundation
import HelpdeskCore
@testable import HelpdeskSocket
import Testing

/// The hand-written export answer is byte for byte what the encoder writes.
@Suite struct ExportAnswerTests {
    static func page(_ text: String, last: Int64?, more: Bool) throws -> ExportPage {
        let base64 = Data(text.utf8).base64EncodedString()
        let json = #"{"text":"\#(base64)","more":\#(more)"# + (last.map { #","lastEventID":\#($0)"# } ?? "") + "}"
        return try WireProtocol.decoder.decode(ExportPage.self, from: Data(json.utf8))
    }

    @Test(arguments: [
        ("", nil, false), (#"{"id":1,"details":{"note":"quote \" and \\ and 接続"}}"# + "\n", 1, true),
        (String(repeating: "{\"id\":7}\n", count: 1_000), 9_223_372_036_854_775_807, false),
    ] as [(String, Int64?, Bool)])
    func theAnswerIsWhatTheEncoderWrites(_ text: String, _ last: Int64?, _ more: Bool) throws {
        let page = try Self.page(text, last: last, more: more)
        for id: Int64 in [0, 42, -1] {
            let generic = try WireProtocol.encoder.encode(WireResponse(id: id, result: page, error: nil))
            #expect(ExportAnswer.payload(id: id, page: page) == generic, "\(String(decoding: generic, as: UTF8.self).prefix(200))")
        }
    }
}
