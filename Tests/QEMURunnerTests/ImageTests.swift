#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QEMURunner
import QMP
import QMPTestSupport
import Testing

private let kib: UInt64 = 1024
private let mib: UInt64 = 1024 * kib
private let gib: UInt64 = 1024 * mib
private let tib: UInt64 = 1024 * gib
private let pib: UInt64 = 1024 * tib
private let eib: UInt64 = 1024 * pib

private let goodSizes: [(String, UInt64)] = [
    ("6G", 6 * gib), ("512M", 512 * mib), ("100K", 100 * kib), ("1T", tib), ("4096", 4096), ("4096B", 4096), ("0", 0),
    ("6g", 6 * gib), ("6GiB", 6 * gib), ("6gib", 6 * gib), ("1.5G", 3 * gib / 2), ("1.25M", 1_310_720), (".5K", 512),
    ("1E", eib), ("8191P", 8191 * pib), ("9223372036854775807", UInt64(Int64.max)),
]

private let printedSizes: [(UInt64, String)] = [
    (6 * gib, "6 GiB"), (3 * gib / 2, "1.5 GiB"), (196 * kib, "196 KiB"), (512, "512 bytes"), (1, "1 byte"),
    (1_310_720, "1.25 MiB"), (kib, "1 KiB"), (tib, "1 TiB"), (UInt64(Int64.max), "8 EiB"), (3 * mib / 2 + 10, "1.5 MiB"),
]

@Suite struct ImageSizeTests {
    @Test(arguments: goodSizes)
    func parses(text: String, bytes: UInt64) throws {
        #expect(try ImageSize(parsing: text).bytes == bytes)
    }

    @Test(arguments: [
        "", "6X", "G", "-1", "-1G", "1.1K", "1.5", "0.5B", "6GB", "6gb", "1.", "1.G", " 6G", "6G ", "6 G", "0x10",
        "9223372036854775808", "8E", "8192P", "1e9", "6GiBs", "١٢", "½G",
    ])
    func rejects(text: String) {
        #expect {
            try ImageSize(parsing: text)
        } throws: { error in
            guard let error = error as? RunnerError else { return false }
            // The message names the value, in quotes, so an empty or spaced value is visible too.
            return error.code == .invalidConfiguration && error.message.contains("'\(text)'")
        }
    }

    @Test func decimalUnitsAreCalledAmbiguous() throws {
        let error = try #require(throws: RunnerError.self) { try ImageSize(parsing: "6GB") }
        #expect(error.message.contains("ambiguous"))
        #expect(error.message.contains("GiB"))
    }

    @Test(arguments: printedSizes)
    func printsInBinaryUnits(bytes: UInt64, text: String) {
        #expect(ImageSize(bytes: bytes).description == text)
    }
}

@Suite struct DiskImageArgumentTests {
    @Test func fileNamesThatLookLikeProtocolsStayFiles() {
        #expect(DiskImage.fileArgument("a:b.qcow2") == "./a:b.qcow2")
        #expect(DiskImage.fileArgument("json:{}") == "./json:{}")
        #expect(DiskImage.fileArgument("nbd:localhost:10809") == "./nbd:localhost:10809")
        #expect(DiskImage.fileArgument("/tmp/a:b.qcow2") == "/tmp/a:b.qcow2")
        #expect(DiskImage.fileArgument("dir/a:b.qcow2") == "dir/a:b.qcow2")
        #expect(DiskImage.fileArgument("plain.qcow2") == "plain.qcow2")
        #expect(DiskImage.fileArgument("-dash.qcow2") == "-dash.qcow2")
    }

    @Test func backingFilesResolveAgainstTheImagesDirectory() {
        #expect(DiskImage.resolve("base.qcow2", relativeTo: "/tmp/x/overlay.qcow2") == "/tmp/x/base.qcow2")
        #expect(DiskImage.resolve("/abs/base.qcow2", relativeTo: "/tmp/x/overlay.qcow2") == "/abs/base.qcow2")
        #expect(DiskImage.resolve("base.qcow2", relativeTo: "overlay.qcow2") == "base.qcow2")
    }
}

