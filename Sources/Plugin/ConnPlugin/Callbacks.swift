internal import CMosquittoBroker
import ConnRecorder
import Locking

/// The one C callback the plugin registers, for MOSQ_EVT_CONNECT, MOSQ_EVT_DISCONNECT,
/// MOSQ_EVT_CLIENT_OFFLINE, MOSQ_EVT_PERSIST_CLIENT_ADD/DELETE and MOSQ_EVT_TICK. Runs on the broker's only thread: it copies what
/// it needs out of the broker's structures and returns; nothing here may trap.
let connPluginEventCallback: cmosq_event_callback = { event, eventData, userdata in
    guard let userdata else { return BrokerResult.success }
    // Ownership: the instance is retained by the registration (see PluginRuntime.initialize).
    let instance = Unmanaged<PluginInstance>.fromOpaque(userdata).takeUnretainedValue()
    instance.outbox.drain()
    guard let eventData else { return BrokerResult.success }
    switch event {
    case cmosq_evt_connect:
        let data = eventData.assumingMemoryBound(to: cmosq_evt_connect.self).pointee
        guard let client = data.client, let id = mosquitto_client_id(client) else { return BrokerResult.success }
        let now = Clocks.wallMicroseconds()
        let port = cmosq_listener_port(client)
        let keepAlive = mosquitto_client_keepalive(client)
        instance.recorder.clientConnected(
            handle: UInt(bitPattern: UnsafeRawPointer(client)), clientID: String(cString: id),
            username: mosquitto_client_username(client).map { String(cString: $0) },
            address: mosquitto_client_address(client).map { String(cString: $0) },
            protocolVersion: Int(mosquitto_client_protocol_version(client)), listenerPort: port >= 0 ? Int(port) : nil,
            keepAliveSeconds: keepAlive >= 0 ? Int(keepAlive) : nil, cleanStart: mosquitto_client_clean_session(client),
            websockets: cmosq_client_is_websockets(client) == 1,
            clientCertificate: cmosq_client_has_certificate(client) == 1, timestampMicros: now)
    case cmosq_evt_disconnect, cmosq_evt_client_offline:
        // Both payloads have the same layout: { future, client, reason, future2[4] }.
        let data = eventData.assumingMemoryBound(to: cmosq_evt_disconnect.self).pointee
        guard let client = data.client else { return BrokerResult.success }
        instance.recorder.clientDisconnected(
            handle: UInt(bitPattern: UnsafeRawPointer(client)), reason: data.reason,
            sessionPersists: event == cmosq_evt_client_offline, timestampMicros: Clocks.wallMicroseconds())
    case cmosq_evt_persist_client_add, cmosq_evt_persist_client_delete:
        let data = eventData.assumingMemoryBound(to: cmosq_evt_persist_client.self).pointee
        guard let id = data.data.clientid else { return BrokerResult.success }
        if event == cmosq_evt_persist_client_add {
            instance.recorder.sessionPersisted(clientID: String(cString: id))
        } else {
            instance.recorder.sessionDeleted(clientID: String(cString: id), timestampMicros: Clocks.wallMicroseconds())
        }
    case cmosq_evt_tick:
        // Called on every loop iteration, with a wake-up on a wall-clock grid, so that an idle
        // broker keeps publishing $SYS and forwarding the writer's log lines (TickSchedule says why).
        let tick = eventData.assumingMemoryBound(to: cmosq_evt_tick.self)
        let request = TickSchedule.request(nanosecondOfSecond: Int64(tick.pointee.now_ns))
        tick.pointee.next_s = time_t(request.nextSeconds)
        tick.pointee.next_ms = Int(request.nextMilliseconds)
        let now = Int64(tick.pointee.now_s) * 1_000_000 + Int64(tick.pointee.now_ns) / 1000
        guard instance.recorder.takeTickWorkIfDue(realtimeMicros: now) else { break }
        let status = instance.recorder.tick(
            monotonicMicros: Clocks.monotonicMicroseconds(), brokerHoldsSession: { cmosq_broker_holds_session($0) })
        for (topic, payload) in status {
            let bytes = Array(payload.utf8)
            _ = bytes.withUnsafeBytes { buffer in
                cmosq_publish_copy(topic, Int32(buffer.count), buffer.baseAddress, 0, true)
            }
        }
    default:
        break
    }
    return BrokerResult.success
}
