import Foundation
import HelpdeskCore

/// Everything the console shows, as one value. Only `update` changes it.
public struct AppState: Sendable, Equatable {
    /// Who is at the keyboard; in the demo, one of several personas.
    public var user: Operator
    public var personas: [Operator]
    public let isDemo: Bool
    public var orgName: String
    public var oktaHealthy: Bool?
    /// Why the service cannot be reached right now; nil while it can.
    public var serviceProblem: String?
    public let policy: ApprovalPolicy
    public var zone: DisplayZone
    public var now: Date

    public var columns: Int
    public var rows: Int

    public var tab = Tab.queue
    public var counts = QueueCounts()
    /// The store has answered with counts (before then the tabs show none: zeros would be a claim).
    public var countsKnown = false
    public var filter = TextField(limit: 100)
    public var isTypingFilter = false
    public var queue = QueueWindow.awaitingFirstPage
    /// Bumped by every queue load asked for; older answers are dropped.
    public var queueGeneration = 0
    /// The newest queue load that has landed (or failed); below `queueGeneration` while one is on its way.
    public var queueAnswered = 0
    /// A queue load is on its way (the rows on screen are about to change: a filter being searched).
    public var isLoadingQueue: Bool { queueAnswered < queueGeneration }
    /// A move past the loaded window, waiting for that load (it moves the selection when it lands).
    public var pendingMove: PendingMove?
    /// Moves pressed while Home's or End's window, a search's or a tab's rows are on their way:
    /// made from where those rows put the selection when they land.
    public var pendingJump: PendingMove?
    /// Something changed while a queue load was on its way: the queue is read again once it lands.
    public var queueChangedMeanwhile = false
    /// The load that reads the window again after a change: it keeps the request selected when it
    /// lands (the operator may have moved since it was asked for).
    public var rereadGeneration: Int?
    /// Keys pressed while the selection moves to rows on their way (Home, End, a page past the
    /// window, a search, a tab), other than moves and a filter's letters, and every key after the
    /// first of them: they act, in order, once the rows land, so on the request the move lands on.
    public var heldKeys: [Key] = []
    /// When the first held key was pressed (the console's clock).
    public var heldSince: Date?
    /// The selection is moving to rows that are on their way.
    public var queueMoveOnItsWay: Bool {
        isLoadingQueue && (pendingJump?.generation == queueGeneration || pendingMove?.generation == queueGeneration)
    }
    public var detail = DetailState()
    public var card = CardState.none
    /// When the shown card landed (the console's clock); it is read again when older than a minute.
    public var cardReadAt: Date?
    /// When the shown card's read from Okta began (a kept card is that old), on the clock the
    /// service stamps Okta's answers with: answers recorded since may not be on it.
    public var cardReadBegan: Date?
    /// A fresh read of the shown card is on its way (the old one stays on screen meanwhile).
    public var cardRefreshing = false
    /// Okta answered while a read was on its way, where no timeline shown says when (another request
    /// of the requester; an action this console asked for): read once more when it lands.
    public var cardOutdated = false
    /// The newest Okta answer on the open request seen while a read of the card was on its way:
    /// compared with when that read began, when it lands.
    public var answerDuringCardRead: TimelineEvent?
    /// The newest Okta answer the card was read again for: it and earlier ones make no more reads.
    public var cardReadForAnswer: Int64?

    /// A read of the card is on its way: the first one (loading) or a fresh one.
    public var cardReadOnItsWay: Bool {
        if case .loading = card { return true }
        return cardRefreshing
    }

    /// Another requester's card, or the same one asked for afresh: nothing known about reads of the old one holds.
    mutating func forgetCardReads() {
        cardReadAt = nil
        cardReadBegan = nil
        cardRefreshing = false
        cardOutdated = false
        answerDuringCardRead = nil
        cardReadForAnswer = nil
    }
    /// Operators with the agent role, for assigning requests.
    public var agents: [String]
    public var focus = Focus.queue

