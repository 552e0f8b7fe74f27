import Foundation

/// The latest moment the call that changes Okta for the run being performed may still be sent.
/// The engine sets it around each run; the directory refuses to send a changing call past it, so a
/// process that was stopped (Ctrl-Z, `kill -STOP`) and resumed after reconcile settled its run
/// never sends the call late.
public enum ActionDeadline {
    @TaskLocal public static var current: Date?
}
