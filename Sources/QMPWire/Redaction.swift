/// Hides secrets in QMP messages and typed lines before they are written to a transcript, a log, a history file,
/// a recording or the screen. This is the package's one redaction routine: every writer goes through it.
///
/// Redacted (the value becomes ``placeholder``, or the placeholder a caller gives):
/// - any member whose key names a secret (``isSecretKey(_:)``): `password`, `passwd`, `secret`, `iv`,
///   `passwordid`, `key-secret` and other `*-secret` references, keys ending in `-password` or `_password`;
/// - `data` of a `secret` object (`object-add qom-type=secret data=...`), also nested under `arguments`;
/// - in HMP command lines (`human-monitor-command command-line=...`), the password of `set_password`,
///   `change vnc password` and `block_passwd`, secret values in the option lists of `object_add`, `netdev_add`,
///   `drive_add`, `device_add` and `chardev_add`, and their JSON form (`object_add {"qom-type":"secret",...}`);
///   spaces and tabs both separate words (see ``redactHMP(_:placeholder:)``);
/// - typed lines in every input form (``redactLine(_:placeholder:hmpMode:)``);
/// - the return value of a command that reads a secret (``readsSecret(command:arguments:)``, applied by
///   ``ReplyTracker``);
/// - what a guest agent command carries into the guest (``payloadArguments``): the contents of
///   `guest-file-write` (`buf-b64`) and the standard input of `guest-exec` (`input-data`); the password of
///   `guest-set-user-password` is a secret key already; and what one carries out of the guest
///   (``payloadReplyMembers``): the contents `guest-file-read` returns (`buf-b64`), its size (`count`) kept;
///
/// Nothing else changes: member order, numbers and the rest of the message stay as they were.
public enum Redaction {
    /// The text that replaces a secret.
    public static let placeholder = "<redacted>"

    /// `message` with its secrets replaced by `placeholder`.
    public static func redact(_ message: JSON, placeholder: String = placeholder) -> JSON {
        switch message {
        case .object(let object): return .object(redact(object, placeholder: placeholder))
        case .array(let array): return .array(array.map { redact($0, placeholder: placeholder) })
        default: return message
        }
    }

    /// `object` with its secrets replaced by `placeholder`.
    public static func redact(_ object: JSONObject, placeholder: String = placeholder) -> JSONObject {
        let isSecretObject = object["qom-type"]?.stringValue == "secret"
        var result = JSONObject()
        for (key, value) in object.members {
            if isSecretKey(key) || (isSecretObject && key == "data") {
                result[key] = .string(placeholder)
            } else if isSecretObject && key == "props" {
                result[key] = redactSecretProperties(value, placeholder: placeholder)
            } else if key == "command-line", let line = value.stringValue {
                result[key] = .string(redactHMP(line, placeholder: placeholder))
            } else {
                result[key] = redact(value, placeholder: placeholder)
            }
        }
        if let name = (object["execute"] ?? object["exec-oob"])?.stringValue, let fields = payloadArguments[name],
            case .object(var arguments)? = result["arguments"]
        {
            for field in fields where arguments[field] != nil { arguments[field] = .string(placeholder) }
            result["arguments"] = .object(arguments)
        }
        if case .object(var returned)? = result["return"], payloadReplyMembers.contains(where: { returned[$0] != nil }) {
            for member in payloadReplyMembers where returned[member] != nil { returned[member] = .string(placeholder) }
            result["return"] = .object(returned)
        }
        return result
    }

    /// Members of a reply that carry data out of the guest: the contents `guest-file-read` read (`buf-b64`; its
    /// `count`, the size, stays). Redacted in any reply's `return`, like ``payloadArguments`` in a request.
    public static let payloadReplyMembers: Set<String> = ["buf-b64"]

    /// Arguments of guest agent commands that carry data into the guest, which may be anything (a key file, a
    /// password on a program's standard input): redacted like secrets.
    public static let payloadArguments: [String: [String]] = [
        "guest-file-write": ["buf-b64"],
        "guest-exec": ["input-data"],
    ]

    /// An HMP command line with the secret part replaced.
    ///
    /// - `set_password PROTOCOL PASSWORD [-c CONNECTED]` keeps the protocol; `change vnc password PASSWORD` and
    ///   `block_passwd DEVICE PASSWORD` hide the password. Without a password there is nothing to hide and the
    ///   line stays as it is.
    /// - In the option lists of `object_add`, `netdev_add`, `drive_add`, `device_add` and `chardev_add`
    ///   (`type,key=value,...`, where `,,` is an escaped comma), the value of every secret key, and `data` of a
    ///   `secret` object (`object_add secret,...` or `object_add qom-type=secret,...`), becomes the placeholder;
    ///   their JSON form (`object_add {"qom-type": "secret", "id": "s0", "data": "..."}`) is redacted as JSON.
    /// - Spaces and tabs both separate words.
    public static func redactHMP(_ line: String, placeholder: String = placeholder) -> String {
        func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }
        let indent = line.prefix(while: isBlank)
        let trimmed = line.dropFirst(indent.count)
        let words = trimmed.split(omittingEmptySubsequences: true, whereSeparator: isBlank)
        guard let command = words.first else { return line }
        switch command {
        case "set_password" where words.count >= 3:
            return indent + "set_password " + words[1] + " " + placeholder
        case "change" where words.count >= 4 && words[1] == "vnc" && (words[2] == "password" || words[2] == "passwd"):
            return indent + "change vnc password " + placeholder
        case "block_passwd" where words.count >= 3:
            return indent + "block_passwd " + words[1] + " " + placeholder
        case "object_add", "netdev_add", "drive_add", "device_add", "chardev_add":
            let afterCommand = trimmed.dropFirst(command.count)
            let gap = afterCommand.prefix(while: isBlank)
            let arguments = afterCommand.dropFirst(gap.count)
            if arguments.first == "{" {
                guard let value = try? JSON(parsing: String(arguments)) else {
                    // Unparsable JSON may still hold a secret: keep only the command.
                    return indent + command + gap + placeholder
                }
                return indent + command + gap + redact(value, placeholder: placeholder).serialized()
            }
            // Words are kept with their original spacing; only option values change.
            var result = String(indent)
            var rest = trimmed[...]
            while let first = rest.first {
                if isBlank(first) {
                    result.append(first)
                    rest = rest.dropFirst()
                    continue
                }
                let word = rest.prefix { !isBlank($0) }
                result += word.startIndex == trimmed.startIndex ? String(word) : redactOptionList(word, placeholder: placeholder)
                rest = rest.dropFirst(word.count)
            }
            return result
        default:
            return line
        }
    }

    /// `type,key=value,...` with secret values replaced. `,,` stands for a comma inside a value.
    private static func redactOptionList(_ text: Substring, placeholder: String) -> String {
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
    ///
    /// `key-secret`, `passwordid` and other `*-secret` keys hold only the id of a `secret` object, but an id can
    /// name what it protects, so they are hidden too (an id is never needed to read a transcript).
    public static func isSecretKey(_ key: String) -> Bool {
        let lower = key.lowercased()
        return lower == "password" || lower == "passwd" || lower == "secret" || lower == "iv" || lower == "passwordid"
            || lower.hasSuffix("-password") || lower.hasSuffix("_password") || lower.hasSuffix("-secret")
            || lower.hasSuffix("_secret")
    }
}
