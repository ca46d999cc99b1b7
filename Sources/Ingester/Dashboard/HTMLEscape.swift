/// Escapes text for HTML element content and double- or single-quoted attribute values.
///
/// Client ids, usernames, topics and broker names are chosen by clients; every one of them goes
/// through here before it reaches a page, so an id made of markup renders as text.
package enum HTML {
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
