/// Hides secrets in QMP messages before they are written to a transcript, a log or the screen's history.
///
/// Redacted (the value becomes `"<redacted>"`):
/// - any member whose key names a secret: `password`, `passwd`, `secret`, `key-secret` excepted (it is only the
///   *id* of a secret object), keys ending in `-password` or `_password`;
/// - `data` of a `secret` object (`object-add qom-type=secret data=...`), also nested under `arguments`;
/// - the text after `set_password`, `change vnc password` and `object_add secret,...data=` in HMP command lines
///   (`human-monitor-command command-line=...`).
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
    public static func redactHMP(_ line: String) -> String {
        let trimmed = line.drop { $0 == " " }
        for prefix in ["set_password ", "change vnc password "] where trimmed.hasPrefix(prefix) {
            // set_password PROTOCOL PASSWORD [-c CONNECTED]: keep the protocol, hide the rest.
            let rest = trimmed.dropFirst(prefix.count)
            if prefix == "set_password ", let space = rest.firstIndex(of: " ") {
                return String(line.prefix(line.count - trimmed.count)) + prefix + rest[..<space] + " " + placeholder
            }
            return String(line.prefix(line.count - trimmed.count)) + prefix + placeholder
        }
        if trimmed.hasPrefix("object_add secret"), let range = line.firstRange(of: "data=") {
            let end = line[range.upperBound...].firstIndex(of: ",") ?? line.endIndex
            return String(line[..<range.upperBound]) + placeholder + String(line[end...])
        }
        return line
    }

    /// Whether a member with this key holds a secret.
    public static func isSecretKey(_ key: String) -> Bool {
        let lower = key.lowercased()
        if lower == "key-secret" || lower.hasSuffix("-secret") && lower != "secret" { return false }
        return lower == "password" || lower == "passwd" || lower == "secret" || lower.hasSuffix("-password")
            || lower.hasSuffix("_password")
    }
}
