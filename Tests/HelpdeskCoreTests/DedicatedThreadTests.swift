import Foundation
import Testing
import HelpdeskCore

@Suite struct DedicatedThreadTests {
    /// What `top -H`, `perf` and /proc call the thread: its name, cut to Linux's 15 bytes.
    @Test func theSystemKnowsTheThreadByItsName() async {
        let name = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            DedicatedThread.start("hd-test-thread-and-more") {
                let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                continuation.resume(returning: name.trimmingCharacters(in: .newlines))
            }
        }
        #expect(name == "hd-test-thread-")
    }
}
