import MQTTWire
import Testing

/// The MQTTWire encoders against hand-computed bytes; no network.
@Suite struct MQTTWireEncodingTests {
    // MARK: - Remaining length

    @Test(
        arguments: [
            (0, [0x00]),
            (127, [0x7F]),
            (128, [0x80, 0x01]),
            (16_383, [0xFF, 0x7F]),
            (16_384, [0x80, 0x80, 0x01]),
            (2_097_151, [0xFF, 0xFF, 0x7F]),
            (2_097_152, [0x80, 0x80, 0x80, 0x01]),
            (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
        ] as [(Int, [UInt8])])
    func remainingLengthEdges(value: Int, bytes: [UInt8]) throws {
        #expect(try MQTTEncoding.remainingLength(value) == bytes)
        let decoded = try #require(try MQTTEncoding.decodeRemainingLength([0x30] + bytes + [0xAA], at: 1))
        #expect(decoded.value == value)
        #expect(decoded.next == 1 + bytes.count)
    }

    @Test(arguments: [-1, 268_435_456, Int.max])
    func remainingLengthOutOfRangeThrows(value: Int) {
        #expect(throws: MQTTWireError.self) { try MQTTEncoding.remainingLength(value) }
    }

    @Test func remainingLengthDecodingNeedsMoreBytesOrRejectsFiveBytes() throws {
        #expect(try MQTTEncoding.decodeRemainingLength([0x80, 0x80], at: 0) == nil)
        #expect(try MQTTEncoding.decodeRemainingLength([], at: 0) == nil)
        #expect(throws: MQTTWireError.self) {
            try MQTTEncoding.decodeRemainingLength([0xFF, 0xFF, 0xFF, 0xFF, 0x01], at: 0)
        }
    }

    // MARK: - Strings

    @Test func fiveThousandCJKCharactersUseTheirUTF8Length() throws {
        let text = String(repeating: "界", count: 5000)  // E7 95 8C: 15,000 bytes = 0x3A98
        let encoded = try MQTTEncoding.string(text)
        #expect(encoded.count == 15_002)
        #expect(Array(encoded.prefix(5)) == [0x3A, 0x98, 0xE7, 0x95, 0x8C])
        let decoded = try MQTTEncoding.decodeString(encoded, at: 0)
        #expect(decoded.value == text)
        #expect(decoded.next == encoded.count)
    }

    @Test func emojiAndQuotesRoundTrip() throws {
        let text = "😀 \"quoted\" 'single' \\ 客户端"
        let encoded = try MQTTEncoding.string(text)
        #expect(Array(encoded.prefix(6)) == [0x00, UInt8(text.utf8.count), 0xF0, 0x9F, 0x98, 0x80])
        #expect(try MQTTEncoding.decodeString(encoded, at: 0).value == text)
    }

    @Test func stringsOver65535BytesAreRejected() throws {
        #expect(try MQTTEncoding.string(String(repeating: "a", count: 65_535)).count == 65_537)
        #expect(throws: MQTTWireError.self) { try MQTTEncoding.string(String(repeating: "a", count: 65_536)) }
        #expect(throws: MQTTWireError.self) { try MQTTEncoding.string(String(repeating: "😀", count: 16_384)) }
    }

    @Test func truncatedOrInvalidStringsAreRejected() {
        #expect(throws: MQTTWireError.self) { try MQTTEncoding.decodeString([0x00, 0x05, 0x61], at: 0) }
        #expect(throws: MQTTWireError.self) { try MQTTEncoding.decodeString([0x00, 0x01, 0xFF], at: 0) }
        #expect(throws: MQTTWireError.self) { try MQTTEncoding.decodeString([0x00], at: 0) }
    }

    // MARK: - CONNECT

    @Test func connectV31() throws {
        let bytes = try MQTTEncoding.connect(clientID: "c1", protocol: .v31)
        let expected: [UInt8] = [
            0x10, 16,
            0x00, 0x06, 0x4D, 0x51, 0x49, 0x73, 0x64, 0x70,  // "MQIsdp"
            0x03,  // level 3
            0x02,  // clean session
            0x00, 0x3C,  // keepalive 60
            0x00, 0x02, 0x63, 0x31,  // "c1"
        ]
        #expect(bytes == expected)
    }

    @Test func connectV311WithCredentials() throws {
        let bytes = try MQTTEncoding.connect(clientID: "c1", protocol: .v311, username: "u", password: "p")
        let expected: [UInt8] = [
            0x10, 20,
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // "MQTT"
            0x04,  // level 4
            0xC2,  // username, password, clean session
            0x00, 0x3C,
            0x00, 0x02, 0x63, 0x31,
            0x00, 0x01, 0x75,  // "u"
            0x00, 0x01, 0x70,  // "p"
        ]
        #expect(bytes == expected)
    }

    @Test func connectV5WithSessionExpiry() throws {
        let bytes = try MQTTEncoding.connect(
            clientID: "c1", protocol: .v5, cleanSession: false, keepAlive: 30, sessionExpiry: 3600)
        let expected: [UInt8] = [
            0x10, 20,
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,
            0x05,  // level 5
            0x00,  // clean start off
            0x00, 0x1E,  // keepalive 30
            0x05, 0x11, 0x00, 0x00, 0x0E, 0x10,  // properties: session expiry 3600
            0x00, 0x02, 0x63, 0x31,
        ]
        #expect(bytes == expected)
    }

