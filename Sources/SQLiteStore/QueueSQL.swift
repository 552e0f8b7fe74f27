import HelpdeskCore

/// The WHERE conditions for a queue filter, chosen so SQLite can walk one index in queue order.
struct QueueSQL {
    private(set) var conditions: [String] = []
    private(set) var values: [SQLValue] = []
    /// True when the filter can match no row (an empty status set, a search with no words).
    private(set) var matchesNothing = false
    /// The rows a text filter matches; not part of `conditions` (see `withTextCondition`).
    private(set) var textMatch: TextMatch?

    init(filter: QueueFilter) {
        if let statuses = filter.statuses {
            addStatuses(statuses)
        }
        if let assignee = filter.assignee {
            conditions.append("r.assignee = ?")
            values.append(.text(assignee))
        }
        if let login = filter.awaitingApprovalBy {
            conditions.append("""
            r.id IN (SELECT a.request_id FROM approval_approvers p JOIN approvals a ON a.id = p.approval_id
                     WHERE p.login = ? AND a.state = 'pending')
            """)
            values.append(.text(login))
        }
        if let text = filter.text, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            if let match = TextMatch(typed: text) {
                textMatch = match
            } else {
                matchesNothing = true
            }
        }
    }

    /// The conditions with the text filter as a subquery: right when few rows match, since
    /// SQLite then looks each one up and sorts them.
    var withTextCondition: (conditions: [String], values: [SQLValue]) {
        guard let textMatch else { return (conditions, values) }
        return (conditions + ["r.id IN (\(textMatch.sql))"], values + textMatch.values)
    }

    /// Uses the lane index (active or done) when the statuses fall in one lane.
    private mutating func addStatuses(_ statuses: Set<RequestStatus>) {
        guard !statuses.isEmpty else {
            matchesNothing = true
            return
        }
        if statuses.isSubset(of: RequestStatus.active) {
            conditions.append("r.lane = 0")
            if statuses != RequestStatus.active { addStatusList(statuses) }
        } else if statuses.isSubset(of: RequestStatus.done) {
            conditions.append("r.lane = 1")
            if statuses != RequestStatus.done { addStatusList(statuses) }
        } else if statuses != Set(RequestStatus.allCases) {
            addStatusList(statuses)
        }
    }

    private mutating func addStatusList(_ statuses: Set<RequestStatus>) {
        let sorted = statuses.map(\.rawValue).sorted()
        conditions.append("r.status IN (\(sorted.map { _ in "?" }.joined(separator: ", ")))")
        values += sorted.map(SQLValue.text)
    }

    /// Turns what a person typed into an FTS5 query: every word must match, each as a prefix.
    /// Quotes keep FTS5 syntax (AND, NEAR, *, :) from being interpreted; nil when no word has a letter or digit.
    static func ftsQuery(_ words: [Substring]) -> String? {
        guard !words.isEmpty else { return nil }
        return words.map { word in
            "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\"*"
        }.joined(separator: " ")
    }
}

/// The ids of the requests a typed filter matches, as one `SELECT rowid …` (ascending): words in
/// the word index, words of scripts written without spaces in the gram index, both when mixed.
struct TextMatch {
    let sql: String
    let values: [SQLValue]

    init?(typed text: String) {
        let words = text.split(whereSeparator: \.isWhitespace).filter { word in
            word.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }.prefix(16)
        guard !words.isEmpty else { return nil }
        var parts: [String] = []
        var values: [SQLValue] = []
        let spaced = words.filter { !GramText.needsGrams(String($0)) }
        if let query = QueueSQL.ftsQuery(Array(spaced)) {
            parts.append("SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?")
            values.append(.text(query))
        }
        let phrases = words.filter { GramText.needsGrams(String($0)) }.compactMap { GramText.phrase(String($0)) }
        if !phrases.isEmpty {
            parts.append("SELECT rowid FROM requests_grams WHERE requests_grams MATCH ?")
            values.append(.text(phrases.joined(separator: " ")))
        }
        sql = parts.joined(separator: " INTERSECT ") + " ORDER BY 1"
        self.values = values
    }
}
