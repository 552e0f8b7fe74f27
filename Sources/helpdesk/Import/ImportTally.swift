import HelpdeskCore

/// What an import came to: counts and the range of new requests, and with `keepingLines` every
/// line's result (for --json).
struct ImportTally {
    let keepingLines: Bool
    private(set) var report = ImportReport()
    private(set) var imported = 0
    private(set) var alreadyImported = 0
    private(set) var refused = 0
    private var firstNew: [String] = []
    private var lastNew: String?

    init(keepingLines: Bool) {
        self.keepingLines = keepingLines
    }

    mutating func add(_ batch: ImportReport) {
        imported += batch.imported.count
        alreadyImported += batch.alreadyImported.count
        refused += batch.refused.count
        for created in batch.imported where firstNew.count < 5 { firstNew.append(created.id) }
        if let last = batch.imported.last { lastNew = last.id }
        if keepingLines { report.add(batch) }
    }

    /// `Imported 3, already imported 1, refused 0 lines. New: REQ-4, REQ-5, REQ-6.`
    var summary: String {
        let lines = refused == 1 ? "line" : "lines"
        var text = "Imported \(imported), already imported \(alreadyImported), refused \(refused) \(lines)."
        if imported > 0, let first = firstNew.first, let last = lastNew {
            text += imported <= 5 ? " New: \(firstNew.joined(separator: ", "))." : " New: \(first) to \(last)."
        }
        return text
    }
}
