import Logging

/// The one format of the plugin's lines in the broker's log:
/// `conn-plugin: [Error: |Warning: ]message key=value ...`, keys sorted so equal records give
/// equal lines. Callers pass the message and the data (as metadata); the prefix comes from here.
package enum PluginLogLine {
    package static func format(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "conn-plugin: "
        switch level {
        case .error, .critical: line += "Error: "
        case .warning: line += "Warning: "
        case .trace, .debug, .info, .notice: break
        }
        line += message
        for key in metadata.keys.sorted() {
            line += " \(key)=\(metadata[key].map { "\($0)" } ?? "")"
        }
        return line
    }
}
