/// The client ids whose MQTT session the broker keeps after their connection ended, with a
/// round-robin cursor so the broker's thread can check a bounded number of them per tick
/// against the broker's own client table.
package struct KeptSessions: Sendable {
    private var members: Set<String> = []
    /// Members in insertion order, with stale entries (removed since) skipped and compacted away.
    private var order: [String] = []
    private var cursor = 0
    /// Loaded from the database at start and not yet checked once: a miss there means the
    /// restarted broker did not restore the session, not that it expired.
    private var unverified: Set<String> = []

    package init() {}

    package var count: Int { members.count }

    package func contains(_ clientID: String) -> Bool { members.contains(clientID) }

    package mutating func insert(_ clientID: String, verified: Bool = true) {
        if members.insert(clientID).inserted { order.append(clientID) }
        if verified { unverified.remove(clientID) } else { unverified.insert(clientID) }
    }

    /// Removes `clientID`; true when it was kept.
    @discardableResult
    package mutating func remove(_ clientID: String) -> Bool {
        // Called for every connect and disconnect; most brokers keep no sessions, and hashing the
        // client id twice per event was a measurable part of the broker thread's cost.
        // (`unverified` is a subset of `members`.)
        guard !members.isEmpty else { return false }
        unverified.remove(clientID)
        return members.remove(clientID) != nil
    }

    /// The next members to check, at most `limit`, round robin (each member once per pass), with
    /// whether it is checked for the first time since it was loaded at start.
    package mutating func nextToCheck(limit: Int) -> [(clientID: String, firstCheck: Bool)] {
        var picked: [(String, Bool)] = []
        var examined = 0
        while picked.count < limit && examined < order.count {
            if cursor >= order.count {
                var seen: Set<String> = []
                order.removeAll { !members.contains($0) || !seen.insert($0).inserted }
                cursor = 0
                if order.isEmpty { break }
            }
            let clientID = order[cursor]
            cursor += 1
            examined += 1
            if members.contains(clientID) { picked.append((clientID, unverified.remove(clientID) != nil)) }
        }
        return picked
    }

    /// Every member, sorted.
    package var sorted: [String] { members.sorted() }
}
