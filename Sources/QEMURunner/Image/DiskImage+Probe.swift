extension DiskImage {
    /// The format `qemu-img info` finds in the image at `path`, or `nil` when it cannot tell (QEMU then probes
    /// itself). Passing it as `format=` spares the guest QEMU's "probing guessed raw" restrictions on block 0.
    public static func probedFormat(_ path: String, program: String = defaultProgram) async -> String? {
        guard let info = try? await infoJSON(path: path, program: program), case .string(let format)? = info["format"] else {
            return nil
        }
        return format
    }
}
