import ArgumentParser

/// QEMU's own single-dash spellings on `boot` and `run` (`-name my-VM -hda d.img -cdrom x.iso -boot d -m 1024`),
/// turned into this tool's options before parsing: without this, `-hda` would read as `-h` (help) and `-name` as
/// `-n -a -m -e`.
enum QEMUSpellings {
    /// QEMU options that are this tool's `--NAME` options of the same name.
    static let sameName: Set<String> = [
        "name", "hda", "hdb", "cdrom", "boot", "smp", "drive", "net", "netdev", "device", "kernel", "initrd",
        "append", "cpu", "vga", "display", "nic", "accel", "machine", "memory",
    ]

    /// Options whose value is passed through untouched (it may itself start with a dash).
    static let verbatimValues: Set<String> = ["--extra", "--append", "-append"]

    /// QEMU options this tool covers differently: the pointer to use instead.
    static let pointers: [String: String] = [
        "monitor": "qmpsh boot prints its monitor's path; `qmpsh shell PATH` (or --shell) opens it, `qmpsh hmp PATH 'info block'` runs one HMP command",
        "qmp": "qmpsh boot serves a QMP monitor itself and prints its path",
        "serial": "the serial console is the terminal of a foreground `qmpsh boot` (--serial-log FILE keeps a copy)",
        "daemonize": "use --detach",
        "hdc": "use -cdrom for a CD, or --drive file=F,index=2",
        "hdd": "use --drive file=F,index=3",
    ]

    /// The arguments (without the program name) with QEMU's spellings rewritten, when the subcommand is `boot` or
    /// `run`; a spelling with no equivalent is a usage error that names the option to use.
    static func rewrite(_ arguments: [String]) throws(ValidationError) -> [String] {
        guard let command = arguments.firstIndex(where: { $0 == "boot" || $0 == "run" }),
            arguments[..<command].allSatisfy({ $0.hasPrefix("-") })
        else { return arguments }
        var result = Array(arguments[...command])
        var index = command + 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                result += arguments[(index - 1)...]
                break
            }
            if verbatimValues.contains(argument), index < arguments.count {
                result += [argument == "-append" ? "--append" : argument, arguments[index]]
                index += 1
                continue
            }
            guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2 else {
                result.append(argument)
                continue
            }
            let name = String(argument.dropFirst())
            if sameName.contains(name) {
                result.append("--" + name)
            } else if name == "enable-kvm" {
                result += ["--accel", "kvm"]
            } else if name == "nographic" {
                result += ["--display", "none", "--vga", "none"]
            } else if name == "balloon" {
                result.append("--balloon")
                if index < arguments.count, arguments[index].hasPrefix("virtio") { index += 1 }
            } else if let pointer = pointers[name] {
                throw ValidationError("QEMU's \(argument) is not a qmpsh boot option: \(pointer)")
            } else if name.first.map({ "mMh".contains($0) }) == true && name.count > 1 && !name.contains("=") {
                // -m1024 / -Mq35 are short options with their value attached; leave them to the parser.
                result.append(argument)
            } else {
                throw ValidationError(
                    "unknown option '\(argument)': qmpsh boot takes QEMU's common options (-name -hda -hdb -cdrom -boot -m -smp -M "
                        + "-drive -net -nic -netdev -device -kernel -initrd -append -cpu -vga -display -balloon); pass others "
                        + "with --extra \(argument) --extra VALUE")
            }
        }
        return result
    }
}
