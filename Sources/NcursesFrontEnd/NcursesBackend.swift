import CNcurses
import ConsoleView
import ConsoleViewModel
import Foundation

/// The terminal through ncursesw: draws cell runs with wide-character calls, decodes keys and
/// resizes, and gives the terminal back on quit, on SIGINT/SIGTERM and on a crash. Keys are read
/// on the drawing thread with a timeout, as ncurses is single-threaded.
public final class NcursesBackend: TerminalBackend {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let palette: Palette
    private let overlay: ClusterOverlay
    private let wake: WakePipe?
    private let outputFile: UnsafeMutablePointer<FILE>?
    private var ended = false

    /// Takes over the terminal. `useColor` false gives a monochrome console (attributes only).
    /// `output` replaces standard output (the benchmark counts the bytes ncurses writes).
    /// With `wake`, a read also ends when the pipe is signalled (an answer arrived).
    public init(useColor: Bool, output: UnsafeMutablePointer<FILE>? = nil, wake: WakePipe? = nil) throws {
        self.wake = wake
        setlocale(LC_ALL, "")
        guard let screen = newterm(nil, output ?? helpdesk_stdout(), helpdesk_stdin()) else {
            throw NcursesError("this terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset")) is not known to ncurses")
        }
        self.screen = screen
        guard let window = helpdesk_stdscr() else { throw NcursesError("ncurses gave no screen") }
        self.window = window
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(Int32(Self.escapeDelay))
        curs_set(0)
        // The cursor stays hidden (text fields draw their own caret), so ncurses need not move it
        // back to the last cell drawn at the end of every frame.
        leaveok(window, true)
        // Until it has once come back from the shell, ncurses sends what it has after every move of
        // the cursor: a frame went out in dozens of writes, each a wake-up for the terminal's
        // reader. Leaving and coming back before anything is drawn makes a frame one write.
        endwin()
        doupdate()
        palette = Palette(useColor: useColor)
        let output = output ?? helpdesk_stdout()
        outputFile = output
        overlay = ClusterOverlay(colors: palette.colors, descriptor: fileno(output))
        SignalGuard.install()
    }

    deinit {
        end()
    }

    /// Gives the terminal back; safe to call twice.
    public func end() {
        guard !ended else { return }
        ended = true
        endwin()
        delscreen(screen)
        SignalGuard.uninstall()
    }

    public var size: (columns: Int, rows: Int) {
        (Int(getmaxx(window)), Int(getmaxy(window)))
    }

    public var wakesForAnswers: Bool { wake != nil }

    public func read(timeoutMilliseconds: Int) -> TerminalInput? {
        if SignalGuard.interrupted { return .interrupt }
        guard let wake else { return readKey(timeoutMilliseconds: timeoutMilliseconds) }
        // ncurses reads the terminal a byte at a time and drops a character whose bytes are not
        // all there when its wait ends: it is only asked to read with a wait long enough for the
        // rest to arrive (a paste over a slow link), and asked without one only while the
        // terminal has nothing, for keys it still holds itself (the second half of an Alt key).
        var input = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        if poll(&input, 1, 0) > 0 { return readArrivingKey() }
        if let held = readKey(timeoutMilliseconds: 0) { return held }
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&descriptors, 2, Int32(timeoutMilliseconds))
        if descriptors[1].revents != 0 { wake.drain() }
        // A signal (a resize, Ctrl-Z's return, an interrupt) or a key: ncurses tells which.
        if ready < 0 { return readKey(timeoutMilliseconds: 0) }
        if descriptors[0].revents != 0 { return readArrivingKey() }
        return nil
    }

    /// How long ncurses waits after an Escape for the rest of a key's sequence.
    static let escapeDelay = 25
    /// The wait when the Escape is the only byte that has arrived.
    static let loneEscapeDelay = 3

    /// Reads a key that has begun to arrive. A key's sequence almost always reaches the terminal in
    /// one write, so an Escape that is the only byte waiting is most likely the Escape key: ncurses
    /// waits only a few milliseconds for more (a sequence split by a busy link still arrives within
    /// them; read apart, the left arrow would be Escape, O and D) instead of 25 ms.
    private func readArrivingKey() -> TerminalInput? {
        var waiting: Int32 = 0
        let lone = ioctl(STDIN_FILENO, UInt(FIONREAD), &waiting) == 0 && waiting == 1
        set_escdelay(Int32(lone ? Self.loneEscapeDelay : Self.escapeDelay))
        return readKey(timeoutMilliseconds: Self.characterWait)
    }

    /// How long ncurses may wait for the rest of a character that has begun to arrive.
    static let characterWait = 100

    private func readKey(timeoutMilliseconds: Int) -> TerminalInput? {
        wtimeout(window, Int32(timeoutMilliseconds))
        var character: wint_t = 0
        let result = wget_wch(window, &character)
        if SignalGuard.interrupted { return .interrupt }
        if SignalGuard.takeResumed() { return .resumed }
        if result == ERR, terminalIsGone() { return .interrupt }
        switch result {
        case KEY_CODE_YES:
            if Int32(character) == KEY_RESIZE {
                let size = size
                return .resize(columns: size.columns, rows: size.rows)
            }
            return KeyDecoder.special(Int32(character)).map(TerminalInput.key)
        case OK where character == 27:
            return readEscapeSequence()
        case OK:
            return KeyDecoder.character(UInt32(character)).map(TerminalInput.key)
        default:
            return nil
        }
    }

    /// After an Escape ncurses did not join to a key it knows: a lone Escape is the Escape key; an
    /// Escape that came with `[` or `O` starts a sequence the terminal's entry lacks, read whole —
    /// waiting up to `escapeDelay` for each of its characters, to its final byte, however long — and
    /// decoded or dropped (`KeyDecoder.escapeSequence`). Anything else that came with the Escape
    /// (a letter, another Escape, a key or a resize ncurses knows), or that breaks off a sequence
    /// (a control character, a character outside ASCII), is read next as itself.
    private func readEscapeSequence() -> TerminalInput? {
        wtimeout(window, 0)
        var next: wint_t = 0
        switch wget_wch(window, &next) {
        case OK: break
        case KEY_CODE_YES:
            ungetch(Int32(next))
            return .key(.escape)
        default: return .key(.escape)
        }
        let introducer = UInt32(next)
        guard introducer == UInt32(UInt8(ascii: "[")) || introducer == UInt32(UInt8(ascii: "O")) else {
            unget_wch(wchar_t(next))
            return .key(.escape)
        }
        wtimeout(window, Int32(Self.escapeDelay))
        var rest = String(Unicode.Scalar(UInt8(introducer)))
        while true {
            switch wget_wch(window, &next) {
            case OK where (0x20...0x7E).contains(UInt32(next)):
                let ends = KeyDecoder.endsSequence(UInt32(next), soFar: rest)
                // Kept short: a longer sequence is no key this console knows, only read to its end.
                if rest.unicodeScalars.count < 16 { rest.unicodeScalars.append(Unicode.Scalar(UInt8(next))) }
                if ends { return KeyDecoder.escapeSequence(rest).map(TerminalInput.key) }
            case OK:
                unget_wch(wchar_t(next))
                return nil
            case KEY_CODE_YES:
                ungetch(Int32(next))
                return nil
            default:
                // Nothing more within the delay: the sequence broke off; it is dropped.
                return nil
            }
        }
    }

    /// True when the terminal behind standard input has gone away (hung up, closed): reading it
    /// would return at once forever. Then the console leaves, whether or not SIGHUP reached it.
    private func terminalIsGone() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return true }
        if descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        var attributes = termios()
        return tcgetattr(STDIN_FILENO, &attributes) != 0 && errno != EINTR
    }

    public func draw(_ runs: [CellRun]) {
        var cell = cchar_t()
        var overlays: [(x: Int, y: Int, text: String, style: Style)] = []
        let screen = size
        for run in runs {
            var x = Int32(run.x)
            for item in run.cells {
                defer { x += 1 }
                if item.isContinuation { continue }
                let (attributes, pair) = palette.attributes(for: item.style)
                if item.joinsSpacingCharacters {
                    let text = item.text
                    // Never on the last row or against the right edge, where a terminal that draws
                    // the sequence wider than two columns would wrap and scroll the screen.
                    if run.y < screen.rows - 1, Int(x) + 2 < screen.columns { overlays.append((Int(x), run.y, text, item.style)) }
                    Self.set(&cell, ClusterOverlay.placeholder(text), attributes, pair)
                } else {
                    item.withUTF8 { Self.set(&cell, utf8: $0, attributes, pair) }
                }
                mvwadd_wch(window, Int32(run.y), x, &cell)
            }
        }
        wnoutrefresh(window)
        doupdate()
        if !overlays.isEmpty {
            fflush(outputFile)
            overlay.write(overlays)
        }
    }
}