/// These run the real qemu-img: without it they fail (scripts/setup.sh installs it).
@Suite struct DiskImageTests {
    @Test(arguments: [(ImageFormat.qcow2, "6G"), (.raw, "100K"), (.qcow2, "1.5M"), (.raw, "0")])
    func createThenInfo(format: ImageFormat, size: String) async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let path = directory.file("disk.\(format)")
        let expected = try ImageSize(parsing: size)
        try await DiskImage.create(path: path, format: format, size: expected)
        let info = try await DiskImage.info(path: path)
        #expect(info.format == format.rawValue)
        #expect(info.virtualSize == Int(expected.bytes))
        #expect(info.filename == path)
        #expect(info.backingFilename == nil)
        #expect(info.dirtyFlag != true)
        #expect(info.actualSize != nil)
        if format == .qcow2 {
            #expect(info.clusterSize == 65536)
            #expect(info.formatSpecific?.type == "qcow2")
            #expect(info.formatSpecific?.data?["compat"] == "1.1")
        }
        let json = try await DiskImage.infoJSON(path: path)
        #expect(json["virtual-size"]?.uint64Value == expected.bytes)
    }

    @Test func backingFileOverlay() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let base = directory.file("base.qcow2")
        try await DiskImage.create(path: base, format: .qcow2, size: .mebibytes(64))

        // Relative backing name (relative to the overlay's directory), format read from the base, size inherited.
        let overlay = directory.file("overlay.qcow2")
        try await DiskImage.create(path: overlay, format: .qcow2, size: nil, backingFile: "base.qcow2")
        let info = try await DiskImage.info(path: overlay)
        #expect(info.backingFilename == "base.qcow2")
        #expect(info.fullBackingFilename == base)
        #expect(info.backingFilenameFormat == "qcow2")
        #expect(info.virtualSize == 64 << 20)

        // A raw base with an explicit format, and an overlay larger than its base.
        let rawBase = directory.file("base.raw")
        try await DiskImage.create(path: rawBase, format: .raw, size: .mebibytes(1))
        let bigger = directory.file("bigger.qcow2")
        try await DiskImage.create(path: bigger, format: .qcow2, size: .mebibytes(8), backingFile: rawBase, backingFormat: .raw)
        let biggerInfo = try await DiskImage.info(path: bigger)
        #expect(biggerInfo.backingFilename == rawBase)
        #expect(biggerInfo.backingFilenameFormat == "raw")
        #expect(biggerInfo.virtualSize == 8 << 20)
    }

    @Test func convertBetweenFormats() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let qcow2 = directory.file("a.qcow2")
        try await DiskImage.create(path: qcow2, format: .qcow2, size: .mebibytes(3))
        let raw = directory.file("a.raw")
        try await DiskImage.convert(from: qcow2, to: raw, format: .raw)
        let rawInfo = try await DiskImage.info(path: raw)
        #expect(rawInfo.format == "raw")
        #expect(rawInfo.virtualSize == 3 << 20)
        let back = directory.file("b.qcow2")
        try await DiskImage.convert(from: raw, to: back, format: .qcow2, sourceFormat: .raw)
        let backInfo = try await DiskImage.info(path: back)
        #expect(backInfo.format == "qcow2")
        #expect(backInfo.virtualSize == 3 << 20)
    }

    /// Names a shell would mangle or run: every operation must take them literally.
    @Test(arguments: [
        "my disk.qcow2", "it's \"quoted\".qcow2", "a;b.qcow2", "$(touch x).qcow2", "`touch y`.qcow2",
        "-starts-with-dash.qcow2", "a:b.qcow2", "back\\slash & pipe | star*?.qcow2", "new\nline.qcow2",
    ])
    func awkwardFileNames(name: String) async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let sideEffects = ["x", "y", directory.file("x"), directory.file("y")]
        let before = sideEffects.filter { access($0, F_OK) == 0 }

        // Relative to the current directory is how a CLI user names files; test the absolute form here (the
        // directory is private) and the relative form of the ':' case through fileArgument above.
        let path = directory.file(name)
        try await DiskImage.create(path: path, format: .qcow2, size: .mebibytes(1))
        #expect(access(path, F_OK) == 0, "the image exists under its exact name")
        #expect(try await DiskImage.info(path: path).virtualSize == 1 << 20)

        let overlay = directory.file("overlay of " + name)
        try await DiskImage.create(path: overlay, format: .qcow2, size: nil, backingFile: name)
        // Recorded as given, except that a protocol-like name is recorded as ./NAME (so QEMU opens it as a file too).
        #expect(try await DiskImage.info(path: overlay).backingFilename == DiskImage.fileArgument(name))

        let converted = directory.file("raw copy of " + name)
        try await DiskImage.convert(from: overlay, to: converted, format: .raw)
        #expect(try await DiskImage.info(path: converted).format == "raw")

        let after = sideEffects.filter { access($0, F_OK) == 0 }
        #expect(after == before, "no shell ran the name's $(...) or `...`")
    }

    @Test func missingImageFailsWithQemuImgsMessage() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let path = directory.file("nonexistent.qcow2")
        let error = try await #require(throws: RunnerError.self) { try await DiskImage.info(path: path) }
        #expect(error.code == .toolFailed)
        #expect(error.message.contains("Could not open '\(path)'"))
        #expect(error.message.contains("No such file or directory"))
    }

    @Test func createInMissingDirectoryFails() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let path = directory.file("no/such/dir/d.qcow2")
        let error = try await #require(throws: RunnerError.self) {
            try await DiskImage.create(path: path, format: .qcow2, size: .mebibytes(1))
        }
        #expect(error.code == .toolFailed)
        #expect(error.message.contains("qemu-img create failed"))
        #expect(error.message.contains("No such file or directory"))
    }

    @Test func missingBackingFileNamesIt() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let error = try await #require(throws: RunnerError.self) {
            try await DiskImage.create(path: directory.file("o.qcow2"), format: .qcow2, size: nil, backingFile: "gone.qcow2")
        }
        #expect(error.code == .toolFailed)
        #expect(error.message.contains(directory.file("gone.qcow2")))
    }

    @Test func sizeIsNeededWithoutBackingFile() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let error = try await #require(throws: RunnerError.self) {
            try await DiskImage.create(path: directory.file("d.qcow2"), format: .qcow2, size: nil)
        }
        #expect(error.code == .invalidConfiguration)
        #expect(access(directory.file("d.qcow2"), F_OK) != 0)
    }

    @Test func missingProgramIsNotFound() async throws {
        let directory = try TemporaryDirectory(prefix: "qmpkit-img")
        let error = try await #require(throws: RunnerError.self) {
            try await DiskImage.info(path: directory.file("d.qcow2"), program: "/nonexistent/qemu-img")
        }
        #expect(error.code == .notFound)
        #expect(error.message.contains("qemu-utils"))
    }
}
