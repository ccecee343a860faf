/// What `add-fd` returns: where QEMU filed the descriptor.
public struct AddfdInfo: Codable, Sendable, Hashable {
    /// The fd set, to use as `/dev/fdset/ID` in file names.
    public var fdsetID: Int
    /// QEMU's own number for the descriptor (what `remove-fd` takes as `fd`).
    public var fd: Int

    /// Creates a value from its members.
    public init(fdsetID: Int, fd: Int) {
        self.fdsetID = fdsetID
        self.fd = fd
    }

    enum CodingKeys: String, CodingKey {
        case fd
        case fdsetID = "fdset-id"
    }
}
