/// At most `limit` holders at once; the rest wait in order. A waiter whose task is cancelled
/// leaves the line (`acquire` throws `CancellationError`) and takes no slot.
actor ConcurrencyLimiter {
    private let limit: Int
    private var holders = 0
    private var waiting: [(number: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextNumber = 0

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func acquire() async throws {
        if holders < limit {
            holders += 1
            return
        }
        try Task.checkCancellation()
        let number = nextNumber
        nextNumber += 1
        let admitted = await withTaskCancellationHandler {
            await withCheckedContinuation { waiting.append((number, $0)) }
        } onCancel: {
            Task { await self.withdraw(number) }
        }
        if !admitted { throw CancellationError() }
    }

    func release() {
        if waiting.isEmpty {
            holders -= 1
        } else {
            // The slot passes to the first waiter.
            waiting.removeFirst().continuation.resume(returning: true)
        }
    }

    private func withdraw(_ number: Int) {
        guard let index = waiting.firstIndex(where: { $0.number == number }) else { return }
        waiting.remove(at: index).continuation.resume(returning: false)
    }

    /// Holders right now (for tests and the benchmark).
    var inUse: Int { holders }
}
