import ConnRecorder
import Testing

@Suite struct KeptSessionsTests {
    @Test func checksEveryMemberOncePerPassInBoundedSteps() {
        var kept = KeptSessions()
        for index in 0..<10 { kept.insert("c\(index)") }
        let first = kept.nextToCheck(limit: 4).map(\.clientID)
        let second = kept.nextToCheck(limit: 4).map(\.clientID)
        let third = kept.nextToCheck(limit: 4).map(\.clientID)
        #expect(first.count == 4 && second.count == 4 && third.count >= 2)
        #expect(Set(first + second + third.prefix(2)) == Set((0..<10).map { "c\($0)" }))
    }

    @Test func removedMembersAreNotCheckedAndSpaceIsReclaimed() {
        var kept = KeptSessions()
        for index in 0..<5 { kept.insert("c\(index)") }
        let removed = kept.remove("c1")
        let removedAgain = kept.remove("c1")
        #expect(removed && !removedAgain)
        for _ in 0..<3 {
            let pass = kept.nextToCheck(limit: 100).map(\.clientID)
            #expect(!pass.contains("c1"))
            #expect(Set(pass).isSubset(of: ["c0", "c2", "c3", "c4"]))
        }
        #expect(kept.count == 4)
    }

    @Test func aSessionLoadedAtStartIsFirstCheckedOnce() {
        var kept = KeptSessions()
        kept.insert("restored", verified: false)
        kept.insert("live")
        let first = kept.nextToCheck(limit: 10)
        #expect(first.first { $0.clientID == "restored" }?.firstCheck == true)
        #expect(first.first { $0.clientID == "live" }?.firstCheck == false)
        var again: [(clientID: String, firstCheck: Bool)] = []
        for _ in 0..<3 { again += kept.nextToCheck(limit: 10) }
        #expect(again.allSatisfy { !$0.firstCheck })
    }

    @Test func anEmptySetYieldsNothing() {
        var kept = KeptSessions()
        #expect(kept.nextToCheck(limit: 10).isEmpty)
        kept.insert("x")
        kept.remove("x")
        #expect(kept.nextToCheck(limit: 10).isEmpty)
    }
}
