import HelpdeskCore

/// What an import came to: counts and the new requests' numbers, and with `keepingLines` every
/// line's result (for --json).
struct ImportTally {
    let keepingLines: Bool
    private(set) var report = ImportReport()
    private(set) var imported = 0
    private(set) var alreadyImported = 0
    private(set) var refused = 0
    /// The first few new requests, named one by one when they are all.
    private var firstNew: [RequestID] = []
    /// The new requests' numbers as runs of consecutive ones: another import or an agent writing
    /// meanwhile takes numbers between a run and the next. The first few runs are kept, the rest
    /// counted, so memory stays flat.
    private var runs: [ClosedRange<Int64>] = []
    private var current: ClosedRange<Int64>?
    private var runsLeftOut = 0

    /// Runs named in the summary; the rest are counted.
    static let runsShown = 4

    init(keepingLines: Bool) {
        self.keepingLines = keepingLines
    }

    mutating func add(_ batch: ImportReport) {
        imported += batch.imported.count
        alreadyImported += batch.alreadyImported.count
        refused += batch.refused.count
        for created in batch.imported {
            guard let id = RequestID(described: created.id) else { continue }
            if firstNew.count < 5 { firstNew.append(id) }
            note(id.number)
        }
        if keepingLines { report.add(batch) }
    }

    private mutating func note(_ number: Int64) {
        if let run = current, number == run.upperBound + 1 {
            current = run.lowerBound...number
            return
        }
        if let run = current {
            if runs.count < Self.runsShown { runs.append(run) } else { runsLeftOut += 1 }
        }
        current = number...number
    }

    /// `Imported 3, already imported 1, refused 0 lines. New: REQ-4, REQ-5, REQ-6.`, or for more
    /// `New: REQ-4 to REQ-2003, REQ-4004 to REQ-6003.`
    var summary: String {
        let lines = refused == 1 ? "line" : "lines"
        var text = "Imported \(imported), already imported \(alreadyImported), refused \(refused) \(lines)."
        guard imported > 0 else { return text }
        if imported <= 5 { return text + " New: \(firstNew.map(\.description).joined(separator: ", "))." }
        var named = runs
        var more = runsLeftOut
        if let current { if named.count < Self.runsShown { named.append(current) } else { more += 1 } }
        let shown = named.map { run in
            run.count == 1 ? "\(RequestID(run.lowerBound))" : "\(RequestID(run.lowerBound)) to \(RequestID(run.upperBound))"
        }
        text += " New: " + shown.joined(separator: ", ")
        return text + (more > 0 ? ", and \(more) more \(more == 1 ? "run" : "runs") of them (others took the numbers between; --json lists each)." : ".")
    }
}
