import Foundation
import HelpdeskCore

/// Everything that can happen to the console: keys, the terminal, and answers to effects.
public enum Message: Sendable, Equatable {
    case key(Key)
    case resize(columns: Int, rows: Int)
    /// The clock moved (ages, spinners, polling).
    case tick(Date)
    /// Something was committed (by this console, another one, or the service itself) on these
    /// requests; nil when which is not known.
    case storeChanged(Set<RequestID>?)
    /// The service went away (the text says why) or came back (nil).
    case serviceProblem(String?)
    /// Something the service says everyone should see.
    case alert(String)
    /// The console is closing and waits for work that records something to finish.
    case closing
    case queueLoaded(QueueSnapshot)
    /// The queue load numbered `generation` failed.
    case queueFailed(generation: Int, StatusLine)
    case detailLoaded(RequestID, DetailSnapshot)
    /// `readAt`: when the card's read from Okta began (a card kept for reuse is that old); nil: just now.
    case cardLoaded(EmailAddress, Result<RequesterCard, ConsoleFailure>, readAt: Date? = nil)
    case pickerResults(PickerState.Kind, query: String, items: [PickerItem])
    case approversFound(RequestID, ActionName, Result<[String], ConsoleFailure>)
    case actionFinished(InFlight, ActionReport)
    case workFinished(StatusLine, reload: Bool)
    case requesterChecked(email: String, NewRequestForm.Check)
    case requestCreated(RequestID)
    case oktaHealth(Bool)
    case playbooksLoaded(RequestID, Result<[Playbook], ConsoleFailure>)
    case planPreviewed(PlanAsk, Result<PlanPreview, ConsoleFailure>)
}

/// An error to show, as a sentence.
public struct ConsoleFailure: Error, Sendable, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// A loaded queue window and the tab counts.
public struct QueueSnapshot: Sendable, Equatable {
    public let generation: Int
    public let window: QueueWindow
    public let counts: QueueCounts
    /// Where the selection goes: kept on this request if it is in the window, else this row index.
    public let keep: RequestID?
    public let fallbackIndex: Int
    public let moveBy: Int

    public init(generation: Int, window: QueueWindow, counts: QueueCounts, keep: RequestID?, fallbackIndex: Int, moveBy: Int = 0) {
        self.generation = generation
        self.window = window
        self.counts = counts
        self.keep = keep
        self.fallbackIndex = fallbackIndex
        self.moveBy = moveBy
    }
}

/// A request's timeline (its newest entries), approvals and runs.
public struct DetailSnapshot: Sendable, Equatable {
    public let timeline: [TimelineEvent]
    /// Entries before the first in `timeline` that the service left out.
    public let earlierEvents: Int
    public let approvals: [Approval]
    public let runs: [ActionRun]
    /// Runs whose outcome the service says is unknown now.
    public let unknownRuns: [ActionRunID]
    public let plans: [Plan]

    public init(timeline: [TimelineEvent], earlierEvents: Int = 0, approvals: [Approval], runs: [ActionRun], unknownRuns: [ActionRunID] = [], plans: [Plan] = []) {
        self.timeline = timeline
        self.earlierEvents = earlierEvents
        self.approvals = approvals
        self.runs = runs
        self.unknownRuns = unknownRuns
        self.plans = plans
    }
}

/// What an action came to, for the status line.
public struct ActionReport: Sendable, Equatable {
    public let line: StatusLine
    /// A one-time link to show once.
    public let oneTimeLink: String?

    public init(line: StatusLine, oneTimeLink: String? = nil) {
        self.line = line
        self.oneTimeLink = oneTimeLink
    }
}
