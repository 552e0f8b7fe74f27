import HelpdeskCore
import Synchronization
import Testing

/// A value made once, by the first call that succeeds.
@Suite struct KeptOnSuccessTests {
    struct Refused: Error {}

    /// How many times a value was made, counted from any task.
    final class Made: Sendable {
        private let count = Atomic(0)
        func add() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    @Test func aFailureIsNotKeptAndTheFirstSuccessIs() throws {
        let kept = KeptOnSuccess<Int>()
        let made = Made()
        #expect(throws: Refused.self) {
            try kept.value { () throws(Refused) -> Int in
                made.add()
                throw Refused()
            }
        }
        #expect(try kept.value { () throws(Refused) -> Int in made.add(); return 7 } == 7)
        #expect(try kept.value { () throws(Refused) -> Int in made.add(); return 8 } == 7)
        #expect(made.value == 2, "tried again after the failure, never after the success")
    }

    @Test func callsAtOnceMakeTheValueOnce() async {
        let kept = KeptOnSuccess<Int>()
        let made = Made()
        let values = await withTaskGroup(of: Int.self) { group in
            for index in 0..<32 {
                group.addTask { kept.value { made.add(); return index } }
            }
            return await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(values.count == 1)
        #expect(made.value == 1)
    }
}
