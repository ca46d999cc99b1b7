/// The ingester's bounded FIFO of inputs (of every broker), without the locking: `IngestQueue`
/// owns one under its lock.
///
/// Past `limit` it drops the oldest *message*, never a connection marker (the restart rule
/// counts on every marker). Messages and markers wait in two FIFOs, each entry stamped with its
/// arrival number, so that dropping the oldest message is a `popFirst` and `take` merges the two
/// back into arrival order: every operation is O(1) amortised, also while PostgreSQL is down and
/// every push drops.
package struct IngestBuffer: Sendable {
    /// The most inputs held at once.
    package let limit: Int
    private var messages = FIFO<Stamped>()
    private var markers = FIFO<Stamped>()
    private var nextStamp: UInt64 = 0

    private struct Stamped: Sendable {
        let stamp: UInt64
        let input: BrokerInput
    }

    /// An empty buffer holding at most `limit` inputs (markers beyond it stay).
    package init(limit: Int) {
        self.limit = limit
    }

    /// Inputs waiting.
    package var count: Int { messages.count + markers.count }

    /// True when nothing waits.
    package var isEmpty: Bool { count == 0 }

    /// Inputs pushed since the buffer was made, dropped ones included (wraps).
    package var arrivals: UInt64 { nextStamp }

    /// Appends `input`; past `limit`, drops the oldest message.
    /// - Returns: true when a message was dropped.
    package mutating func push(_ input: BrokerInput) -> Bool {
        let stamped = Stamped(stamp: nextStamp, input: input)
        nextStamp &+= 1
        if case .message = input.input { messages.append(stamped) } else { markers.append(stamped) }
        guard count > limit else { return false }
        return messages.popFirst() != nil
    }

    /// Removes and returns the oldest inputs, at most `maximum`, in arrival order.
    package mutating func take(_ maximum: Int) -> [BrokerInput] {
        var taken: [BrokerInput] = []
        taken.reserveCapacity(min(maximum, count))
        while taken.count < maximum {
            let fromMessages: Bool
            switch (messages.first, markers.first) {
            case (nil, nil): return taken
            case (.some, nil): fromMessages = true
            case (nil, .some): fromMessages = false
            case (let message?, let marker?): fromMessages = message.stamp < marker.stamp
            }
            if let next = fromMessages ? messages.popFirst() : markers.popFirst() { taken.append(next.input) }
        }
        return taken
    }
}

/// A FIFO over an array with a moving head: `popFirst` is O(1), and the consumed prefix is cut
/// off once it is more than half of the storage, so each element is moved at most once more.
private struct FIFO<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0

    var count: Int { storage.count - head }
    var first: Element? { head < storage.count ? storage[head] : nil }

    mutating func append(_ element: Element) { storage.append(element) }

    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }
}
