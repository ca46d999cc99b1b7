public import CMosquittoBroker

// The three symbols mosquitto looks up in a plugin (include/conn-plugin.h declares them).
// Each is a one-line adapter over PluginRuntime; they are `public` because a non-public
// @_cdecl function is not exported from a release build.

/// `int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)`:
/// answers 5 when the broker offers plugin API version 5, else -1.
@_cdecl("mosquitto_plugin_version")
public func mosquittoPluginVersion(_ count: Int32, _ versions: UnsafePointer<Int32>?) -> Int32 {
    guard let versions, count > 0 else { return -1 }
    return UnsafeBufferPointer(start: versions, count: Int(count)).contains(5) ? 5 : -1
}

/// `int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
/// struct mosquitto_opt *options, int option_count)`
@_cdecl("mosquitto_plugin_init")
public func mosquittoPluginInit(
    _ identifier: OpaquePointer?, _ userdata: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ options: UnsafeMutablePointer<mosquitto_opt>?, _ optionCount: Int32
) -> Int32 {
    PluginRuntime.initialize(identifier: identifier, userdata: userdata, options: copyOptions(options, optionCount))
}

/// `int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)`
@_cdecl("mosquitto_plugin_cleanup")
public func mosquittoPluginCleanup(
    _ userdata: UnsafeMutableRawPointer?, _ options: UnsafeMutablePointer<mosquitto_opt>?, _ optionCount: Int32
) -> Int32 {
    PluginRuntime.cleanup(context: userdata)
}

/// Copies the broker's option array into Swift strings.
private func copyOptions(_ options: UnsafeMutablePointer<mosquitto_opt>?, _ count: Int32) -> [(key: String, value: String)] {
    guard let options, count > 0 else { return [] }
    return UnsafeBufferPointer(start: options, count: Int(count)).compactMap { option in
        guard let key = option.key else { return nil }
        return (String(cString: key), option.value.map { String(cString: $0) } ?? "")
    }
}

// Stops the build if a prototype drifts from the broker's declaration.
private func same<F>(_: F, _: F) {}
private func checkPrototypes() {
    same(mosquitto_plugin_version, mosquittoPluginVersion)
    same(mosquitto_plugin_init, mosquittoPluginInit)
    same(mosquitto_plugin_cleanup, mosquittoPluginCleanup)
}
