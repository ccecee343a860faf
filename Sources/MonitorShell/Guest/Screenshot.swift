#if canImport(Glibc)
import Glibc
#endif
public import QMP
import QMPWire
import QEMURunner

/// The guest's screen as an image file written by the client (`qmpsh screenshot`, `.screenshot`): the path is the
/// caller's (relative to the caller's working directory, not QEMU's), QEMU writes into a private folder of its
/// own and the client copies the image over. A `.ppm` name gets QEMU's PPM; any other gets PNG — from QEMU
/// (`format=png`, QEMU ≥ 7.1) or, for an older QEMU, converted from PPM by ``PNGEncoder``.
public enum Screenshot {
    /// Takes the screenshot through `client` and writes it to `path`; returns the image's width and height.
    @discardableResult
    public static func capture(_ client: QMPClient, to path: String, device: String? = nil) async throws -> (width: Int, height: Int) {
        let scratch = try RuntimeDirectory.create(prefix: "qmpsh-shot")
        defer { scratch.remove() }
        // QEMU may run as another user (libvirt): let it enter the folder and write there, nobody else list it.
        chmod(scratch.path, 0o733)
        let wantsPPM = path.lowercased().hasSuffix(".ppm")
        var arguments: [String: JSON] = ["filename": .string(scratch.file(wantsPPM ? "screen.ppm" : "screen.png"))]
        if let device { arguments["device"] = .string(device) }
        var bytes: [UInt8]
        if wantsPPM {
            _ = try await client.execute("screendump", arguments: .object(JSONObject(arguments.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })))
            bytes = try readFile(scratch.file("screen.ppm"))
        } else {
            arguments["format"] = "png"
            do {
                _ = try await client.execute("screendump", arguments: .object(JSONObject(arguments.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })))
                bytes = try readFile(scratch.file("screen.png"))
            } catch let error as QMPError where error.description.contains("format") {
                // An older QEMU without format=png: take PPM and convert it here.
                arguments["format"] = nil
                arguments["filename"] = .string(scratch.file("screen.ppm"))
                _ = try await client.execute("screendump", arguments: .object(JSONObject(arguments.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })))
                bytes = try PNGEncoder.png(fromPPM: readFile(scratch.file("screen.ppm")))
            }
        }
        try writeFile(path, bytes)
        return dimensions(of: bytes)
    }

    static func dimensions(of bytes: [UInt8]) -> (width: Int, height: Int) {
        if bytes.count >= 24, bytes[1] == 0x50, bytes[2] == 0x4e, bytes[3] == 0x47 {
            func be(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
            return (be(16), be(20))
        }
        if let header = try? PNGEncoder.ppmHeader(bytes) { return (header.width, header.height) }
        return (0, 0)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw QMPUsageError("QEMU wrote no screenshot to \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw QMPUsageError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw QMPUsageError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }
}

/// A minimal PNG writer for QEMU's PPM screenshots (8-bit RGB, zlib "stored" blocks: no compression, no library).
public enum PNGEncoder {
    /// Width, height and where the pixels start in a binary PPM (`P6`, maximum value 255).
    static func ppmHeader(_ bytes: [UInt8]) throws -> (width: Int, height: Int, offset: Int) {
        var index = 0
        func token() -> String {
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "#") {
                    while index < bytes.count && bytes[index] != 10 { index += 1 }
                } else if [9, 10, 13, 32].contains(bytes[index]) {
                    index += 1
                } else {
                    break
                }
            }
            var text = ""
            while index < bytes.count, ![9, 10, 13, 32].contains(bytes[index]) {
                text.append(Character(UnicodeScalar(bytes[index])))
                index += 1
            }
            return text
        }
        guard token() == "P6", let width = Int(token()), let height = Int(token()), token() == "255", width > 0, height > 0,
            bytes.count >= index + 1 + width * height * 3
        else { throw QMPUsageError("not a binary PPM image (P6, 8 bits)") }
        return (width, height, index + 1)
    }

    /// PNG bytes of a binary PPM image.
    public static func png(fromPPM ppm: [UInt8]) throws -> [UInt8] {
        let header = try ppmHeader(ppm)
        var raw: [UInt8] = []
        raw.reserveCapacity((header.width * 3 + 1) * header.height)
        for row in 0..<header.height {
            raw.append(0)  // filter: none
            let start = header.offset + row * header.width * 3
            raw += ppm[start..<start + header.width * 3]
        }
        var png: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
        var ihdr = bigEndian(UInt32(header.width)) + bigEndian(UInt32(header.height))
        ihdr += [8, 2, 0, 0, 0]  // 8 bits, RGB, deflate, no filter, no interlace
        png += chunk("IHDR", ihdr)
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out += [final, UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8((~length >> 8) & 0xff)]
            out += data[offset..<offset + length]
            offset += length
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + bigEndian(b << 16 | a)
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xedb88320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffffffff
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xffffffff
    }
}
