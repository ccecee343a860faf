/// Hides secrets in QMP messages before they are written to a transcript, a log or the screen's history.
///
/// Redacted (the value becomes `"<redacted>"`):
/// - any member whose key names a secret: `password`, `passwd`, `secret`, `key-secret` excepted (it is only the
///   *id* of a secret object), keys ending in `-password` or `_password`;
/// - `data` of a `secret` object (`object-add qom-type=secret data=...`), also nested under `arguments`;
/// - in HMP command lines (`human-monitor-command command-line=...`), the password of `set_password` and
///   `change vnc password`, and secret values in the option lists of `object_add`, `netdev_add`, `drive_add`,
///   `device_add` and `chardev_add` (see ``redactHMP(_:)``).
///
/// Nothing else changes: member order, numbers and the rest of the message stay as they were.
public enum Redaction {
    /// The text that replaces a secret.
    public static let placeholder = "<redacted>"

    /// `message` with its secrets replaced by ``placeholder``.
    public static func redact(_ message: JSON) -> JSON {
        switch message {
        case .object(let object): return .object(redact(object))
        case .array(let array): return .array(array.map(redact))
        default: return message
        }
    }

    /// `object` with its secrets replaced by ``placeholder``.
    public static func redact(_ object: JSONObject) -> JSONObject {
        let isSecretObject = object["qom-type"]?.stringValue == "secret"
        var result = JSONObject()
        for (key, value) in object.members {
            if isSecretKey(key) || (isSecretObject && key == "data") {
                result[key] = .string(placeholder)
            } else if key == "command-line", let line = value.stringValue {
                result[key] = .string(redactHMP(line))
            } else {
                result[key] = redact(value)
            }
        }
        return result
    }

    /// An HMP command line with the secret part replaced.
    ///
    /// - `set_password PROTOCOL PASSWORD [-c CONNECTED]` keeps the protocol; `change vnc password PASSWORD` hides
    ///   the password. Without a password there is nothing to hide and the line stays as it is.
    /// - In the option lists of `object_add`, `netdev_add`, `drive_add`, `device_add` and `chardev_add`
    ///   (`type,key=value,...`, where `,,` is an escaped comma), the value of every secret key, and `data` of a
    ///   `secret` object (`object_add secret,...` or `object_add qom-type=secret,...`), becomes the placeholder.
    public static func redactHMP(_ line: String) -> String {
        let indent = line.prefix { $0 == " " }
        let trimmed = line.dropFirst(indent.count)
        let words = trimmed.split(separator: " ", omittingEmptySubsequences: true)
        guard let command = words.first else { return line }
        switch command {
        case "set_password" where words.count >= 3:
            return indent + "set_password " + words[1] + " " + placeholder
        case "change" where words.count >= 4 && words[1] == "vnc" && words[2] == "password":
            return indent + "change vnc password " + placeholder
        case "object_add", "netdev_add", "drive_add", "device_add", "chardev_add":
            // Words are kept with their original spacing; only option values change.
            var result = String(indent)
            var rest = trimmed[...]
            while let first = rest.first {
                if first == " " {
                    result.append(first)
                    rest = rest.dropFirst()
                    continue
                }
                let word = rest.prefix { $0 != " " }
                result += word.startIndex == trimmed.startIndex ? String(word) : redactOptionList(word)
                rest = rest.dropFirst(word.count)
            }
            return result
        default:
            return line
        }
    }

    /// `type,key=value,...` with secret values replaced. `,,` stands for a comma inside a value.
    private static func redactOptionList(_ text: Substring) -> String {
        var elements: [String] = []
        var current = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "," {
                if next < text.endIndex && text[next] == "," {
                    current += ",,"
                    index = text.index(after: next)
                    continue
                }
                elements.append(current)
                current = ""
            } else {
                current.append(character)
            }
            index = next
        }
        elements.append(current)
        let isSecretObject = elements.first == "secret" || elements.contains("qom-type=secret")
        return elements.map { element in
            guard let equals = element.firstIndex(of: "=") else { return element }
            let key = String(element[..<equals])
            guard isSecretKey(key) || (isSecretObject && key == "data") else { return element }
            return key + "=" + placeholder
        }.joined(separator: ",")
    }

    /// Whether a member with this key holds a secret.
    public static func isSecretKey(_ key: String) -> Bool {
        let lower = key.lowercased()
        if lower == "key-secret" || lower.hasSuffix("-secret") && lower != "secret" { return false }
        return lower == "password" || lower == "passwd" || lower == "secret" || lower.hasSuffix("-password")
            || lower.hasSuffix("_password")
    }
}
