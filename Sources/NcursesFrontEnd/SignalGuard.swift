import CNcurses
import Foundation
import Synchronization

/// SIGINT, SIGTERM and SIGHUP (the terminal hung up) ask the loop to leave (it then restores the
/// terminal); a crash restores the terminal before the process dies; SIGCONT after Ctrl-Z asks for
/// a full redraw. The stop signals stay caught once the console has ended: a hang-up comes more
/// than once (the kernel's, then the shell's to its jobs, then the session's end), and a later one
/// must not kill the program while it finishes what the console left (the demo removing its store).
enum SignalGuard {
    private static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    static func install() {
        signal(SIGINT, onInterrupt)
        signal(SIGTERM, onInterrupt)
        signal(SIGHUP, onInterrupt)
        signal(SIGCONT, onContinue)
        for number in crashSignals { signal(number, onCrash) }
    }

    static func uninstall() {
        for number in [SIGCONT] + crashSignals { signal(number, SIG_DFL) }
    }

    static var interrupted: Bool { interruptFlag.load(ordering: .relaxed) }

    static func takeResumed() -> Bool { resumedFlag.exchange(false, ordering: .relaxed) }
}

/// Set from signal handlers; lock-free atomics are safe there.
private let interruptFlag = Atomic<Bool>(false)
private let resumedFlag = Atomic<Bool>(false)

private func onInterrupt(_: Int32) {
    interruptFlag.store(true, ordering: .relaxed)
}

private func onContinue(_: Int32) {
    resumedFlag.store(true, ordering: .relaxed)
}

/// Puts the terminal back, then dies of the same signal.
private func onCrash(_ number: Int32) {
    endwin()
    signal(number, SIG_DFL)
    raise(number)
}
