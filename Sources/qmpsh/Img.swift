import ArgumentParser
import QEMURunner
import QMP

struct Img: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "img",
        abstract: "Create, inspect and convert disk images (through qemu-img).",
        discussion: """
            Examples:
              qmpsh img create -f qcow2 disk.qcow2 6G
              qmpsh img create overlay.qcow2 --backing disk.qcow2
              qmpsh img info disk.qcow2
              qmpsh img convert -O raw disk.qcow2 disk.raw
            Exit status: 0 success; 1 qemu-img failed (its message is printed); 2 bad usage (e.g. a bad size);
            3 qemu-img is not installed.
            """,
        subcommands: [Create.self, Info.self, Convert.self]
    )
}

extension Img {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a disk image.",
            discussion: """
                SIZE is bytes or a number with a K, M, G, T, P or E suffix (powers of 1024): 512M, 6G, 1.5T.
                With --backing, the image is a copy-on-write overlay and SIZE may be left out (the backing file's
                size is used); a relative backing name is relative to FILE's directory, as qemu-img records it.
                Prints one line: what was created.
                """
        )

        @Option(name: [.customShort("f"), .long], help: "Image format: qcow2 or raw.")
        var format: String = "qcow2"

        @Argument(help: "The image file to create (overwritten if it exists).")
        var file: String

        @Argument(help: "Virtual size, e.g. 6G, 512M, 100K or a byte count.")
        var size: String?

        @Option(help: "Backing file: make FILE a copy-on-write overlay of it (qcow2).")
        var backing: String?

        @Option(help: "The backing file's format (default: read from the backing file).")
        var backingFormat: String?

        func validate() throws {
            guard ["qcow2", "raw"].contains(format) else {
                throw ValidationError("unsupported format '\(format)': use qcow2 or raw")
            }
            if let size {
                do { _ = try ImageSize(parsing: size) } catch { throw ValidationError(error.message) }
            } else if backing == nil {
                throw ValidationError("give a SIZE (e.g. 6G), or --backing FILE to take the backing file's size")
            }
            if backing != nil && format == "raw" {
                throw ValidationError("a raw image cannot have a backing file: use -f qcow2")
            }
            if backingFormat != nil && backing == nil {
                throw ValidationError("--backing-format needs --backing")
            }
        }

        func run() async throws {
            let size = try self.size.map { try ImageSize(parsing: $0) }
            try await reportingErrors {
                try await DiskImage.create(
                    path: file, format: ImageFormat(rawValue: format), size: size, backingFile: backing,
                    backingFormat: backingFormat.map(ImageFormat.init(rawValue:)))
                let info = try await DiskImage.info(path: file)
                var line = "created \(file): \(info.format), \(ImageSize(bytes: UInt64(info.virtualSize)))"
                if let backing = info.backingFilename { line += ", backing file \(backing)" }
                Output.out(line + "\n")
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info",
            abstract: "Show an image's format, sizes and backing file.",
            discussion: "Works on images a running QEMU has open. --json prints qemu-img's own JSON."
        )

        @Argument(help: "The image file.")
        var file: String

        @Flag(help: "Print qemu-img info's JSON instead of the summary.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                if json {
                    Output.out(try await DiskImage.infoJSON(path: file).serialized(pretty: true) + "\n")
                } else {
                    Output.out(Self.summary(try await DiskImage.info(path: file)))
                }
            }
        }

        /// `name: value` lines, sizes in binary units with exact bytes for the virtual size.
        static func summary(_ info: ImageInfo) -> String {
            var rows: [(String, String)] = [
                ("image", info.filename),
                ("format", info.format),
                ("virtual size", "\(ImageSize(bytes: UInt64(info.virtualSize))) (\(info.virtualSize) bytes)"),
            ]
            if let actual = info.actualSize { rows.append(("disk size", ImageSize(bytes: UInt64(actual)).description)) }
            if let cluster = info.clusterSize { rows.append(("cluster size", "\(cluster)")) }
            if let backing = info.backingFilename {
                var text = backing
                if let full = info.fullBackingFilename, full != backing { text += " (actual path: \(full))" }
                if let format = info.backingFilenameFormat { text += ", format \(format)" }
                rows.append(("backing file", text))
            }
            if info.dirtyFlag == true { rows.append(("dirty", "yes (not closed cleanly)")) }
            if info.encrypted == true { rows.append(("encrypted", "yes")) }
            return rows.map { "\($0.0): \($0.1)\n" }.joined()
        }
    }

    struct Convert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "convert",
            abstract: "Copy an image into a new one of another format.",
            discussion: "Example: qmpsh img convert -O qcow2 disk.raw disk.qcow2"
        )

        @Option(name: [.customShort("O"), .customLong("output-format")], help: "Format of the new image: qcow2 or raw.")
        var outputFormat: String = "qcow2"

        @Argument(help: "The image to read.")
        var source: String

        @Argument(help: "The image to write (overwritten if it exists).")
        var destination: String

        func validate() throws {
            guard ["qcow2", "raw"].contains(outputFormat) else {
                throw ValidationError("unsupported format '\(outputFormat)': use qcow2 or raw")
            }
        }

        func run() async throws {
            try await reportingErrors {
                try await DiskImage.convert(from: source, to: destination, format: ImageFormat(rawValue: outputFormat))
            }
        }
    }
}
