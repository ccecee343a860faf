/// QEMU's option-string syntax (`key=value,key=value`): the one place where user-supplied values are escaped.
///
/// In an option string a comma separates options, and a doubled comma stands for one comma inside a value. Every
/// value this package puts into an option string (file names, guest names, MAC addresses, host forwards, ...)
/// goes through ``escape(_:)``, so a name such as `x,process=evil` stays one value instead of adding an option.
public enum QEMUOption {
    /// `value` with each comma doubled.
    public static func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value {
            result.append(character)
            if character == "," { result.append(",") }
        }
        return result
    }

    /// `key=value` with the value escaped.
    public static func pair(_ key: String, _ value: String) -> String { key + "=" + escape(value) }

    /// Splits an option string at single commas and turns doubled commas back into one (the inverse of joining
    /// escaped values with commas).
    public static func split(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var characters = text.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if character == "," {
                if pending == "," {
                    current.append(",")
                    pending = characters.next()
                } else {
                    parts.append(current)
                    current = ""
                }
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }
}
