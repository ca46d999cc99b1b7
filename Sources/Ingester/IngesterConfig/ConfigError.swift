/// A setting that cannot be used, found before anything connects. Its text names where the value
/// came from (the broker entry by index and name, and the field; or the command-line option) and
/// never contains a password or a connection string.
package struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// The `brokers` entry at fault: its index and, when it has one, its name. nil for a shared
    /// setting, the file as a whole, or the command line.
    package var entry: Entry?
    /// The field at fault as the file spells it (`port`, `tls.cafile`), when there is one.
    package var field: String?
    /// One sentence, already naming the field the way its source does (`port`, `--port`).
    package var message: String

    /// A broker entry of the file.
    package struct Entry: Equatable, Sendable {
        package var index: Int
        package var name: String?

        package init(index: Int, name: String?) {
            self.index = index
            self.name = name
        }

        /// `brokers[1] (name 'b')`, or `brokers[1]` for an entry without a usable name.
        package var label: String {
            guard let name, !name.isEmpty else { return "brokers[\(index)]" }
            return "brokers[\(index)] (name '\(name)')"
        }
    }

    package init(entry: Entry? = nil, field: String?, message: String) {
        self.entry = entry
        self.field = field
        self.message = message
    }

    package var description: String {
        guard let entry else { return message }
        return "\(entry.label): \(message)"
    }
}
