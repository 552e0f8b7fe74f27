import Foundation

/// The one way a run written ahead is carried out: it calls Okta only while this process still
/// owns the run and the run's time has not run out, and it records what Okta answered — its
/// request id too — trying the write again when the store is busy, so an answer is not lost to a
/// failed write. The engine, the sweep and reconcile all go through it.
struct RunExecutor {
    let engine: ActionEngine

    /// What calling Okta came to.
    enum Performed {
        case answered(DirectoryReceipt)
        case failed(DirectoryError)
        /// Nothing was sent: the run was settled elsewhere meanwhile, or its time ran out.
        case notSent(String)
    }

    /// Calls Okta for `run`, unless it is no longer this process's to call.
    func perform(_ run: ActionRun) async -> Performed {
        let current: ActionRun?
        do {
            current = try engine.store.read { try $0.run(run.id) }
        } catch {
            return .notSent("the store could not be read to check \(run.id) was still to be run (\(error)); nothing was sent")
        }
        guard let current, current.state == .started else {
            return .notSent("\(run.id) was settled while this process waited (it is \(current?.state.rawValue ?? "gone")); nothing was sent")
        }
        guard engine.clock.now() < run.callDeadline else {
            return .notSent("\(run.id)'s time to call Okta ran out before the call could be sent; nothing was sent")
        }
        do {
            return .answered(try await ActionDeadline.$current.withValue(run.callDeadline) {
                try await engine.directory.perform(run.action, on: run.targetUserID)
            })
        } catch let error as DirectoryError {
            return .failed(error)
        } catch {
            return .failed(DirectoryError(kind: .outcomeUnknown, summary: "\(error)"))
        }
    }

    /// Pauses between tries of a write after Okta answered: short, then longer, about a quarter of a minute in all.
    static let writeRetries: [TimeInterval] = [0.05, 0.25, 1, 3, 10]

    /// Writes `body` in one transaction, trying again while the store refuses.
    func record<T>(_ body: (any StoreWriter) throws -> T) async throws -> T {
        var delays = Self.writeRetries[...]
        while true {
            do {
                return try engine.store.write(body)
            } catch let error as StoreError {
                if case .busy = error {} else if case .failed = error {} else { throw error }
                guard let delay = delays.popFirst() else { throw error }
                try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            }
        }
    }

    /// The events for a run Okta answered after it had already been settled: what Okta did, and an alert.
    static func late(_ run: ActionRun, settled state: ActionRun.State?, okta what: String, writer: any StoreWriter, at now: Date) throws {
        try writer.append(EventDraft(actor: run.startedBy, at: now, payload: .alert(.init(
            message: "Okta's answer for \(run.id) (\(run.action.summary)) came after it had been settled as \(state?.rawValue ?? "finished"): \(what) — check the account and correct by hand if needed",
            runID: run.id))), to: run.requestID)
    }
}
