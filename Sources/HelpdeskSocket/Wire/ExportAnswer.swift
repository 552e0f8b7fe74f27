import Foundation
import HelpdeskCore

/// The answer to `exportEvents`, written by hand: the same bytes the encoder writes (sorted keys,
/// no spaces, an absent last id left out), without its scan of each page's base64 text for
/// characters to escape, which base64 never has. That scan was a tenth of the service's export.
enum ExportAnswer {
    static func payload(id: Int64, page: ExportPage) -> Data {
        var json = Data(#"{"id":\#(id),"result":{"#.utf8)
        if let last = page.lastEventID { json.append(contentsOf: #""lastEventID":\#(last),"#.utf8) }
        json.append(contentsOf: #""more":\#(page.more),"text":""#.utf8)
        json.append(page.text.base64EncodedData())
        json.append(contentsOf: #""}}"#.utf8)
        return json
    }
}