    /// Actions sent and not answered yet, per request.
    public var inFlight: Set<InFlight> = []
    public var modal: Modal?
    public var status: StatusLine?
    public var spinnerFrame = 0
    public var quitting = false

    public enum Focus: Sendable, Equatable { case queue, detail }

    public init(user: Operator, personas: [Operator] = [], agents: [String] = [], isDemo: Bool = false, orgName: String, policy: ApprovalPolicy,
                zone: DisplayZone = .utc, now: Date, columns: Int = 80, rows: Int = 24) {
        self.user = user
        self.agents = agents
        tab = user.canAct ? .queue : .approvals
        self.personas = personas
        self.isDemo = isDemo
        self.orgName = orgName
        self.policy = policy
        self.zone = zone
        self.now = now
        self.columns = columns
        self.rows = rows
    }

    public var selectedRequest: Request? { queue.selectedRequest }

    /// The smallest terminal the console draws in.
    public static let minimumColumns = 80
    public static let minimumRows = 24
    public var isTooSmall: Bool { columns < Self.minimumColumns || rows < Self.minimumRows }

    /// Queue rows on screen (without its header), from the shared layout.
    public var visibleQueueRows: Int { ConsoleLayout(columns: columns, rows: rows).queueRows }
}

/// Rows the selection is to move once the queue load numbered `generation` lands.
public struct PendingMove: Sendable, Equatable {
    public let generation: Int
    public let delta: Int
    /// The load brings other rows than those on screen (a search, another tab): given up, it still lands.
    public let replacesRows: Bool

    public init(generation: Int, delta: Int, replacesRows: Bool = false) {
        self.generation = generation
        self.delta = delta
        self.replacesRows = replacesRows
    }
}

/// One action sent for one request, not yet answered.
public struct InFlight: Hashable, Sendable {
    public let requestID: RequestID
    public let action: ActionName

    public init(requestID: RequestID, action: ActionName) {
        self.requestID = requestID
        self.action = action
    }
}

/// A message in the status line. It belongs to a moment (it goes after a few seconds) and, when
/// it is about one request, to that request (it goes when the selection moves away).
public struct StatusLine: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case info, success, error }

    public let text: String
    public let kind: Kind
    /// The request it is about; nil for the console as a whole.
    public var about: RequestID?
    /// When it was shown; set by `AppState.say`.
    public var shownAt: Date?

    public init(_ text: String, _ kind: Kind = .info, about: RequestID? = nil) {
        self.text = text
        self.kind = kind
        self.about = about
    }

    /// How long a message stays: errors longer, so they can be read.
    public var lifetime: TimeInterval { kind == .error ? 10 : 5 }
}

extension AppState {
    /// Shows a message now. A message about a request names it, so it cannot be taken for one
    /// about the request on screen.
    public mutating func say(_ line: StatusLine) {
        var line = line
        if let about = line.about, !line.text.contains(about.description) {
            line = StatusLine("\(about): \(line.text)", line.kind, about: about)
        }
        line.shownAt = now
        status = line
    }

    public mutating func say(_ text: String, _ kind: StatusLine.Kind = .info, about: RequestID? = nil) {
        say(StatusLine(text, kind, about: about))
    }
}

/// The screen's regions, computed once from the terminal size; the view draws into them and
/// `update` uses the queue height for paging.
public struct ConsoleLayout: Sendable, Equatable {
    public let columns: Int
    public let rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// Rows for queue lines, below the queue's header row.
    public var queueRows: Int { max(3, Int(Double(rows - 4) * 0.4) - 1) }
    /// The first row of the detail (after the tabs, the queue header and rows, and the title row).
    public var detailTop: Int { 1 + 1 + queueRows + 1 }
    public var detailRows: Int { max(0, rows - 2 - detailTop) }
    /// The action panel's width on the right of the detail.
    public var panelWidth: Int { columns >= 120 ? 42 : 32 }
}
