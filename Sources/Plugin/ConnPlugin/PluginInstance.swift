import ConnRecorder

/// One loaded copy of the plugin: its broker identifier and the callbacks it registered.
///
/// Every copy in a broker process shares one `ConnRecorder` (the shared object is loaded once,
/// so its globals are shared): per-listener configurations call every copy for every event, and
/// the recorder's connection tracking makes the second call a no-op, so each event is recorded
/// once.
final class PluginInstance {
    let identifier: OpaquePointer
    let recorder: ConnRecorder
    let outbox: BrokerLogHandler.Outbox
    var registeredEvents: [Int32] = []

    init(identifier: OpaquePointer, recorder: ConnRecorder, outbox: BrokerLogHandler.Outbox) {
        self.identifier = identifier
        self.recorder = recorder
        self.outbox = outbox
    }
}