extension NcursesBackend {
    /// Fills `cell` with `text`: at most the five characters a curses cell takes, or, if curses
    /// refuses them (a first character the C library does not know, with marks after it), the
    /// first alone, which it always takes — never left holding the cell filled before.
    static func set(_ cell: inout cchar_t, _ text: String, _ attributes: attr_t, _ pair: Int16) {
        var text = text
        text.withUTF8 { set(&cell, utf8: $0, attributes, pair) }
    }

    /// As above, from the text's UTF-8 (a cell's, read without making a string).
    static func set(_ cell: inout cchar_t, utf8: UnsafeBufferPointer<UInt8>, _ attributes: attr_t, _ pair: Int16) {
        withUnsafeTemporaryAllocation(of: wchar_t.self, capacity: Cell.cursesCharacters + 1) { characters in
            var bytes = utf8.makeIterator()
            var decoder = UTF8()
            var count = 0
            while count < Cell.cursesCharacters, case .scalarValue(let scalar) = decoder.decode(&bytes) {
                characters[count] = wchar_t(bitPattern: scalar.value)
                count += 1
            }
            characters[count] = 0
            guard setcchar(&cell, characters.baseAddress, attributes, pair, nil) != OK else { return }
            characters[min(1, count)] = 0
            _ = setcchar(&cell, characters.baseAddress, attributes, pair, nil)
        }
    }
}

/// Why ncurses could not start.
public struct NcursesError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
