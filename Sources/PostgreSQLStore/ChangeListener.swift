import CPostgreSQL
import Foundation
import HelpdeskCore

/// A connection that LISTENs on the store's channel: every commit by any service on the database
/// NOTIFYs it, and the count of notifications read is the store's change token. Reading takes no
/// round trip (what arrived on the socket is consumed), so it can be polled every few
/// milliseconds. A lost connection is made again, and counts as a change, since what was
/// committed meanwhile was not heard.
final class ChangeListener {
    private let connection: PGConnection
    private let channel: String
    private var heard: Int64 = 0

    init(url: String, password: String?, location: String, channel: String) throws(StoreError) {
        connection = try PGConnection(url: url, password: password, location: location, answerTimeout: Self.pingInterval)
        self.channel = channel
        try listen()
    }

    private func listen() throws(StoreError) {
        do {
            try connection.execute("LISTEN \"" + channel.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
        } catch {
            throw error.storeError(location: connection.location)
        }
    }

    /// After a failed reconnection, the next is tried no sooner than this: a server that does not
    /// answer would otherwise hold every poll for the connect timeout.
    static let reconnectPause: TimeInterval = 1
    private var nextReconnect = Date.distantPast
    private var lastFailure: StoreError?

    /// A listener hears nothing when nothing is committed, and nothing either when the network
    /// stalls: every few seconds it asks the server for an answer.
    static let pingInterval: TimeInterval = 5
    private var nextPing = Date().addingTimeInterval(pingInterval)

    /// Reads what arrived; the number of notifications heard (and reconnections made) so far.
    func token() throws -> Int64 {
        if connection.isUp, Date() >= nextPing {
            nextPing = Date().addingTimeInterval(Self.pingInterval)
            // A failed ping leaves the connection down; the reconnection below follows.
            try? connection.execute("SELECT 1")
        }
        if !connection.isUp || connection.pq.consumeInput(connection.handle) == 0 || !connection.isUp {
            if let lastFailure, Date() < nextReconnect { throw lastFailure }
            do throws(StoreError) {
                try connection.reconnect()
                do throws(StoreError) {
                    try listen()
                } catch {
                    // Connected but not listening would hear nothing, for good: try again later.
                    connection.abandon()
                    throw error
                }
                lastFailure = nil
            } catch {
                lastFailure = error
                nextReconnect = Date().addingTimeInterval(Self.reconnectPause)
                throw error
            }
            heard += 1
        }
        while let notice = connection.pq.notifies(connection.handle) {
            connection.pq.freemem(notice)
            heard += 1
        }
        return heard
    }
}
