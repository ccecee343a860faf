#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import QMP

/// Disk images through `qemu-img`: create, inspect, convert.
///
/// qemu-img runs as a child process with an argument vector, never through a shell, so any file name works
/// (spaces, quotes, `;`, `$(...)`). File names are always files: a relative name whose first `:` comes before any
/// `/` (which qemu-img would read as a protocol such as `nbd:` or `json:`) is passed as `./NAME`.
/// A failure is a ``RunnerError``: ``RunnerError/Code/notFound`` when qemu-img is not installed,
/// ``RunnerError/Code/toolFailed`` with qemu-img's own message otherwise.
///
/// ```swift
/// try await DiskImage.create(path: "/tmp/base.qcow2", format: .qcow2, size: ImageSize(parsing: "6G"))
/// try await DiskImage.create(path: "/tmp/overlay.qcow2", format: .qcow2, backingFile: "base.qcow2")
/// let info = try await DiskImage.info(path: "/tmp/overlay.qcow2")   // info.virtualSize == 6442450944
/// ```
public enum DiskImage {
    /// `$QMPKIT_QEMU_IMG`, else `qemu-img` from `PATH`.
    public static var defaultProgram: String {
        if let value = getenv("QMPKIT_QEMU_IMG"), value.pointee != 0 { return String(cString: value) }
        return "qemu-img"
    }

    /// Creates (or overwrites) the image at `path`.
    ///
    /// - Parameters:
    ///   - path: the image file to write; an existing file there is replaced.
    ///   - format: the image format, qcow2 by default.
    ///   - size: the virtual size; may be `nil` only with a backing file (the overlay then takes the backing
    ///     file's size).
    ///   - backingFile: makes a copy-on-write overlay (qcow2). A relative name is relative to the directory of
    ///     `path`, not to the current directory (qemu-img's rule: the name is recorded in the image as given).
    ///   - backingFormat: the backing file's format; when `nil` it is read from the backing file with `qemu-img
    ///     info` (qemu-img itself refuses a backing file without one).
    ///   - program: the qemu-img to run (``defaultProgram``: `$QMPKIT_QEMU_IMG`, else `qemu-img` from `PATH`).
    /// - Throws: ``RunnerError``: ``RunnerError/Code/invalidConfiguration`` for an empty name or a missing size,
    ///   ``RunnerError/Code/notFound`` when qemu-img is missing, and another code when it fails.
    public static func create(
        path: String, format: ImageFormat = .qcow2, size: ImageSize?, backingFile: String? = nil,
        backingFormat: ImageFormat? = nil, program: String = defaultProgram
    ) async throws(RunnerError) {
        guard !path.isEmpty else { throw RunnerError(.invalidConfiguration, "no image file name given") }
        var arguments = [program, "create", "-q", "-f", format.rawValue]
        if let backingFile {
            guard !backingFile.isEmpty else { throw RunnerError(.invalidConfiguration, "empty backing file name") }
            var backingFormat = backingFormat
            if backingFormat == nil {
                backingFormat = ImageFormat(rawValue: try await info(path: resolve(backingFile, relativeTo: path), program: program).format)
            }
            arguments += ["-b", fileArgument(backingFile), "-F", backingFormat!.rawValue]
        } else if size == nil {
            throw RunnerError(.invalidConfiguration, "a size is needed for '\(path)' (only an image with a backing file can take its size from it)")
        }
        arguments += ["--", fileArgument(path)]
        if let size { arguments.append(String(size.bytes)) }
        _ = try await runTool(arguments, timeout: .seconds(120))
    }

    /// Reads the image's format, sizes and backing file (`qemu-img info --output=json`).
    ///
    /// qemu-img prints QEMU's own `ImageInfo` type, the one `query-block` nests, so the result is QMP's
    /// `ImageInfo`; members it does not model stay in ``infoJSON(path:program:)``. Uses `-U` (force share), so
    /// it also works on an image a running QEMU has open; figures may then be a moment out of date.
    public static func info(path: String, program: String = defaultProgram) async throws(RunnerError) -> ImageInfo {
        let json = try await infoJSON(path: path, program: program)
        do {
            return try JSONValueDecoder().decode(ImageInfo.self, from: json)
        } catch {
            throw RunnerError(.toolFailed, "unexpected qemu-img info output for '\(path)' (\(error)): \(json.serialized())")
        }
    }

    /// `qemu-img info --output=json` as it came.
    public static func infoJSON(path: String, program: String = defaultProgram) async throws(RunnerError) -> JSON {
        let output = try await runTool(
            [program, "info", "--output=json", "-U", "--", fileArgument(path)], timeout: .seconds(60))
        do {
            return try JSON(parsing: output)
        } catch {
            throw RunnerError(.toolFailed, "qemu-img info printed no JSON for '\(path)' (\(error)): \(output.prefix(200))")
        }
    }

    /// Copies `source` into a new image `destination` of `format` (`qemu-img convert`), e.g. a raw disk into a
    /// qcow2 or the other way round. `sourceFormat` `nil` lets qemu-img detect it.
    public static func convert(
        from source: String, to destination: String, format: ImageFormat, sourceFormat: ImageFormat? = nil,
        program: String = defaultProgram, timeout: Duration = .seconds(3600)
    ) async throws(RunnerError) {
        var arguments = [program, "convert", "-q"]
        if let sourceFormat { arguments += ["-f", sourceFormat.rawValue] }
        arguments += ["-O", format.rawValue, "--", fileArgument(source), fileArgument(destination)]
        _ = try await runTool(arguments, timeout: timeout)
    }

    // MARK: - Helpers

    /// `path` as a qemu-img file argument: `./path` when qemu-img would read a prefix of it as a protocol.
    package static func fileArgument(_ path: String) -> String {
        // qemu's path_has_protocol(): a ':' before any '/'.
        guard let stop = path.firstIndex(where: { $0 == ":" || $0 == "/" }), path[stop] == ":" else { return path }
        return "./" + path
    }

    /// Where qemu-img looks for `backing` named in the image at `image`.
    package static func resolve(_ backing: String, relativeTo image: String) -> String {
        guard !backing.hasPrefix("/"), let slash = image.lastIndex(of: "/") else { return backing }
        return String(image[...slash]) + backing
    }

    /// Runs qemu-img; returns its standard output, or throws with its standard error.
    static func runTool(_ arguments: [String], timeout: Duration) async throws(RunnerError) -> String {
        let what = "\(arguments[0]) \(arguments[1])"
        let result: (termination: Termination, standardOutput: String, standardError: String)
        do {
            result = try await Subprocess.run(arguments, timeout: timeout)
        } catch let error as RunnerError {
            if error.code == .notFound {
                throw RunnerError(.notFound, "\(error.message) (qemu-img comes with Debian's qemu-utils package; or set QMPKIT_QEMU_IMG)")
            }
            throw error
        } catch {
            throw RunnerError(.io, "\(what): \(error)")
        }
        guard result.termination.isSuccess else {
            let message = result.standardError.split(whereSeparator: \.isNewline).joined(separator: "; ")
            throw RunnerError(
                .toolFailed, "\(what) failed (\(result.termination))" + (message.isEmpty ? "" : ": \(message)"))
        }
        return result.standardOutput
    }
}
