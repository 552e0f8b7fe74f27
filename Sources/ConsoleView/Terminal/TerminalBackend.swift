import ConsoleViewModel

/// What a terminal gives the console.
public enum TerminalInput: Equatable, Sendable {
    case key(Key)
    case resize(columns: Int, rows: Int)
    /// SIGINT or SIGTERM: leave cleanly.
    case interrupt
    /// Back from Ctrl-Z: everything must be drawn again.
    case resumed
}

/// A terminal the console can draw on: ncurses in the program, a cell grid in tests.
public protocol TerminalBackend: AnyObject {
    var size: (columns: Int, rows: Int) { get }
    /// Waits up to `timeoutMilliseconds` for input (or, when it wakes for answers, for one).
    func read(timeoutMilliseconds: Int) -> TerminalInput?
    /// True when `read` returns as soon as an answer arrives, so the loop need not poll.
    var wakesForAnswers: Bool { get }
    /// Writes the changed cells and shows them.
    func draw(_ runs: [CellRun])
}

/// A backend that keeps the screen as cells and takes scripted input: the same drawing path as
/// ncurses, without a terminal.
public final class HeadlessBackend: TerminalBackend {
    public private(set) var screen: ScreenBuffer
    public var pending: [TerminalInput] = []
    /// Cells written so far, to compare with what changed.
    public private(set) var cellsWritten = 0

    public init(columns: Int, rows: Int) {
        screen = ScreenBuffer(columns: columns, rows: rows)
    }

    public var size: (columns: Int, rows: Int) { (screen.columns, screen.rows) }

    public func read(timeoutMilliseconds: Int) -> TerminalInput? {
        pending.isEmpty ? nil : pending.removeFirst()
    }

    public var wakesForAnswers: Bool { false }

    public func draw(_ runs: [CellRun]) {
        var next = screen
        for run in runs {
            next.place(run)
            cellsWritten += run.cells.count
        }
        screen = next
    }

    public func resize(columns: Int, rows: Int) {
        screen = ScreenBuffer(columns: columns, rows: rows)
        pending.append(.resize(columns: columns, rows: rows))
    }
}