    @Test func connectV5WithoutPropertiesHasAZeroPropertyLength() throws {
        let bytes = try MQTTEncoding.connect(clientID: "", protocol: .v5)
        #expect(bytes == [0x10, 13, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x00])
    }

    @Test func connectWithWill() throws {
        let will = MQTTWill(topic: "w", payload: [0x21], qos: 1, retain: true)
        let bytes = try MQTTEncoding.connect(clientID: "c", protocol: .v311, keepAlive: 10, will: will)
        let expected: [UInt8] = [
            0x10, 19,
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04,
            0x2E,  // will retain, will QoS 1, will flag, clean session
            0x00, 0x0A,
            0x00, 0x01, 0x63,
            0x00, 0x01, 0x77,  // will topic "w"
            0x00, 0x01, 0x21,  // will payload
        ]
        #expect(bytes == expected)
    }

    @Test func connectWithA5000EmojiClientIDHasAThreeByteRemainingLength() throws {
        let clientID = String(repeating: "😀", count: 5000)  // 20,000 bytes
        let bytes = try MQTTEncoding.connect(clientID: clientID, protocol: .v311)
        // body = 10 (variable header) + 2 + 20,000 = 20,012 = 44 + 28·128 + 1·16384
        #expect(Array(bytes.prefix(4)) == [0x10, 0xAC, 0x9C, 0x01])
        #expect(bytes.count == 1 + 3 + 20_012)
        #expect(Array(bytes[14..<16]) == [0x4E, 0x20])  // client id length 20,000
    }

    // MARK: - Other packets

    @Test func subscribeAndUnsubscribe() throws {
        #expect(
            try MQTTEncoding.subscribe(packetIdentifier: 1, topic: "a/b", qos: 1, protocol: .v311)
                == [0x82, 8, 0x00, 0x01, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x01])
        #expect(
            try MQTTEncoding.subscribe(packetIdentifier: 258, topic: "a/b", qos: 2, protocol: .v5)
                == [0x82, 9, 0x01, 0x02, 0x00, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x02])
        #expect(
            try MQTTEncoding.unsubscribe(packetIdentifier: 7, topic: "a", protocol: .v311)
                == [0xA2, 5, 0x00, 0x07, 0x00, 0x01, 0x61])
        #expect(
            try MQTTEncoding.unsubscribe(packetIdentifier: 7, topic: "a", protocol: .v5)
                == [0xA2, 6, 0x00, 0x07, 0x00, 0x00, 0x01, 0x61])
    }

    @Test func publishDisconnectAndPing() throws {
        #expect(
            try MQTTEncoding.publish(topic: "t", payload: [0x68, 0x69], protocol: .v311)
                == [0x30, 5, 0x00, 0x01, 0x74, 0x68, 0x69])
        #expect(
            try MQTTEncoding.publish(
                topic: "t", payload: [0x68], qos: 1, retain: true, packetIdentifier: 9, protocol: .v5)
                == [0x33, 7, 0x00, 0x01, 0x74, 0x00, 0x09, 0x00, 0x68])
        #expect(MQTTEncoding.disconnect(protocol: .v311) == [0xE0, 0x00])
        #expect(MQTTEncoding.disconnect(reasonCode: 0x04, protocol: .v311) == [0xE0, 0x00])
        #expect(MQTTEncoding.disconnect(protocol: .v5) == [0xE0, 0x00])
        #expect(MQTTEncoding.disconnect(reasonCode: 0x04, protocol: .v5) == [0xE0, 0x01, 0x04])
        #expect(MQTTEncoding.pingreq == [0xC0, 0x00])
    }

    // MARK: - Decoding

    @Test func publishDecodesForBothPropertyLayouts() throws {
        for version in MQTTProtocolVersion.allCases {
            let bytes = try MQTTEncoding.publish(
                topic: "a/😀", payload: Array("x".utf8), qos: 1, retain: true, packetIdentifier: 42, protocol: version)
            let length = try #require(try MQTTEncoding.decodeRemainingLength(bytes, at: 1))
            let packet = MQTTPacket(type: .publish, flags: bytes[0], body: Array(bytes[length.next...]))
            #expect(packet.bytes == bytes)
            let message = try MQTTPublish(packet, version: version)
            #expect(message.topic == "a/😀")
            #expect(message.payloadText == "x")
            #expect(message.qos == 1)
            #expect(message.retain)
            #expect(message.packetIdentifier == 42)
        }
    }

    @Test func connAckPropertiesAreSplit() throws {
        // Topic Alias Maximum 10, Assigned Client Identifier "abc", User Property ("k", "v").
        let raw: [UInt8] = [
            0x22, 0x00, 0x0A, 0x12, 0x00, 0x03, 0x61, 0x62, 0x63, 0x26, 0x00, 0x01, 0x6B, 0x00, 0x01, 0x76,
        ]
        let properties = try MQTTEncoding.properties(raw)
        #expect(properties.map(\.identifier) == [0x22, 0x12, 0x26])
        #expect(properties[0].value == [0x00, 0x0A])
        #expect(MQTTConnAck(sessionPresent: false, returnCode: 0, properties: raw).assignedClientIdentifier == "abc")
        #expect(throws: MQTTWireError.self) { try MQTTEncoding.properties([0x7F, 0x00]) }
        #expect(throws: MQTTWireError.self) { try MQTTEncoding.properties([0x11, 0x00]) }
    }

    @Test func packetTypeCoversEveryNibble() {
        for byte in UInt8(0)...UInt8(255) {
            #expect(MQTTPacketType(headerByte: byte).rawValue == byte >> 4)
        }
    }
}
