/// Captures a terminal pane until `condition` holds, up to `timeout` seconds. A capture may land
/// between two writes of one frame, so the condition must still hold on a second capture a moment
/// later, which is the one returned; on timeout the error shows the last screen.
func settledPane(_ what: String, timeout: Double, capture: () async throws -> String, _ condition: (String) -> Bool) async throws -> String {
    var last = ""
    var heldBefore = false
    for _ in 0..<Int(timeout * 20) {
        last = try await capture()
        if condition(last) {
            if heldBefore { return last }
            heldBefore = true
            try await Task.sleep(nanoseconds: 20_000_000)
            continue
        }
        heldBefore = false
        try await Task.sleep(nanoseconds: 50_000_000)
    }
    throw SmokeFailure("timed out waiting for \(what); the screen was:\n\(last)")
}
