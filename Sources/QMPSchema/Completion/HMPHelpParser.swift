/// Reads completion data out of the text HMP prints (`help`, `info`, `info network`, `info qtree`).
///
/// Pure functions over the text; `\r\n` and `\n` line ends both work.
public enum HMPHelpParser {
    /// The command names in the output of `help`, aliases included (`cont|c` gives `cont` and `c`), sorted.
    ///
    /// A command's line starts with its name at the left margin, followed by its arguments and ` -- ` and a
    /// description; continuation lines are indented or start with a non-name character (`[file=file]...`).
    public static func commandNames(inHelp text: String) -> [String] {
        var names = Set<String>()
        for line in lines(text) {
            guard let first = line.first, first.isLetter || first == "?" else { continue }
            let word = line.prefix { !$0.isWhitespace }
            guard word.allSatisfy({ $0.isLetter || $0.isNumber || "_-|?".contains($0) }) else { continue }
            for alias in word.split(separator: "|") where !alias.isEmpty { names.insert(String(alias)) }
        }
        return names.sorted()
    }

    /// The subcommands in the output of `info` (or `help info`): `info block [-n] ... -- ...` gives `block`.
    public static func infoSubcommands(inHelp text: String) -> [String] {
        var names = Set<String>()
        for line in lines(text) where line.hasPrefix("info ") {
            let word = line.dropFirst(5).prefix { !$0.isWhitespace }
            if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "_-".contains($0) }) {
                names.insert(String(word))
            }
        }
        return names.sorted()
    }

    /// The network backends (netdevs) in the output of `info network`: every client that is not a guest NIC.
    ///
    /// Lines look like `nic0: index=0,type=nic,model=virtio-net-pci,...` and ` \ n0: index=0,type=user,...`;
    /// hub lines (`hub 0`) are skipped.
    public static func netdevIDs(inInfoNetwork text: String) -> [String] {
        var names: [String] = []
        for line in lines(text) {
            var rest = Substring(line)
            while let first = rest.first, first == " " || first == "\\" || first == "\t" { rest = rest.dropFirst() }
            guard let colon = rest.firstIndex(of: ":") else { continue }
            let name = rest[..<colon]
            let fields = rest[rest.index(after: colon)...]
            guard !name.isEmpty, !name.contains(" "), fields.contains("type=") else { continue }
            if fields.contains("type=nic") { continue }
            if !names.contains(String(name)) { names.append(String(name)) }
        }
        return names
    }

    /// The bus names in the output of `info qtree` (`bus: pci.0`).
    public static func busNames(inInfoQtree text: String) -> [String] {
        var names: [String] = []
        for line in lines(text) {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("bus: ") else { continue }
            let name = String(trimmed.dropFirst(5).prefix { !$0.isWhitespace })
            if !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }

    private static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }
}
