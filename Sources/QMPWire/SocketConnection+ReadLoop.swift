extension SocketConnection {
    /// Reads until the stream ends or fails, handing each chunk to `body` (on the calling thread, for a reader
    /// thread). Returns why it stopped: `closedByPeer` at end of stream, or the read error.
    package func readChunks(
        bufferSize: Int = 65536, endMessage: String, _ body: (UnsafeRawBufferPointer) -> Void
    ) -> QMPConnectionError {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do {
                count = try receive(into: buffer)
            } catch {
                return error
            }
            guard count > 0 else { return QMPConnectionError(.closedByPeer, endMessage) }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
